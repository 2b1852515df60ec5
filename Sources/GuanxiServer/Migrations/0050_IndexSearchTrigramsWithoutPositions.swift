import FluentKit
import SQLKit
import GuanxiPlatform

/// SQLite's search index keeps which records hold each trigram, no longer where in their
/// text it stands (FTS5 `detail=none`): the index of a million contacts goes from 166 to
/// about 57 MB. A term of more than three characters is then looked up as all its
/// trigrams and confirmed on the record's search text (`SQLSearch.condition`), as the
/// positions confirmed it before. Each kind's index is made again from its records' text
/// (a few seconds a million records). PostgreSQL is unchanged.
struct M0050_IndexSearchTrigramsWithoutPositions: GuanxiMigration {
    let name = "0050_IndexSearchTrigramsWithoutPositions"

    func prepare(on db: any Database) async throws { try await rebuild(positions: false, on: db as! any SQLDatabase) }

    func revert(on db: any Database) async throws { try await rebuild(positions: true, on: db as! any SQLDatabase) }

    private func rebuild(positions: Bool, on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "sqlite" else { return }
        for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
            guard try await SQLiteSearchIndex.keepsPositions(table, on: sql) != positions else { continue }
            try await SQLiteSearchIndex.rebuild(table, positions: positions, on: sql)
        }
    }
}
