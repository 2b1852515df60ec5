import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// On SQLite, search keys are numbered by their records' place in name order
/// (`SQLiteSearchIndex.KeyNumbering.byName`): the trigram index lists a term's matches by
/// key, so the first page of a common term in a list ordered by name reads the matches of
/// its first few buckets instead of every match ("ang", in every Wang and Zhang: 26,000 of
/// a million contacts, 12–28 ms to sort for each page). Every key of a kind with sort keys
/// is numbered again and its index made again; the triggers number new keys, and move a
/// key whose record's sort key changes. Kinds without sort keys keep theirs, and number
/// new ones in the first bucket.
///
/// Reverting puts back the triggers that number keys in the order they are made; the keys
/// keep their numbers, which search with either numbering reads correctly.
struct M0057_NumberSearchKeysByName: GuanxiMigration {
    let name = "0057_NumberSearchKeysByName"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "sqlite" else { return }
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            let column = try await SQLiteSearchIndex.sortColumn(of: table, on: sql)
            try await replaceTriggers(table, sortColumn: column, numbering: .byName, on: sql)
            guard column != nil else { continue }
            let positions = try await SQLiteSearchIndex.keepsPositions(table, on: sql)
            try await sql.raw("DROP TABLE \(ident: SQLiteSearchIndex.ftsTable(table))").run()
            try await SQLiteSearchIndex.createFTSTable(table, positions: positions, on: sql)
            try await sql.raw("DELETE FROM search_keys WHERE kind = \(bind: table)").run()
            try await SQLiteSearchIndex.indexMissing(table, on: db, inTransaction: true, step: .max)
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "sqlite" else { return }
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            try await replaceTriggers(table, sortColumn: try await SQLiteSearchIndex.sortColumn(of: table, on: sql), numbering: .inOrderMade, on: sql)
        }
    }

    /// The insert trigger (also when an import has set it aside) and the sort trigger, numbering keys as told.
    private func replaceTriggers(_ table: String, sortColumn: String?, numbering: SQLiteSearchIndex.KeyNumbering, on sql: any SQLDatabase) async throws {
        let statement = SQLiteSearchIndex.insertTriggerStatement(table, sortColumn: sortColumn, numbering: numbering)
        try await SetAsideIndexes.redefine(SQLiteSearchIndex.insertTrigger(table), as: sql.serialize(statement).sql, on: sql)
        guard let sortColumn else { return }
        try await sql.raw("DROP TRIGGER IF EXISTS \(ident: "\(table)_search_sort")").run()
        try await SQLiteSearchIndex.createSortTrigger(table, sortColumn: sortColumn, numbering: numbering, on: sql)
    }
}
