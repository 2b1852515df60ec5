import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// On SQLite, a one- or two-character search on people's names (秀, 王, "li") reads its
/// matches from the name indexes alone. The indexes on the name and on the name after a
/// surname (migration 0021) also hold each person's place in name order (`name_sort`, `id`),
/// so a page sorts the matches' index entries and reads only the records it shows: SQLite
/// fetches a row only once its sort key enters the page. The name-order index also holds
/// the name, so the first look along the list's order (`Keyset.page(_:search:…)`) tests
/// each name without reading its record. On a million contacts, 秀 (20,000 matches) went
/// from 33 to 4 ms, "li" (67,000) from 137 to 13 ms; the indexes take about 110 bytes more
/// a person. PostgreSQL combines several indexes through a bitmap of rows, which it reads
/// from the table whatever the index holds, so it keeps the indexes it has.
struct M0043_CoverShortNameSearches: GuanxiMigration {
    let name = "0043_CoverShortNameSearches"

    func prepare(on db: any Database) async throws {
        try await define(Self.covering, on: db as! any SQLDatabase)
    }

    func revert(on db: any Database) async throws {
        try await define(Self.plain, on: db as! any SQLDatabase)
    }

    /// The indexes' columns after this migration, by index name without its table.
    static let covering = [("name_idx", "name, id, name_sort"), ("name_from2_idx", "substr(name, 2), name_sort, id"),
                           ("name_from3_idx", "substr(name, 3), name_sort, id"), ("name_sort_idx", "name_sort, id, name")]
    /// And before it (migrations 0013, 0015, 0021 and 0034).
    static let plain = [("name_idx", "name, id"), ("name_from2_idx", "substr(name, 2)"),
                        ("name_from3_idx", "substr(name, 3)"), ("name_sort_idx", "name_sort, id")]

    /// Each table's indexes made again with those columns — or, where an import has set one
    /// aside, its note rewritten (`SetAsideIndexes.redefine`).
    private func define(_ indexes: [(String, String)], on sql: any SQLDatabase) async throws {
        guard sql.dialect.name != "postgresql" else { return }
        for table in SQLSearch.personNames.sorted() {
            for (suffix, columns) in indexes {
                let name = "\(table)_\(suffix)"
                try await SetAsideIndexes.redefine(name, as: "CREATE INDEX \(name) ON \(table) (\(columns))", on: sql)
            }
        }
    }
}
