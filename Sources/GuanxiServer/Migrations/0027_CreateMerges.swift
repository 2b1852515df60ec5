import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Duplicates and merges. Customers get `name_key`, their name without its legal form, so
/// that 北京星辰科技有限公司 and 北京星辰科技 meet in one index lookup; existing customers
/// are keyed here. A merge keeps what it needs to be undone: the records it removed, the
/// survivor's fields before, and which related rows it moved. Pairs marked "not
/// duplicates" stay out of the review queue.
struct M0027_CreateMerges: GuanxiMigration {
    let name = "0027_CreateMerges"
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await db.schema("customers").field("name_key", .string).update()
        var after: UUID?
        while true {
            var query = sql.select().columns("id", "name").from("customers").orderBy("id").limit(2_000)
            if let after { query = query.where("id", .greaterThan, after) }
            let rows = try await query.all()
            guard let last = rows.last else { break }
            for row in rows {
                try await sql.update("customers").set("name_key", to: CompanyName.core(try row.decode(column: "name", as: String.self)))
                    .where("id", .equal, try row.decode(column: "id", as: UUID.self)).run()
            }
            after = try last.decode(column: "id", as: UUID.self)
        }
        try await sql.create(index: "customers_name_key_idx").on("customers").column("name_key").run()
        try await db.schema("merges")
            .id()
            .field("kind", .string, .required)
            .field("survivor_id", .uuid, .required)
            .field("merged_ids", .string, .required)
            .field("snapshot", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("undone_at", .datetime)
            .create()
        try await sql.create(index: "merges_survivor_idx").on("merges").column("survivor_id").run()
        try await db.schema("duplicate_dismissals")
            .field("kind", .string, .required)
            .field("pair", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .compositeIdentifier(over: "kind", "pair")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("duplicate_dismissals").delete()
        try await db.schema("merges").delete()
        let sql = db as! any SQLDatabase
        try await sql.drop(index: "customers_name_key_idx").run()
        try await db.schema("customers").deleteField("name_key").update()
    }
}
