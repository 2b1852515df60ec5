import FluentKit
import SQLKit
import GuanxiPlatform

/// A one- or two-character term on a person's name (秀, 王, "li") finds the names it starts
/// along the name-order index instead of an index of its own: a name that starts with the
/// term has a place in name order that starts with the term's (`Pinyin.sortKey`), and the
/// index holds the name beside it to test (`SQLSearch.condition`). So contacts and leads
/// drop their index on the name, which served that look-up alone: about 50 MB a million
/// contacts on SQLite.
struct M0054_FindShortNamesAlongNameOrder: GuanxiMigration {
    let name = "0054_FindShortNamesAlongNameOrder"

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in SQLSearch.personNames.sorted() {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: "\(table)_name_idx")").run()
            // One set aside by an import that stopped would otherwise come back when it is built again.
            try await sql.delete(from: "set_aside_indexes").where("name", .equal, "\(table)_name_idx").run()
        }
    }

    /// As migrations 0043 (SQLite) and 0046 (PostgreSQL) left it.
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let columns = sql.dialect.name == "postgresql" ? "(name, id) INCLUDE (name_sort)" : "(name, id, name_sort)"
        for table in SQLSearch.personNames.sorted() {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(ident: "\(table)_name_idx") ON \(ident: table) \(unsafeRaw: columns)").run()
        }
    }
}
