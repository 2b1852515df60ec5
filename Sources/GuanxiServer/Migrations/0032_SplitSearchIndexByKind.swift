import FluentKit
import SQLKit
import GuanxiPlatform

/// On SQLite, one search index table per searchable kind (`SQLiteSearchIndex.ftsTable`)
/// instead of the one `search_fts` they shared: a search among leads no longer reads
/// every contact that matches first. The search keys stay as they are; each kind's index
/// is rebuilt from its records' search text (about half a minute for a million contacts,
/// once, when the new version first starts).
struct M0032_SplitSearchIndexByKind: GuanxiMigration {
    let name = "0032_SplitSearchIndexByKind"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            // An import may have set the insert trigger aside; it comes back with the new
            // form when the import's catch-up ends (`SetAsideIndexes`).
            let hadInsertTrigger = try await SQLiteSearchIndex.exists(SQLiteSearchIndex.insertTrigger(table), on: sql)
            for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS \(ident: "\(table)_search_\(event)")").run() }
            // A database upgraded from before a kind's search migration (0014, 0015, 0016) got
            // the kind's own table then, already filled: built again here from the keys, once.
            try await SQLiteSearchIndex.rebuild(table, positions: false, on: sql)
            if hadInsertTrigger { try await SQLiteSearchIndex.createInsertTrigger(table, on: sql) }
            try await SQLiteSearchIndex.createUpdateTrigger(table, on: sql)
            try await SQLiteSearchIndex.createDeleteTrigger(table, on: sql)
        }
        try await sql.raw("DROP TABLE search_fts").run()
    }

    /// The shared table and its triggers as migrations 0014 and 0030 left them.
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', contentless_delete=1, tokenize='trigram')").run()
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            let hadInsertTrigger = try await SQLiteSearchIndex.exists(SQLiteSearchIndex.insertTrigger(table), on: sql)
            for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS \(ident: "\(table)_search_\(event)")").run() }
            try await sql.raw("DROP TABLE \(ident: SQLiteSearchIndex.ftsTable(table))").run()
            try await sql.raw("""
                INSERT INTO search_fts (rowid, text) SELECT k.id, t.search_text FROM search_keys k JOIN \(ident: table) t ON t.id = k.record_id
                WHERE k.kind = \(literal: table)
                """).run()
            let key = "(SELECT id FROM search_keys WHERE kind = '\(table)' AND record_id = %@.id)"
            let (old, new) = (key.replacingOccurrences(of: "%@", with: "old"), key.replacingOccurrences(of: "%@", with: "new"))
            if hadInsertTrigger {
                try await sql.raw("""
                    CREATE TRIGGER \(ident: "\(table)_search_insert") AFTER INSERT ON \(ident: table) BEGIN
                        INSERT INTO search_keys (kind, record_id) VALUES (\(literal: table), new.id);
                        INSERT INTO search_fts (rowid, text) VALUES (\(unsafeRaw: new), new.search_text);
                    END
                    """).run()
            }
            try await sql.raw("""
                CREATE TRIGGER \(ident: "\(table)_search_update") AFTER UPDATE OF search_text ON \(ident: table) BEGIN
                    DELETE FROM search_fts WHERE rowid = \(unsafeRaw: old);
                    INSERT INTO search_fts (rowid, text) SELECT id, new.search_text FROM search_keys WHERE kind = \(literal: table) AND record_id = new.id;
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(ident: "\(table)_search_delete") AFTER DELETE ON \(ident: table) BEGIN
                    DELETE FROM search_fts WHERE rowid = \(unsafeRaw: old);
                    DELETE FROM search_keys WHERE kind = \(literal: table) AND record_id = old.id;
                END
                """).run()
        }
    }
}
