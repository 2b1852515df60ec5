import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// On SQLite, a record's changed search text reaches the search index only when the
/// record has a search key (`SQLiteSearchIndex.createUpdateTrigger`). Before, a record
/// without one — saved while a large import had the insert trigger set aside — would have
/// added an index row under a number of FTS5's choosing, which a later key could take.
struct M0030_IndexSearchUpdatesByKey: GuanxiMigration {
    let name = "0030_IndexSearchUpdatesByKey"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            try await sql.raw("DROP TRIGGER \(ident: "\(table)_search_update")").run()
            try await SQLiteSearchIndex.createUpdateTrigger(table, on: sql)
        }
    }

    /// The update triggers as migration 0014 wrote them.
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            let key = "(SELECT id FROM search_keys WHERE kind = '\(table)' AND record_id = %@.id)"
            try await sql.raw("DROP TRIGGER \(ident: "\(table)_search_update")").run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: table)_search_update AFTER UPDATE OF search_text ON \(unsafeRaw: table) BEGIN
                    DELETE FROM search_fts WHERE rowid = \(unsafeRaw: key.replacingOccurrences(of: "%@", with: "old"));
                    INSERT INTO search_fts (rowid, text) VALUES (\(unsafeRaw: key.replacingOccurrences(of: "%@", with: "new")), new.search_text);
                END
                """).run()
        }
    }
}
