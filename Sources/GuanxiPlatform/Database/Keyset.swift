import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Keyset pagination: a page starts after the last row of the previous one, found by
/// the sort column and the id, so no page counts or skips rows however deep it is.
public struct Keyset: Sendable {
    public enum Value: Sendable { case text(String), time(Date), number(Double) }
    package enum Kind: Sendable { case text, time, number }

    /// What rows are ordered by: a column of the listed table, or an expression (a
    /// custom field's value) that must never be NULL, or rows would drop out of pages.
    package let sortKey: any SQLExpression
    package let ascending: Bool
    package let kind: Kind

    public static func text(_ column: String, ascending: Bool = true) -> Keyset { Keyset(sortKey: SQLIdentifier(column), ascending: ascending, kind: .text) }
    public static func time(_ column: String, ascending: Bool = false) -> Keyset { Keyset(sortKey: SQLIdentifier(column), ascending: ascending, kind: .time) }
    package static func expression(_ expression: any SQLExpression, numeric: Bool, ascending: Bool) -> Keyset {
        Keyset(sortKey: expression, ascending: ascending, kind: numeric ? .number : .text)
    }

    /// Adds the start condition (when there is a cursor) and the order to `query`.
    package func apply(to query: SQLSelectBuilder, cursor: String?) throws -> SQLSelectBuilder {
        var query = query
        if let cursor {
            guard let (value, id) = Self.parse(cursor), let bound = Self.bound(value, kind: kind) else {
                throw GuanxiError.invalid("cursor", "cursor is not one this list returned.").localized("msg.bad_cursor", [:])
            }
            let op = ascending ? ">" : "<"
            // A row-value comparison, which both engines answer from the (column, id) index;
            // the equivalent OR form makes PostgreSQL scan.
            query = query.where(SQLQueryString("(\(sortKey), id) \(unsafeRaw: op) (\(bind: bound), \(bind: id))"))
        }
        return query.orderBy(SQLOrderBy(expression: sortKey, direction: ascending ? SQLDirection.ascending : SQLDirection.descending))
            .orderBy("id", ascending ? .ascending : .descending)
    }

    /// The ids of every row of `query` (a list with its conditions) in the list's order, at
    /// most `limit`: one query reading ids alone, for work on a whole list (a mail merge)
    /// that needs no page of decoded records.
    package func ids(_ query: SQLSelectBuilder, table: String, limit: Int) async throws -> [UUID] {
        let ids = Self.copy(query)
        ids.select.columns = [SQLColumn("id", table: table)]
        return try await apply(to: ids, cursor: nil).limit(limit).all(decodingColumn: "id", as: UUID.self)
    }

    /// The cursor that continues after a row with this sort value and id.
    public static func cursor(_ value: Value, id: UUID) -> String {
        let text = switch value {
        case .text(let t): t
        case .time(let d): String(d.timeIntervalSince1970)
        case .number(let n): String(n)
        }
        return Data("\(text)\u{1F}\(id.uuidString)".utf8).base64EncodedString()
    }

    /// The sort value a cursor carries, as the database compares it — or nil when no page
    /// of this list could have ended there. A cursor comes from the client, so it is checked
    /// like any input: a time outside the years 1–9999 or a number that is not finite would
    /// reach the database driver, and PostgreSQL's traps on a time it cannot encode (which
    /// stops the whole process); text is held to what a sort column can hold.
    package static func bound(_ value: String, kind: Kind) -> (any Encodable & Sendable)? {
        switch kind {
        case .text:
            return value.utf8.count <= 4_000 && !value.utf8.contains(0) ? value : nil
        case .time:
            guard let seconds = Double(value), Validate.storableTimes.contains(seconds) else { return nil }
            return Date(timeIntervalSince1970: seconds)
        case .number:
            guard let number = Double(value), number.isFinite else { return nil }
            return number
        }
    }

