import FluentKit
import SQLKit
import GuanxiPlatform

/// Each seller's sales target per quarter (`SalesTargets`), which the home page's team
/// pipeline measures the quarter's won and weighted deals against.
struct M0035_CreateSalesTargets: GuanxiMigration {
    let name = "0035_CreateSalesTargets"
    func prepare(on db: any Database) async throws {
        try await db.schema("sales_targets")
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("quarter", .string, .required)
            .field("amount", .int64, .required)
            .field("updated_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "owner_id", "quarter")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("sales_targets").delete()
    }
}
