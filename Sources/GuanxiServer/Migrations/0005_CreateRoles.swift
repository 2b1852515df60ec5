import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Roles grant actions and a data scope per kind of record; users hold any number of roles.
struct M0005_CreateRoles: GuanxiMigration {
    let name = "0005_CreateRoles"
    func prepare(on db: any Database) async throws {
        try await db.schema("roles")
            .id()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("grants", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await db.schema("user_roles")
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role_id", .uuid, .required, .references("roles", "id", onDelete: .cascade))
            .compositeIdentifier(over: "user_id", "role_id")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("user_roles").delete()
        try await db.schema("roles").delete()
    }
}
