import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Departments form a tree through `parent_id`.
struct M0002_CreateDepartments: GuanxiMigration {
    let name = "0002_CreateDepartments"
    func prepare(on db: any Database) async throws {
        try await db.schema("departments")
            .id()
            .field("name", .string, .required)
            .field("parent_id", .uuid, .references("departments", "id", onDelete: .restrict))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "parent_id", "name")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("departments").delete() }
}
