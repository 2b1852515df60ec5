import FluentKit
import SQLKit
import GuanxiPlatform

/// On SQLite, two tables whose rows are always found by their key are stored in key order
/// (`WITHOUT ROWID`): an import's ledger (job, record) and a contact's phones, e-mails and
/// addresses (contact, kind, position). A table with a rowid keeps each row twice, once in
/// rowid order and once in its key's index; on a million imported contacts the two indexes
/// took 240 MB. A contact's ways to reach them are now read in one look-up, not two. The
/// channels' index by value (`contact_channels_value_idx`) points at the key instead of a
/// rowid and grows by about 30 bytes a channel. PostgreSQL stores every table apart from
/// its indexes, and keeps them as they are.
struct M0045_StoreLedgerAndChannelsByKey: GuanxiMigration {
    let name = "0045_StoreLedgerAndChannelsByKey"
    static let tables = ["import_job_records", "contact_channels"]

    func prepare(on db: any Database) async throws {
        for table in Self.tables { try await Self.rebuild(table, withoutRowID: true, on: db as! any SQLDatabase) }
    }

    func revert(on db: any Database) async throws {
        for table in Self.tables { try await Self.rebuild(table, withoutRowID: false, on: db as! any SQLDatabase) }
    }

    /// Makes `table` again from its own definition, with or without a rowid, its rows
    /// copied across in key order and its indexes made again. An index an import has set
    /// aside is not there to copy; its note keeps it, and the import's end builds it.
    static func rebuild(_ table: String, withoutRowID: Bool, on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "sqlite" else { return }
        let definition = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = \(bind: table)").first()?
            .decode(column: "sql", as: String.self)
        guard var create = definition else { return }
        let suffix = " WITHOUT ROWID"
        guard create.hasSuffix(suffix) != withoutRowID else { return }
        create = withoutRowID ? create + suffix : String(create.dropLast(suffix.count))
        let quoted = "\"\(table)\""
        let rebuilt = "\(table)_rebuilt"
        guard let range = create.range(of: quoted) ?? create.range(of: table) else { return }
        create.replaceSubrange(range, with: "\"\(rebuilt)\"")
        let indexes = try await sql.raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = \(bind: table) AND sql IS NOT NULL").all()
            .map { try $0.decode(column: "sql", as: String.self) }
        try await sql.raw(SQLQueryString(create)).run()
        try await sql.raw(SQLQueryString("INSERT INTO \"\(rebuilt)\" SELECT * FROM \(quoted)")).run()
        try await sql.raw(SQLQueryString("DROP TABLE \(quoted)")).run()
        try await sql.raw(SQLQueryString("ALTER TABLE \"\(rebuilt)\" RENAME TO \(quoted)")).run()
        for index in indexes { try await sql.raw(SQLQueryString(index)).run() }
    }
}
