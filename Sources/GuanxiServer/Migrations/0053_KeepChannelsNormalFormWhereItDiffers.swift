import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// A contact's phone, e-mail or address keeps its normal form — what look-ups and
/// duplicate checks compare: an e-mail lower-cased, a phone's digits — only where it
/// differs from the value as typed (`normalized_apart`, written by
/// `ContactService.normalizedApart`). `normalized` is now computed from the two, so every
/// query reads it as before, and its index (`contact_channels_value_idx`) is unchanged.
/// Almost every e-mail is typed in its normal form: on a million imported contacts the
/// copies took about 25 MB. On SQLite the column is virtual (it takes no room); PostgreSQL
/// keeps a generated column stored, as it has no other kind before version 18.
struct M0053_KeepChannelsNormalFormWhereItDiffers: GuanxiMigration {
    let name = "0053_KeepChannelsNormalFormWhereItDiffers"
    static let index = "CREATE INDEX contact_channels_value_idx ON contact_channels (kind, normalized)"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "sqlite" else {
            let indexed = try await hasIndex(on: sql)
            try await sql.raw("ALTER TABLE contact_channels ADD COLUMN normalized_apart TEXT").run()
            try await sql.raw("UPDATE contact_channels SET normalized_apart = normalized WHERE normalized <> value").run()
            try await sql.raw("ALTER TABLE contact_channels DROP COLUMN normalized").run()
            try await sql.raw("ALTER TABLE contact_channels ADD COLUMN normalized TEXT GENERATED ALWAYS AS (coalesce(normalized_apart, value)) STORED").run()
            if indexed { try await sql.raw(SQLQueryString(Self.index)).run() }
            return
        }
        try await rebuild(on: sql, columns: "\"normalized_apart\" TEXT, \"normalized\" TEXT GENERATED ALWAYS AS (coalesce(\"normalized_apart\", \"value\")) VIRTUAL",
                          copy: "normalized_apart", from: "nullif(normalized, value)")
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard sql.dialect.name == "sqlite" else {
            let indexed = try await hasIndex(on: sql)
            try await sql.raw("ALTER TABLE contact_channels ADD COLUMN normalized_kept TEXT").run()
            try await sql.raw("UPDATE contact_channels SET normalized_kept = normalized").run()
            try await sql.raw("ALTER TABLE contact_channels DROP COLUMN normalized").run()
            try await sql.raw("ALTER TABLE contact_channels DROP COLUMN normalized_apart").run()
            try await sql.raw("ALTER TABLE contact_channels RENAME COLUMN normalized_kept TO normalized").run()
            try await sql.raw("ALTER TABLE contact_channels ALTER COLUMN normalized SET NOT NULL").run()
            if indexed { try await sql.raw(SQLQueryString(Self.index)).run() }
            return
        }
        try await rebuild(on: sql, columns: "\"normalized\" TEXT NOT NULL", copy: "normalized", from: "normalized")
    }

    /// Whether the index by value is in place (an import may have set it aside; its note
    /// keeps the definition, which reads `normalized` either way).
    private func hasIndex(on sql: any SQLDatabase) async throws -> Bool {
        sql.dialect.name == "sqlite"
            ? try await sql.raw("SELECT 1 AS x FROM sqlite_master WHERE name = 'contact_channels_value_idx'").first() != nil
            : try await sql.raw("SELECT 1 AS x FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'contact_channels_value_idx'").first() != nil
    }

    /// SQLite cannot turn a column into a computed one: the table is made again, stored by
    /// its key as migration 0045 left it, with `columns` after the value.
    private func rebuild(on sql: any SQLDatabase, columns: String, copy column: String, from expression: String) async throws {
        let indexed = try await hasIndex(on: sql)
        try await sql.raw("""
            CREATE TABLE "contact_channels_rebuilt" ("contact_id" UUID NOT NULL REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, \
            "position" INTEGER NOT NULL, "kind" TEXT NOT NULL, "label" TEXT, "value" TEXT NOT NULL, \(unsafeRaw: columns), \
            PRIMARY KEY ("contact_id", "kind", "position")) WITHOUT ROWID
            """).run()
        try await sql.raw("""
            INSERT INTO contact_channels_rebuilt (contact_id, position, kind, label, value, \(unsafeRaw: column)) \
            SELECT contact_id, position, kind, label, value, \(unsafeRaw: expression) FROM contact_channels ORDER BY contact_id, kind, position
            """).run()
        try await sql.raw("DROP TABLE contact_channels").run()
        try await sql.raw("ALTER TABLE contact_channels_rebuilt RENAME TO contact_channels").run()
        if indexed { try await sql.raw(SQLQueryString(Self.index)).run() }
    }
}
