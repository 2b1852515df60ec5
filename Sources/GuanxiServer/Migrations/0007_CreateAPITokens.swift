import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Personal API tokens, stored as SHA-256 hashes; `prefix` lets a user recognise one.
struct M0007_CreateAPITokens: GuanxiMigration {
    let name = "0007_CreateAPITokens"
    func prepare(on db: any Database) async throws {
        try await db.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await (db as! any SQLDatabase).create(index: "api_tokens_user_idx").on("api_tokens").column("user_id").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("api_tokens").delete() }
}
