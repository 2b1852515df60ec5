import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// On PostgreSQL, searches in lists read index entries instead of records, as SQLite's do
/// since migration 0043 (SQLite is left as it is).
///
/// - The name-order index holds each record's search text, and a person's name: the first
///   look along the list's order for a common term ("ang", 秀) tests each entry in the
///   index and reads only the records its page shows (`Keyset.page(_:search:…)`). Testing
///   each record instead, "ang" cost 170 ms on a million contacts; from the index, 10.
/// - The indexes on a person's name, and on the name after a one- or two-character
///   surname, hold the name, its place in name order and the id: a short term's matches
///   are counted and put in order from the indexes alone (`SQLSearch`). "li" (67,000
///   matches) cost 330 ms of queries for a page; from the indexes, about 45.
///
/// The indexes take about 220 bytes more a contact on PostgreSQL.
struct M0046_CoverSearchesOnPostgreSQL: GuanxiMigration {
    let name = "0046_CoverSearchesOnPostgreSQL"

    func prepare(on db: any Database) async throws {
        try await define(Self.covering, on: db as! any SQLDatabase)
    }

    func revert(on db: any Database) async throws {
        try await define(Self.plain, on: db as! any SQLDatabase)
    }

    /// The indexes after this migration: table, index name without its table, definition.
    static let covering: [(String, String, String)] = [("customers", "name_sort_idx", "(name_sort, id) INCLUDE (search_text)")]
        + SQLSearch.personNames.sorted().flatMap { table in [
            (table, "name_sort_idx", "(name_sort, id) INCLUDE (name, search_text)"),
            (table, "name_idx", "(name, id) INCLUDE (name_sort)"),
            (table, "name_from2_idx", "(substr(name, 2)) INCLUDE (name, name_sort, id)"),
            (table, "name_from3_idx", "(substr(name, 3)) INCLUDE (name, name_sort, id)"),
        ] }
    /// And before it (migrations 0013, 0015, 0021 and 0034).
    static let plain: [(String, String, String)] = [("customers", "name_sort_idx", "(name_sort, id)")]
        + SQLSearch.personNames.sorted().flatMap { table in [
            (table, "name_sort_idx", "(name_sort, id)"), (table, "name_idx", "(name, id)"),
            (table, "name_from2_idx", "(substr(name, 2))"), (table, "name_from3_idx", "(substr(name, 3))"),
        ] }

    /// Each index made again — or, where an import has set one aside, its note rewritten
    /// (`SetAsideIndexes.redefine`).
    private func define(_ indexes: [(String, String, String)], on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        for (table, suffix, columns) in indexes {
            let name = "\(table)_\(suffix)"
            try await SetAsideIndexes.redefine(name, as: "CREATE INDEX \(name) ON \(table) \(columns)", on: sql)
        }
    }
}