    package static func parse(_ cursor: String) -> (String, UUID)? {
        guard cursor.utf8.count <= 8_000, let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        return (String(parts[0]), id)
    }
}

/// A model a list query reads field by field rather than through Fluent's reflection.
package protocol RowDecodable: Model {
    init(row: any SQLRow) throws
}

/// A record's fields as plain values, read from its row by hand: what a list page reads
/// when it only shows records. A Fluent model holds each field in an object of its own,
/// which it casts on every read; a page of fifty records made, read and freed that way
/// was a tenth of a list page's time.
package protocol RowValues {
    init(row: any SQLRow) throws
    var id: UUID? { get }
}

/// How the rows of a keyset page become its items, and an item's id.
package struct RowReading<Item> {
    let item: (any SQLRow) throws -> Item
    let id: (Item) -> UUID

    /// A model: read by hand when it is `RowDecodable`, else through Fluent.
    static func model(_ type: Item.Type) -> RowReading where Item: Model, Item.IDValue == UUID {
        let decodable = Item.self as? any RowDecodable.Type
        return RowReading(item: { row in try decodable.map { try $0.init(row: row) as! Item } ?? row.decode(fluentModel: Item.self) }, id: { $0.id! })
    }

    static func values(_ type: Item.Type) -> RowReading where Item: RowValues {
        RowReading(item: { try Item(row: $0) }, id: { $0.id! })
    }
}

extension RowDecodable {
    /// The row with `id`, read by hand rather than through Fluent's reflection over the
    /// model (a customer's page reads its customer once per panel). For reading: a model
    /// to be changed and saved is found through Fluent.
    package static func find(byID id: UUID, on sql: any SQLDatabase) async throws -> Self? {
        try await sql.select().column(SQLLiteral.all).from(schema).where("id", .equal, id).limit(1).first().map { try Self(row: $0) }
    }

    /// The rows with these ids, read by hand (ids no longer there are left out).
    package static func find(byIDs ids: [UUID], on sql: any SQLDatabase) async throws -> [Self] {
        guard !ids.isEmpty else { return [] }
        return try await sql.select().column(SQLLiteral.all).from(schema).where("id", .in, ids).all().map { try Self(row: $0) }
    }

    /// Whether this model, read by hand, holds what Fluent reads from `row`, compared as
    /// their JSON: a field left unread shows as a difference (or, when it cannot be empty,
    /// stops the encoding). For the assert in each `init(row:)`.
    package func matchesFluent(_ row: any SQLRow) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let fluent = try? row.decode(fluentModel: Self.self), let theirs = try? encoder.encode(fluent), let mine = try? encoder.encode(self) else { return false }
        return mine == theirs
    }
}

extension Keyset {
    /// One page of `query` as rows, and the cursor of the next page (nil on the last);
    /// `key` gives a row's id and sort value.
    package func rows(_ query: SQLSelectBuilder, cursor: String?, limit: Int,
              key: (any SQLRow) throws -> (id: UUID, value: Value)) async throws -> (rows: [any SQLRow], next: String?) {
        var rows = try await apply(to: query, cursor: cursor).limit(limit + 1).all()
        let more = rows.count > limit
        if more { rows.removeLast() }
        let next = try more ? rows.last.map { row in try key(row) }.map { Self.cursor($0.value, id: $0.id) } : nil
        return (rows, next)
    }

    /// One page of `query` as models, and the cursor of the next page (nil on the last).
    /// `value` gives the sort value of a row, from the model or from the selected row.
    package func page<M: Model>(_ query: SQLSelectBuilder, as type: M.Type, cursor: String?, limit: Int,
                        value: (M, any SQLRow) throws -> Value) async throws -> (items: [M], next: String?) where M.IDValue == UUID {
        try await page(query, reading: .model(type), cursor: cursor, limit: limit, value: value)
    }

