import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Customers, contacts and leads get `name_sort`, their name's place in pinyin order
/// (`Pinyin.sortKey`), so lists ordered by name put 阿里 before 北京 before Blue Harbor
/// before 中国; existing records are keyed here, a chunk at a time.
struct M0034_AddNameSortKeys: GuanxiMigration {
    let name = "0034_AddNameSortKeys"
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in ["customers", "contacts", "leads"] {
            try await db.schema(table).field("name_sort", .string, .required, .sql(.default(""))).update()
            var after: UUID?
            while true {
                var query = sql.select().columns(table == "customers" ? ["id", "name", "kind"] : ["id", "name"]).from(table).orderBy("id").limit(2_000)
                if let after { query = query.where("id", .greaterThan, after) }
                let rows = try await query.all()
                guard let last = rows.last else { break }
                for row in rows {
                    let person = try table != "customers" || row.decode(column: "kind", as: String.self) == "person"
                    try await sql.update(table).set("name_sort", to: Pinyin.sortKey(try row.decode(column: "name", as: String.self), person: person))
                        .where("id", .equal, try row.decode(column: "id", as: UUID.self)).run()
                }
                after = try last.decode(column: "id", as: UUID.self)
            }
            // The list ordered by name, everyone's and one owner's.
            try await sql.create(index: "\(table)_name_sort_idx").on(table).column("name_sort").column("id").run()
            try await sql.create(index: "\(table)_owner_name_sort_idx").on(table).column("owner_id").column("name_sort").run()
        }
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in ["customers", "contacts", "leads"] {
            try await sql.drop(index: "\(table)_name_sort_idx").run()
            try await sql.drop(index: "\(table)_owner_name_sort_idx").run()
            try await db.schema(table).deleteField("name_sort").update()
        }
    }
}
