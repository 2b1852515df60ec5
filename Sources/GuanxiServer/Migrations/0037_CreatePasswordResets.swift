import FluentKit
import SQLKit
import GuanxiPlatform

/// Password-reset links sent by e-mail (`PasswordResets`): only the token's hash is kept,
/// with its expiry and the moment it was used, so each link works once and not for long.
struct M0037_CreatePasswordResets: GuanxiMigration {
    let name = "0037_CreatePasswordResets"
    func prepare(on db: any Database) async throws {
        try await db.schema("password_resets")
            .field("token_hash", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()
        try await (db as! any SQLDatabase).create(index: "password_resets_user_idx").on("password_resets").column("user_id").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("password_resets").delete()
    }
}