    /// One page of `query` as plain values (`RowValues`), and the cursor of the next page.
    package func page<V: RowValues>(_ query: SQLSelectBuilder, as type: V.Type, cursor: String?, limit: Int,
                                    value: (V, any SQLRow) throws -> Value) async throws -> (items: [V], next: String?) {
        try await page(query, reading: .values(type), cursor: cursor, limit: limit, value: value)
    }

    private func page<M>(_ query: SQLSelectBuilder, reading: RowReading<M>, cursor: String?, limit: Int,
                         value: (M, any SQLRow) throws -> Value) async throws -> (items: [M], next: String?) {
        try decoded(try await apply(to: query, cursor: cursor).limit(limit + 1).all(), reading: reading, limit: limit, value: value)
    }

    /// Rows of a page (and one more, when there is a next page) as items, with the cursor
    /// of the next page.
    private func decoded<M>(_ rows: [any SQLRow], reading: RowReading<M>, limit: Int,
                            value: (M, any SQLRow) throws -> Value) throws -> (items: [M], next: String?) {
        var items: [(M, any SQLRow)] = try rows.map { row in (try reading.item(row), row) }
        let more = items.count > limit
        if more { items.removeLast() }
        let next = try more ? items.last.map { try Self.cursor(value($0.0, $0.1), id: reading.id($0.0)) } : nil
        return (items.map(\.0), next)
    }
}

extension Keyset {
    /// Rows of the list's order a page may read, testing each against a search term, before
    /// it gives up and asks the search index for every match instead. A common term fills
    /// a page well within it (one row in 80 matching is enough); a rare one, or one whose
    /// matches all lie late in the order (Chinese names after the Latin ones), costs a
    /// read of this many index entries and rows — a few milliseconds — before the index
    /// answers.
    package static let searchWalk = 4_000

    /// How many times further PostgreSQL walks when the index cannot give the matches in
    /// the list's order (a term of three characters or more there). Its walk reads the
    /// order's index and tests each entry there — the name-order indexes hold the name and
    /// search text (migration 0046) — and reads only the records of the page: a walk of
    /// 20,000 entries costs about 10 ms, where every match read and sorted cost 170 ms for
    /// "ang", whose 50th match is 14,000 names in.
    package static let keysWalkFactor = 5

    /// One page of `query` (the list with every other condition applied) whose rows also
    /// meet `search`. For a common term (`SearchCondition.isCommon`) it reads the list's
    /// order first, up to `searchWalk` rows past the cursor (`scanned`); if that does not
    /// fill the page, or the term is rare, the search index finds every match and they are
    /// sorted (`indexed`). Either way the same rows come in the same order.
    package func page<M: Model>(_ query: SQLSelectBuilder, search: SearchCondition?, cursor: String?, limit: Int, walk: Int = searchWalk, commonAt: Int = SearchCondition.commonAt,
                        as type: M.Type, value: (M, any SQLRow) throws -> Value) async throws -> (items: [M], next: String?) where M.IDValue == UUID {
        try await page(query, search: search, cursor: cursor, limit: limit, walk: walk, commonAt: commonAt, reading: .model(type), value: value)
    }

    /// `page(_:search:…)` as plain values (`RowValues`).
    package func page<V: RowValues>(_ query: SQLSelectBuilder, search: SearchCondition?, cursor: String?, limit: Int, walk: Int = searchWalk, commonAt: Int = SearchCondition.commonAt,
                                    as type: V.Type, value: (V, any SQLRow) throws -> Value) async throws -> (items: [V], next: String?) {
        try await page(query, search: search, cursor: cursor, limit: limit, walk: walk, commonAt: commonAt, reading: .values(type), value: value)
    }

