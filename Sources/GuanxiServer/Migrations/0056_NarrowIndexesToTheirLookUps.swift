import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// Two indexes held more than any look-up through them asks for.
///
/// - A customer's contacts are looked up by the customer alone (its page, its organisation
///   chart, a deleted customer's contacts), then put in name order (`name_sort`), which the
///   index on customer and name could not give anyway: it is now on the customer alone.
///   About 17 MB less a million contacts.
/// - On SQLite, a record's search key (`search_keys`) is found by its id; ids are unique
///   across kinds, so the key's unique index no longer starts with the kind's name
///   ("contacts", on every entry): about 15 MB less a million contacts. Look-ups by kind and
///   id read the same index.
struct M0056_NarrowIndexesToTheirLookUps: GuanxiMigration {
    let name = "0056_NarrowIndexesToTheirLookUps"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await SetAsideIndexes.redefine("contacts_customer_idx", as: "CREATE INDEX contacts_customer_idx ON contacts (customer_id)", on: sql)
        try await rebuildSearchKeys(unique: "UNIQUE (record_id)", on: sql)
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await SetAsideIndexes.redefine("contacts_customer_idx", as: "CREATE INDEX contacts_customer_idx ON contacts (customer_id, name)", on: sql)
        try await rebuildSearchKeys(unique: "UNIQUE (kind, record_id)", on: sql)
    }

    /// Makes SQLite's `search_keys` again with another unique key, every key keeping its
    /// number (the search index's rows are numbered by it). The rows wait in a table of
    /// their own meanwhile: renaming a new table into place would make SQLite check the
    /// searchable tables' triggers, which name `search_keys`, while it is gone.
    private func rebuildSearchKeys(unique: String, on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("CREATE TEMP TABLE search_keys_kept AS SELECT id, kind, record_id, sort FROM search_keys").run()
        try await sql.raw("DROP TABLE search_keys").run()
        try await sql.raw("CREATE TABLE search_keys (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id BLOB NOT NULL, sort TEXT, \(unsafeRaw: unique))").run()
        try await sql.raw("INSERT INTO search_keys (id, kind, record_id, sort) SELECT id, kind, record_id, sort FROM search_keys_kept ORDER BY id").run()
        try await sql.raw("DROP TABLE search_keys_kept").run()
    }
}
