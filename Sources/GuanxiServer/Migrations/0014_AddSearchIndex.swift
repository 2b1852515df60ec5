import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Substring search that stays fast at millions of rows. Customers and contacts carry a
/// lower-cased `search_text` (names, e-mails, WeChat IDs, phone digits). PostgreSQL
/// indexes it with pg_trgm; SQLite with an FTS5 trigram table that triggers keep in step,
/// keyed through `search_keys` (an INTEGER PRIMARY KEY, so VACUUM never renumbers it).
struct M0014_AddSearchIndex: GuanxiMigration {
    let name = "0014_AddSearchIndex"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let postgres = sql.dialect.name == "postgresql"
        for table in ["customers", "contacts"] {
            try await sql.raw("ALTER TABLE \(unsafeRaw: table) ADD COLUMN search_text TEXT NOT NULL DEFAULT ''").run()
        }
        let emails = postgres
            ? "(SELECT string_agg(normalized, ' ') FROM contact_channels WHERE contact_id = contacts.id)"
            : "(SELECT group_concat(normalized, ' ') FROM contact_channels WHERE contact_id = contacts.id)"
        try await sql.raw("""
            UPDATE customers SET search_text = lower(name || ' ' || coalesce(email, '') || ' ' || coalesce(website, '') || ' ' || coalesce(phone_digits, ''))
            """).run()
        try await sql.raw("UPDATE contacts SET search_text = lower(name || ' ' || coalesce(wechat, '') || ' ' || coalesce(\(unsafeRaw: emails), ''))").run()
        if postgres {
            try await sql.raw("CREATE INDEX customers_search_trgm_idx ON customers USING gin (search_text gin_trgm_ops)").run()
            try await sql.raw("CREATE INDEX contacts_search_trgm_idx ON contacts USING gin (search_text gin_trgm_ops)").run()
            return
        }
        try await sql.raw("CREATE TABLE search_keys (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id BLOB NOT NULL, UNIQUE (kind, record_id))").run()
        try await sql.raw("CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', contentless_delete=1, tokenize='trigram')").run()
        for table in ["customers", "contacts"] { try await SQLiteSearchIndex.index(table, on: sql) }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP INDEX customers_search_trgm_idx").run()
            try await sql.raw("DROP INDEX contacts_search_trgm_idx").run()
        } else {
            for table in ["customers", "contacts"] {
                for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER \(unsafeRaw: table)_search_\(unsafeRaw: event)").run() }
            }
            try await sql.raw("DROP TABLE search_fts").run()
            try await sql.raw("DROP TABLE search_keys").run()
        }
        for table in ["customers", "contacts"] {
            try await sql.raw("ALTER TABLE \(unsafeRaw: table) DROP COLUMN search_text").run()
        }
    }
}