    private func page<M>(_ query: SQLSelectBuilder, search: SearchCondition?, cursor: String?, limit: Int, walk: Int, commonAt: Int,
                         reading: RowReading<M>, value: (M, any SQLRow) throws -> Value) async throws -> (items: [M], next: String?) {
        guard let search else { return try await page(query, reading: reading, cursor: cursor, limit: limit, value: value) }
        let postgres = query.database.dialect.name == "postgresql"
        let table = query.select.tables.first as? SQLIdentifier
        // The matches in the list's order from the index, when it keeps that order.
        let ordered = search.ordered.flatMap { (sortKey as? SQLIdentifier)?.string == $0.column ? $0.matches : nil }
        let orderedFrom = ordered == nil ? nil : search.orderedFrom
        // Matches that come from the index in the list's order need no walk along it.
        if orderedFrom == nil, let scanned = search.scanned, try await search.isCommon(on: query.database, commonAt: commonAt) {
            let rows = postgres && table != nil && ordered == nil ? walk * Self.keysWalkFactor : walk
            let end = try await boundary(of: query, after: cursor, rows: rows)
            let upTo: SQLQueryString? = end.map { "(\(sortKey), id) \(unsafeRaw: ascending ? "<=" : ">=") (\(bind: $0.value), \(bind: $0.id))" }
            let page: (items: [M], next: String?)
            if postgres, let table {
                // The walk's matches by their keys first, then the list's other conditions on
                // those records alone (the ordered page's way).
                var keys = SQLQueryString("""
                    SELECT id AS \(ident: SearchCondition.orderedID), \(sortKey) AS \(ident: SearchCondition.orderedSort) \
                    FROM \(table) WHERE \(scanned)
                    """)
                if let upTo { keys = "\(keys) AND \(upTo)" }
                page = try await self.page(query, table: table, ordered: keys, from: nil, cursor: cursor, limit: limit, reading: reading, value: value)
            } else {
                let walked = Self.copy(query).where(scanned)
                if let upTo { walked.where(upTo) }
                page = try await self.page(walked, reading: reading, cursor: cursor, limit: limit, value: value)
            }
            // Complete when the page is full, or when the walk reached the end of the list.
            if page.next != nil || end == nil { return page }
        }
        if let ordered, let table {
            let confirmed = search.confirm.map { Self.copy(query).where($0) } ?? query
            return try await page(confirmed, table: table, ordered: ordered, from: orderedFrom, cursor: cursor, limit: limit, reading: reading, value: value)
        }
        let matches = Self.copy(query).where(search.indexed)
        guard postgres else { return try await page(matches, reading: reading, cursor: cursor, limit: limit, value: value) }
        // PostgreSQL, told that 6 % of a million names match, reads the name index until 50
        // turn up — which, when every match sorts late (Chinese names after Latin ones), is
        // most of the index: 1.2 s for "秀". Planned apart (`OFFSET 0` keeps it so), the
        // matches come from their indexes and the page is the first 50 of them, sorted.
        matches.offset(0)
        let page = SQLSelectBuilder(on: query.database)
        page.select.columns = [SQLLiteral.all]
        page.select.tables = [SQLAlias(SQLGroupExpression(matches.select), as: SQLIdentifier("matches"))]
        return try await self.page(page, reading: reading, cursor: cursor, limit: limit, value: value)
    }

    /// One page of `query` (over `table`) whose rows are among `ordered` — matches with
    /// their sort keys (`SearchCondition.ordered`), which order as the list does. The
    /// matches are sorted by their keys alone, and the list's other conditions (who may
    /// read a record, the filters) are tested on records in that order until the page is
    /// full: only those records are read, however many match. SQLite keeps the order of
    /// a subquery it runs as a co-routine (which its `LIMIT` makes it), so the page needs
    /// no second sort. With `from` (`SearchCondition.orderedFrom`), only the matches from the
    /// cursor's place on are read, and first only as far as a few pages' worth.
    private func page<M>(_ query: SQLSelectBuilder, table: SQLIdentifier, ordered: any SQLExpression, from: SearchCondition.OrderedFrom?,
                         cursor: String?, limit: Int, reading: RowReading<M>, value: (M, any SQLRow) throws -> Value) async throws -> (items: [M], next: String?) {
        // First among the first few matches: sorting only those keeps a bounded heap rather
        // than sorting them all (20 ms instead of 60 for 26,000 matches). When the list's
        // other conditions leave too few of them for a full page, among all of them.
        let window = (limit + 1) * 4
        let after = cursor.flatMap { Self.parse($0)?.0 }
        let first = from.map { $0(after, ascending, window) } ?? ordered
        var rows = try await orderedPage(query, table: table, ordered: first, cursor: cursor, limit: limit, window: window).all()
        if rows.count <= limit {
            rows = try await orderedPage(query, table: table, ordered: from.map { $0(after, ascending, nil) } ?? ordered, cursor: cursor, limit: limit).all()
        }
        return try decoded(rows, reading: reading, limit: limit, value: value)
    }

