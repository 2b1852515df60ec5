import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Saved list views, personal or shared.
struct M0019_CreateSavedViews: GuanxiMigration {
    let name = "0019_CreateSavedViews"
    func prepare(on db: any Database) async throws {
        try await db.schema("saved_views")
            .id()
            .field("record_kind", .string, .required)
            .field("name", .string, .required)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("shared", .bool, .required)
            .field("query", .string, .required)
            .field("columns", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "saved_views_kind_idx").on("saved_views").column("record_kind").column("owner_id").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("saved_views").delete()
    }
}
