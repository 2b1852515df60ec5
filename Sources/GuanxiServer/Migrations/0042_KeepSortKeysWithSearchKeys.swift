import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// On SQLite, each search key also holds its record's place in name order
/// (`search_keys.sort`, a copy of `name_sort`), so the first page of a common term in a
/// list ordered by name is read from the index and the keys, not from every matching
/// record (`SearchCondition.ordered`). Triggers keep the copy in step; an import's
/// catch-up copies it with the keys it adds. Tables without `name_sort` (deals, declared
/// kinds) leave it empty.
struct M0042_KeepSortKeysWithSearchKeys: GuanxiMigration {
    let name = "0042_KeepSortKeysWithSearchKeys"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("ALTER TABLE search_keys ADD COLUMN sort TEXT").run()
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            guard let column = try await SQLiteSearchIndex.sortColumn(of: table, on: sql) else { continue }
            try await sql.raw("""
                UPDATE search_keys SET sort = t.\(ident: column) FROM \(ident: table) t
                WHERE search_keys.kind = \(bind: table) AND t.id = search_keys.record_id
                """).run()
            try await replaceInsertTrigger(table, sortColumn: column, on: sql)
            try await SQLiteSearchIndex.createSortTrigger(table, sortColumn: column, numbering: .inOrderMade, on: sql)
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        let tables = try await SQLiteSearchIndex.indexedTables(on: sql)
        for table in tables {
            try await sql.raw("DROP TRIGGER IF EXISTS \(ident: "\(table)_search_sort")").run()
            try await replaceInsertTrigger(table, sortColumn: nil, on: sql)
        }
        try await sql.raw("ALTER TABLE search_keys DROP COLUMN sort").run()
    }

    /// The insert trigger in the form that does (or does not) copy the sort key, also when
    /// an import has set it aside.
    private func replaceInsertTrigger(_ table: String, sortColumn: String?, on sql: any SQLDatabase) async throws {
        let statement = SQLiteSearchIndex.insertTriggerStatement(table, sortColumn: sortColumn, numbering: .inOrderMade)
        try await SetAsideIndexes.redefine(SQLiteSearchIndex.insertTrigger(table), as: sql.serialize(statement).sql, on: sql)
    }
}