    /// The statement of that page, with one row more than `limit` when there is a next
    /// page; its records come from the first `window` matches, or all of them.
    package func orderedPage(_ query: SQLSelectBuilder, table: SQLIdentifier, ordered: any SQLExpression, cursor: String?, limit: Int,
                             window: Int? = nil) throws -> SQLSelectBuilder {
        let (id, sort, m) = (SQLIdentifier(SearchCondition.orderedID), SQLIdentifier(SearchCondition.orderedSort), SQLIdentifier("m"))
        // Every match, with the subquery kept apart from the page's plan (SQLite has no `LIMIT ALL`).
        let everything = query.database.dialect.name == "postgresql" ? "OFFSET 0" : "LIMIT -1 OFFSET 0"
        let direction = ascending ? SQLDirection.ascending : SQLDirection.descending
        var after: SQLQueryString = ""
        if let cursor {
            guard let (value, last) = Self.parse(cursor), let bound = Self.bound(value, kind: kind) else {
                throw GuanxiError.invalid("cursor", "cursor is not one this list returned.").localized("msg.bad_cursor", [:])
            }
            after = " WHERE (\(sort), \(id)) \(unsafeRaw: ascending ? ">" : "<") (\(bind: bound), \(bind: last))"
        }
        let matches = SQLQueryString("""
            (SELECT \(id), \(sort) FROM (\(ordered)) AS \(ident: "matches")\(after) ORDER BY \(sort) \(direction), \(id) \(direction) \(unsafeRaw: window.map { "LIMIT \($0)" } ?? everything)) AS \(m) \
            CROSS JOIN \(table)
            """)
        let page = Self.copy(query)
        page.select.tables = [matches]
        return page.where(SQLColumn(SQLIdentifier("id"), table: table), .equal, SQLColumn(id, table: m))
            .orderBy(SQLOrderBy(expression: SQLColumn(sort, table: m), direction: direction))
            .orderBy(SQLOrderBy(expression: SQLColumn(id, table: m), direction: direction))
            .limit(limit + 1)
    }

    /// The sort value and id of the row `rows` places past the cursor in `query`'s order,
    /// or nil when the list ends before it. Read from the order's own index.
    package func boundary(of query: SQLSelectBuilder, after cursor: String?, rows: Int) async throws -> (value: any Encodable & Sendable, id: UUID)? {
        let probe = Self.copy(query)
        probe.select.columns = [SQLAlias(sortKey, as: SQLIdentifier("k")), SQLIdentifier("id")]
        guard let row = try await apply(to: probe, cursor: cursor).offset(rows - 1).limit(1).first() else { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        switch kind {
        case .text: return (try row.decode(column: "k", as: String.self), id)
        case .time: return (try row.decode(column: "k", as: Date.self), id)
        case .number: return (try row.decode(column: "k", as: Double.self), id)
        }
    }

    /// A builder of its own over the same statement, so conditions added to it stay out of `query`.
    package static func copy(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
        let copy = SQLSelectBuilder(on: query.database)
        copy.select = query.select
        return copy
    }
}

