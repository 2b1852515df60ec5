import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Server-side sign-in sessions. The id is a SHA-256 of the cookie value, so a copy of
/// the table does not let anyone sign in.
struct M0006_CreateSessions: GuanxiMigration {
    let name = "0006_CreateSessions"
    func prepare(on db: any Database) async throws {
        try await db.schema("sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("awaiting_second_factor", .bool, .required)
            .field("address", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "sessions_user_idx").on("sessions").column("user_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("sessions").delete() }
}
