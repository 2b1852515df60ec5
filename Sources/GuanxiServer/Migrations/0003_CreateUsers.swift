import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

struct M0003_CreateUsers: GuanxiMigration {
    let name = "0003_CreateUsers"
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("email", .string)
            .field("password_hash", .string, .required)
            .field("must_change_password", .bool, .required)
            .field("is_active", .bool, .required)
            .field("is_admin", .bool, .required)
            .field("department_id", .uuid, .references("departments", "id", onDelete: .setNull))
            .field("manager_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("locale", .string, .required)
            .field("time_zone", .string, .required)
            .field("totp_secret", .string)
            .field("totp_enabled", .bool, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "username")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "users_department_idx").on("users").column("department_id").run()
        try await sql.create(index: "users_manager_idx").on("users").column("manager_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("users").delete() }
}
