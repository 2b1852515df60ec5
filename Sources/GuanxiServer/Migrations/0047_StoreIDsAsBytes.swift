import FluentKit
import SQLKit
import GuanxiPlatform

/// On SQLite, every id is kept as its 16 bytes instead of its 36 characters of text
/// (`UUIDBlob`): a contact's id is in its row, in its key, in the indexes that lead to it
/// and in every row that names it, and as text that was about 400 of the 1,870 bytes a
/// million imported contacts took each. The ids this build writes are bytes already; this
/// turns the ones an older build stored as text — in every column declared `UUID`, and the
/// search keys' `record_id` — into bytes too, so that both kinds never meet in a comparison.
/// Text that does not read as an id is left as it is. Reverting turns the bytes back into
/// the upper-case text older builds wrote. PostgreSQL has kept ids as its `uuid` all along.
///
/// Every key changes, so the run checks the references once at its end (`rewritesKeys`).
struct M0047_StoreIDsAsBytes: GuanxiMigration {
    let name = "0047_StoreIDsAsBytes"
    var rewritesKeys: Bool { true }

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for (table, column) in try await Self.idColumns(on: sql) {
            let bytes: SQLQueryString = "unhex(replace(\(ident: column), '-', ''))"
            try await sql.raw("""
                UPDATE \(ident: table) SET \(ident: column) = \(bytes) \
                WHERE typeof(\(ident: column)) = 'text' AND length(\(ident: column)) = 36 AND \(bytes) IS NOT NULL
                """).run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for (table, column) in try await Self.idColumns(on: sql) {
            let hex: SQLQueryString = "hex(\(ident: column))"
            try await sql.raw("""
                UPDATE \(ident: table) SET \(ident: column) = substr(\(hex), 1, 8) || '-' || substr(\(hex), 9, 4) || '-' \
                || substr(\(hex), 13, 4) || '-' || substr(\(hex), 17, 4) || '-' || substr(\(hex), 21) \
                WHERE typeof(\(ident: column)) = 'blob' AND length(\(ident: column)) = 16
                """).run()
        }
    }

    /// Every column that holds ids: those declared `UUID` (what Fluent declares for an id),
    /// and `search_keys.record_id`, declared `BLOB` by migration 0014.
    static func idColumns(on sql: any SQLDatabase) async throws -> [(table: String, column: String)] {
        guard sql.dialect.name == "sqlite" else { return [] }
        return try await sql.raw("""
            SELECT m.name AS t, c.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) c \
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
            AND (upper(c.type) = 'UUID' OR (m.name = 'search_keys' AND c.name = 'record_id')) ORDER BY m.name, c.cid
            """).all().map { (try $0.decode(column: "t", as: String.self), try $0.decode(column: "c", as: String.self)) }
    }
}
