import FluentKit
import SQLKit
import GuanxiPlatform

/// Customers, contacts and leads kept two indexes starting with their owner: by owner and
/// name (from their first migrations) and by owner and place in name order (0034). Lists
/// order by the latter since 0034, and any look-up by owner (a hand-over, a deleted user)
/// is served by it as well: the first only took room — 21 MB a million contacts — and
/// time in every write. Kinds declared as data keep theirs: they have no place in name
/// order.
struct M0051_DropOwnerNameIndexes: GuanxiMigration {
    let name = "0051_DropOwnerNameIndexes"
    static let tables = ["customers", "contacts", "leads"]

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in Self.tables {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: "\(table)_owner_idx")").run()
            // One set aside by an import that stopped would otherwise come back when it is built again.
            try await sql.delete(from: "set_aside_indexes").where("name", .equal, "\(table)_owner_idx").run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in Self.tables {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(ident: "\(table)_owner_idx") ON \(ident: table) (owner_id, name)").run()
        }
    }
}
