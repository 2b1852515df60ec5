import FluentKit
import Foundation
import SQLKit

/// SQLite's substring search index (migrations 0014 and 0032): for each searchable table
/// an FTS5 trigram table without content (`ftsTable`), whose rows are keyed through
/// `search_keys` (kind + record id → an INTEGER PRIMARY KEY, which VACUUM never
/// renumbers). Triggers on each searchable table keep it in step with the records'
/// `search_text`.
///
/// One FTS table per kind, not one for all: a term's matches are read from the index
/// before they can be told apart by kind, so with one table the search box's look-up of
/// "smith" among leads read every contact called Smith first (50 ms each kind, on a
/// million contacts).
///
/// A large import sets the insert trigger aside (`SetAsideIndexes`) and indexes its
/// records at the end, in steps (`indexMissing`): kept up row by row, the index was a
/// quarter of SQLite's work in an import of a million contacts.
package enum SQLiteSearchIndex {
    package static func insertTrigger(_ table: String) -> String { "\(table)_search_insert" }

    /// The FTS5 table of `table`'s records.
    package static func ftsTable(_ table: String) -> String { "\(table)_search_fts" }

    /// `positions`: whether the index keeps where in a record's text each trigram stands
    /// (FTS5's `detail=full`, before migration 0050). Without them (`detail=none`) it holds
    /// only which records have each trigram: 57 bytes a contact instead of 163, and a term
    /// of more than three characters is looked up as all its trigrams (`SQLSearch`), its
    /// matches confirmed on the record's own text.
    package static func createFTSTable(_ table: String, positions: Bool = false, on sql: any SQLDatabase) async throws {
        let detail: SQLQueryString = positions ? "" : ", detail=none"
        try await sql.raw("CREATE VIRTUAL TABLE IF NOT EXISTS \(ident: ftsTable(table)) USING fts5(text, content='', contentless_delete=1, tokenize='trigram'\(detail))").run()
    }

    /// Whether `table`'s index keeps the trigrams' positions (`createFTSTable`).
    package static func keepsPositions(_ table: String, on sql: any SQLDatabase) async throws -> Bool {
        let definition = try await sql.raw("SELECT sql FROM sqlite_master WHERE name = \(bind: ftsTable(table))").first()?.decode(column: "sql", as: String.self) ?? ""
        return !definition.contains("detail=none")
    }

    /// Makes `table`'s index again from its records' text, with or without positions.
    package static func rebuild(_ table: String, positions: Bool, on sql: any SQLDatabase) async throws {
        try await sql.raw("DROP TABLE IF EXISTS \(ident: ftsTable(table))").run()
        try await createFTSTable(table, positions: positions, on: sql)
        try await setHashSize(16 << 20, table, on: sql)
        try await fill(table, on: sql)
        try await setHashSize(1 << 20, table, on: sql)
    }

    /// The tables with a search index: those with its update trigger, which (unlike the
    /// insert trigger) an import never sets aside.
    package static func indexedTables(on sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name = tbl_name || '_search_update' ORDER BY tbl_name").all()
            .map { try $0.decode(column: "tbl_name", as: String.self) }
    }

    /// Whether the schema holds a table, index or trigger called `name`.
    package static func exists(_ name: String, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS x FROM sqlite_master WHERE name = \(bind: name)").first() != nil
    }

    /// The searchable table whose insert trigger `name` is, if it is one.
    package static func table(ofInsertTrigger name: String) -> String? {
        name.hasSuffix("_search_insert") ? String(name.dropLast("_search_insert".count)) : nil
    }

    package static func createInsertTrigger(_ table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(insertTriggerStatement(table, sortColumn: try await sortColumn(of: table, on: sql))).run()
    }

    /// How search keys are numbered. `inOrderMade` (before migration 0057): each new key
    /// takes the next number. `byName`: a key's number starts with its record's place in
    /// name order (`keyBase`), so the index, which lists a term's matches by key, lists
    /// them nearly in name order, and the first page of a common term reads a few hundred
    /// of them rather than every one (`SQLSearch`, `keysFrom`).
    package enum KeyNumbering: Sendable { case inOrderMade, byName }

    /// The statement that makes `table`'s insert trigger: it gives each new record its
    /// search key (with its sort key, when the table keeps one) and its index row.
    package static func insertTriggerStatement(_ table: String, sortColumn: String?, numbering: KeyNumbering = .byName) -> SQLQueryString {
        let addKey: SQLQueryString
        switch (numbering, sortColumn) {
        case (.inOrderMade, let column?):
            addKey = "INSERT INTO search_keys (kind, record_id, sort) VALUES (\(literal: table), new.id, new.\(ident: column));"
        case (.inOrderMade, nil):
            addKey = "INSERT INTO search_keys (kind, record_id) VALUES (\(literal: table), new.id);"
        case (.byName, let column?):
            addKey = "INSERT INTO search_keys (id, kind, record_id, sort) VALUES (\(unsafeRaw: nextKey(keyBase: keyBaseSQL("new.\"\(column)\""))), \(literal: table), new.id, new.\(ident: column));"
        case (.byName, nil):
            addKey = "INSERT INTO search_keys (id, kind, record_id) VALUES (\(unsafeRaw: nextKey(keyBase: "0")), \(literal: table), new.id);"
        }
        return """
            CREATE TRIGGER \(ident: insertTrigger(table)) AFTER INSERT ON \(ident: table) BEGIN
                \(addKey)
                INSERT INTO \(ident: ftsTable(table)) (rowid, text) VALUES (\(unsafeRaw: key(table, "new")), new.search_text);
            END
            """
    }

    /// Bits of a key number below its bucket: a bucket holds 2²⁸ keys. A key never changes
    /// bucket in place: a record whose sort key changes takes a new key (`createSortTrigger`).
    package static let bucketBits: Int64 = 28

    /// Characters of a sort key its bucket is made of, seven bits each: 35 bits, which with
    /// `bucketBits` fill a positive 64-bit number.
    package static let bucketCharacters = 5

    /// The first key number of the bucket of a record whose sort key is `sort`. Buckets
    /// follow the order SQLite compares text in (by code point): each of the first
    /// `bucketCharacters` characters counts as its code point up to 126; one at 127 or past
    /// counts as 127 and ends the bucket's name (the characters after it count as none),
    /// so a key never lands in a bucket before one of a record sorting ahead of it. As
    /// `keyBaseSQL` works it out in a trigger.
    package static func keyBase(_ sort: String) -> Int64 {
        var base: Int64 = 0
        var scalars = sort.unicodeScalars.makeIterator()
        var ended = false
        for _ in 0..<bucketCharacters {
            let code = ended ? 0 : Int64(scalars.next()?.value ?? 0)
            if code >= 127 { ended = true }
            base = base << 7 | min(code, 127)
        }
        return base << bucketBits
    }

    /// `keyBase` of the text `expression` gives, in SQL.
    package static func keyBaseSQL(_ expression: String) -> String {
        let codes = (1...bucketCharacters).map { "coalesce(unicode(substr(\(expression), \($0), 1)), 0)" }
        let terms = codes.indices.map { at in
            let own = "min(\(codes[at]), 127)"
            let term = at == 0 ? own : "(CASE WHEN max(\(codes[..<at].joined(separator: ", ")), 0) >= 127 THEN 0 ELSE \(own) END)"
            return "(\(term) << \(Int64(7 * (bucketCharacters - 1 - at)) + bucketBits))"
        }
        return "(" + terms.joined(separator: " | ") + ")"
    }

    /// The next free key number in the bucket starting at `keyBase` (an SQL expression,
    /// worked out once).
    package static func nextKey(keyBase: String) -> String {
        "(SELECT coalesce((SELECT id FROM search_keys WHERE id BETWEEN b.base AND b.base + \(bucketMask) ORDER BY id DESC LIMIT 1) + 1, b.base) FROM (SELECT \(keyBase) AS base) b)"
    }

    /// The key numbers within one bucket.
    package static let bucketMask: Int64 = (1 << bucketBits) - 1

    /// A condition on the index's rows (`f.rowid`, of `fts` matching `query`) that keeps
    /// those a page of the list in name order can need: the buckets from that of `from`
    /// (the sort key the page follows, nil for the first page) on, in the list's direction,
    /// through the bucket of the `count`th match from there — every match of those buckets,
    /// so nothing that sorts before the last of them is left out — or to the end when
    /// `count` is nil. With keys numbered by name (`KeyNumbering.byName`, which migration
    /// 0057 made every key's), this reads a few hundred of a common term's matches instead
    /// of all of them.
    package static func keysFrom(fts: String, query: String, from: String?, ascending: Bool, count: Int?) -> SQLQueryString {
        let table = SQLIdentifier(fts)
        if ascending {
            let low = from.map(keyBase) ?? 0
            guard let count else { return "f.rowid >= \(bind: low)" }
            return """
                f.rowid BETWEEN \(bind: low) AND coalesce((SELECT rowid | \(literal: bucketMask) FROM \(table) WHERE \(table) MATCH \(bind: query) \
                AND rowid >= \(bind: low) ORDER BY rowid LIMIT 1 OFFSET \(literal: count - 1)), \(literal: Int64.max))
                """
        }
        let high = from.map { keyBase($0) | bucketMask } ?? Int64.max
        guard let count else { return "f.rowid <= \(bind: high)" }
        return """
            f.rowid BETWEEN coalesce((SELECT (rowid >> \(literal: bucketBits)) << \(literal: bucketBits) FROM \(table) WHERE \(table) MATCH \(bind: query) \
            AND rowid <= \(bind: high) ORDER BY rowid DESC LIMIT 1 OFFSET \(literal: count - 1)), 0) AND \(bind: high)
            """
    }

    /// The column whose value `search_keys.sort` holds for `table`'s records, or nil when
    /// the keys hold none (migration 0042 added the column; a kind without `name_sort`).
    ///
    /// Why the keys hold it: a list ordered by name asks for the first page of a common
    /// term ("ang" in every Wang and Zhang), and the index answers with every match. Read
    /// from the records, the order of 26,000 matches cost 80 ms of look-ups in a million
    /// contacts; read from their keys, beside the index, it costs a few.
    package static func sortColumn(of table: String, on sql: any SQLDatabase) async throws -> String? {
        let row = try await sql.raw("""
            SELECT (SELECT count(*) FROM pragma_table_info('search_keys') WHERE name = 'sort') AS keys, \
            (SELECT count(*) FROM pragma_table_info(\(bind: table)) WHERE name = \(bind: sortedBy)) AS records
            """).first()
        return try row?.decode(column: "keys", as: Int.self) == 1 && row?.decode(column: "records", as: Int.self) == 1 ? sortedBy : nil
    }

    /// The column a searchable table keeps its records' place in name order in.
    package static let sortedBy = "name_sort"

    /// The search keys follow a changed sort key. Numbered by name, the key moves to the
    /// bucket of the new one, and the record's index row with it.
    package static func createSortTrigger(_ table: String, sortColumn: String, numbering: KeyNumbering = .byName, on sql: any SQLDatabase) async throws {
        let name = SQLIdentifier("\(table)_search_sort")
        guard numbering == .byName else {
            try await sql.raw("""
                CREATE TRIGGER \(name) AFTER UPDATE OF \(ident: sortColumn) ON \(ident: table) BEGIN
                    UPDATE search_keys SET sort = new.\(ident: sortColumn) WHERE kind = \(literal: table) AND record_id = new.id;
                END
                """).run()
            return
        }
        try await sql.raw("""
            CREATE TRIGGER \(name) AFTER UPDATE OF \(ident: sortColumn) ON \(ident: table) BEGIN
                DELETE FROM \(ident: ftsTable(table)) WHERE rowid = \(unsafeRaw: key(table, "old"));
                UPDATE search_keys SET id = \(unsafeRaw: nextKey(keyBase: keyBaseSQL("new.\"\(sortColumn)\""))), sort = new.\(ident: sortColumn)
                    WHERE kind = \(literal: table) AND record_id = new.id;
                INSERT INTO \(ident: ftsTable(table)) (rowid, text) SELECT id, new.search_text FROM search_keys WHERE kind = \(literal: table) AND record_id = new.id;
            END
            """).run()
    }

    /// The index follows a changed `search_text` — of a record that has a key. One saved
    /// while the insert trigger was set aside has none yet, and gets its row when
    /// `indexMissing` catches up (with the text it has by then).
    package static func createUpdateTrigger(_ table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TRIGGER \(ident: "\(table)_search_update") AFTER UPDATE OF search_text ON \(ident: table) BEGIN
                DELETE FROM \(ident: ftsTable(table)) WHERE rowid = \(unsafeRaw: key(table, "old"));
                INSERT INTO \(ident: ftsTable(table)) (rowid, text) SELECT id, new.search_text FROM search_keys WHERE kind = \(literal: table) AND record_id = new.id;
            END
            """).run()
    }

    package static func createDeleteTrigger(_ table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TRIGGER \(ident: "\(table)_search_delete") AFTER DELETE ON \(ident: table) BEGIN
                DELETE FROM \(ident: ftsTable(table)) WHERE rowid = \(unsafeRaw: key(table, "old"));
                DELETE FROM search_keys WHERE kind = \(literal: table) AND record_id = old.id;
            END
            """).run()
    }

    /// Records one step of `indexMissing` looks at. A step is one transaction, so it holds
    /// SQLite's only writer — and every request waiting to write — for a few tens of
    /// milliseconds, whatever the size of the table.
    package static let stepSize = 10_000

    /// Indexes the records of `table` that have no search key — all of them when the index
    /// is new, those saved while the insert trigger was set aside otherwise — in steps of
    /// `stepSize` records in id order, each its own transaction unless `inTransaction` says `db` is one
    /// already. Between steps it stops with `CancellationError` when `shouldStop` says so
    /// (a server shutting down); what it indexed stays indexed, and a later call goes on.
    ///
    /// A record saved meanwhile gets its key from the insert trigger, if it is back, or
    /// from a later step; each step adds keys only where there are none, in one statement,
    /// so no record is indexed twice.
    package static func indexMissing(_ table: String, on db: any Database, inTransaction: Bool = false, step size: Int = stepSize,
                             shouldStop: @Sendable () -> Bool = { false }) async throws {
        var after: UUID?
        let sorted = try await sortColumn(of: table, on: db as! any SQLDatabase)
        repeat {
            if shouldStop() { throw CancellationError() }
            let from = after
            if inTransaction {
                after = try await indexStep(table, after: from, size: size, sortColumn: sorted, on: db as! any SQLDatabase)
            } else {
                after = try await db.transaction { tx in try await indexStep(table, after: from, size: size, sortColumn: sorted, on: tx as! any SQLDatabase) }
            }
        } while after != nil
    }

    /// One step of `indexMissing`: the next `size` records after `after`; returns the
    /// last id it looked at, nil when there were no more.
    package static func indexStep(_ table: String, after: UUID?, size: Int, sortColumn: String? = nil, on sql: any SQLDatabase) async throws -> UUID? {
        let range = records(table, after: after, size: size, sortColumn: sortColumn)
        // Without a bound, the last id from the id index rather than from the whole table.
        let through: SQLQueryString = size != .max ? range
            : after.map { "SELECT id FROM \(ident: table) WHERE id > \(bind: $0)" } ?? "SELECT id FROM \(ident: table)"
        guard let last = try await sql.raw("SELECT max(id) AS last FROM (\(through))").first()?.decode(column: "last", as: UUID?.self) else { return nil }
        // The new keys wait in a table of their own, numbered, so the index rows are added
        // for them alone and in their numbers' order.
        try await createPendingTable(on: sql)
        try await sql.raw(pendingKeys(table, range, sortColumn: sortColumn)).run()
        try await sql.raw("INSERT INTO search_keys (id, kind, record_id, sort) SELECT id, \(literal: table), record_id, sort FROM temp.\(ident: pending)").run()
        // FTS5 writes its pending terms out as a new segment whenever they pass `hashsize`
        // (1 MB by default) and merges the segments as they pile up: a million records in
        // 1 MB segments were mostly merging, and 16 MB took a third less time. A short step
        // stays under 1 MB anyway.
        let large = size > stepSize
        if large { try await setHashSize(16 << 20, table, on: sql) }
        try await sql.raw(fillPendingStatement(table)).run()
        if large { try await setHashSize(1 << 20, table, on: sql) }
        try await sql.raw("DELETE FROM temp.\(ident: pending)").run()
        return last
    }

    /// The temporary table `indexStep` keeps its new keys in.
    private static let pending = "search_pending"

    /// Makes that table, or empties it.
    package static func createPendingTable(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TEMP TABLE IF NOT EXISTS \(ident: pending) (id INTEGER PRIMARY KEY, record_id BLOB NOT NULL, sort TEXT, text TEXT)").run()
        try await sql.raw("DELETE FROM temp.\(ident: pending)").run()
    }

    /// Index rows for every key of `table`, from the records' text.
    package static func fill(_ table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(fillStatement(table)).run()
    }

    /// The statement of `fill`. It reads the keys in their own order (`+k.kind` keeps
    /// SQLite off the `(kind, record_id)` index): FTS5 writes out what it holds whenever a
    /// row's number is lower than the last one's, so keys read by record id, out of their
    /// numbers' order, made a segment every few rows and a million contacts spent most of
    /// their indexing merging them.
    package static func fillStatement(_ table: String) -> SQLQueryString {
        """
        INSERT INTO \(ident: ftsTable(table)) (rowid, text) SELECT k.id, t.search_text FROM search_keys k JOIN \(ident: table) t ON t.id = k.record_id
        WHERE +k.kind = \(literal: table)
        """
    }

    /// Index rows for the keys `indexStep` just added, in their numbers' order (see
    /// `fillStatement`), from the text `pendingKeys` kept beside them: read from the
    /// records in key order instead, a million contacts were a million look-ups all over
    /// the table (4 s of an import's catch-up).
    package static func fillPendingStatement(_ table: String) -> SQLQueryString {
        "INSERT INTO \(ident: ftsTable(table)) (rowid, text) SELECT id, text FROM temp.\(ident: pending) ORDER BY id"
    }

    /// FTS5 writes its pending terms out as a segment whenever they pass this many bytes.
    package static func setHashSize(_ bytes: Int, _ table: String, on sql: any SQLDatabase) async throws {
        let fts = ftsTable(table)
        try await sql.raw("INSERT INTO \(ident: fts) (\(ident: fts), rank) VALUES ('hashsize', \(literal: bytes))").run()
    }

    /// The ids and search texts (and sort keys) of the next `size` records of `table` after `after`, in id
    /// order. Without a bound (`Int.max`) they are read from the table as it lies (records
    /// are stored in the order they were made, which time-ordered ids follow), with nothing
    /// to sort or keep: ordered and limited, SQLite kept a million of them aside in memory;
    /// left to choose, it read them along the name index, and the keys came out in name
    /// order, each look-up somewhere else in `(kind, record_id)`.
    package static func records(_ table: String, after: UUID?, size: Int, sortColumn: String? = nil) -> SQLQueryString {
        let columns: SQLQueryString = sortColumn.map { "id, search_text, \(ident: $0)" } ?? "id, search_text"
        guard size != .max else {
            guard let after else { return "SELECT \(columns) FROM \(ident: table) NOT INDEXED" }
            return "SELECT \(columns) FROM \(ident: table) NOT INDEXED WHERE id > \(bind: after)"
        }
        let order: SQLQueryString = " ORDER BY id LIMIT \(literal: size)"
        guard let after else { return "SELECT \(columns) FROM \(ident: table)\(order)" }
        return "SELECT \(columns) FROM \(ident: table) WHERE id > \(bind: after)\(order)"
    }

    /// Numbers new search keys for those of `records` that have none, into the temporary
    /// table `indexStep` keeps them in: by name (`KeyNumbering.byName`) — each after the
    /// last key of its bucket, in name order within the bucket — when the keys hold sort
    /// keys from `sortColumn` (`records` then selects it too), else in bucket 0.
    ///
    /// `+r.id` matters: the records' ids are declared `UUID`, which SQLite gives numeric
    /// affinity, and comparing `record_id` (a BLOB) with such a column makes SQLite search
    /// `search_keys` by `kind` alone — every key of the kind for each record: sixteen
    /// minutes for 200,000 records. Without affinity on the right, the look-up uses
    /// the index on `record_id`.
    package static func pendingKeys(_ table: String, _ records: SQLQueryString, sortColumn: String? = nil) -> SQLQueryString {
        let sort = sortColumn.map { "r.\"\($0)\"" } ?? "NULL"
        let base = sortColumn.map { keyBaseSQL("r.\"\($0)\"") } ?? "0"
        return """
            INSERT INTO temp.\(ident: pending) (id, record_id, sort, text)
            SELECT n.base + coalesce((SELECT k.id + 1 - n.base FROM search_keys k WHERE k.id BETWEEN n.base AND n.base + \(literal: bucketMask) ORDER BY k.id DESC LIMIT 1), 0) \
            + n.rank - 1, n.id, n.sort, n.search_text
            FROM (SELECT t.id, t.sort, t.base, t.search_text, row_number() OVER (PARTITION BY t.base ORDER BY t.sort, t.id) AS rank
                  FROM (SELECT r.id, \(unsafeRaw: sort) AS sort, \(unsafeRaw: base) AS base, r.search_text FROM (\(records)) r
                        WHERE NOT EXISTS (SELECT 1 FROM search_keys k WHERE k.kind = \(literal: table) AND k.record_id = +r.id)) t) n
            """
    }

    /// The SQLite side of a table's search index: its FTS table, triggers that keep it in step
    /// with `search_text`, and the rows already there. Each searchable kind's migration calls it.
    package static func index(_ table: String, on sql: any SQLDatabase) async throws {
        try await createFTSTable(table, on: sql)
        try await createInsertTrigger(table, on: sql)
        try await createUpdateTrigger(table, on: sql)
        try await createDeleteTrigger(table, on: sql)
        if let sorted = try await sortColumn(of: table, on: sql) { try await createSortTrigger(table, sortColumn: sorted, on: sql) }
        try await indexMissing(table, on: sql as! any Database, inTransaction: true)
    }

    /// Undoes `index` for a table whose kind came later (leads, opportunities).
    package static func dropIndex(_ table: String, on sql: any SQLDatabase) async throws {
        for event in ["insert", "update", "delete", "sort"] { try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_search_\(unsafeRaw: event)").run() }
        try await sql.raw("DROP TABLE IF EXISTS \(ident: ftsTable(table))").run()
        // Below migration 0032 the kinds shared one index table.
        if try await exists("search_fts", on: sql) {
            try await sql.raw("DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_keys WHERE kind = \(bind: table))").run()
        }
        try await sql.raw("DELETE FROM search_keys WHERE kind = \(bind: table)").run()
    }

    /// The search key of the trigger's `old` or `new` record, as an SQL expression.
    private static func key(_ table: String, _ record: String) -> String {
        "(SELECT id FROM search_keys WHERE kind = '\(table)' AND record_id = \(record).id)"
    }
}
