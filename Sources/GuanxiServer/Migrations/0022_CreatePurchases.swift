import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Purchases (transactions) of customers: what the analytics reads until orders exist.
/// `reference` is the source system's transaction id, unique so that loading the same
/// export twice cannot count a purchase twice; `amount` below zero is a return.
struct M0022_CreatePurchases: GuanxiMigration {
    let name = "0022_CreatePurchases"
    func prepare(on db: any Database) async throws {
        try await db.schema("purchases")
            .id()
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("reference", .string)
            .field("purchased_on", .string, .required)
            .field("amount", .int64, .required)
            .field("margin", .int64)
            .field("currency", .string, .required)
            .field("items", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "reference")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "purchases_customer_idx").on("purchases").column("customer_id").column("purchased_on").run()
        try await sql.create(index: "purchases_day_idx").on("purchases").column("purchased_on").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("purchases").delete()
    }
}
