import FluentKit
import SQLKit
import GuanxiPlatform

/// Notifications (`Notifications`): what each user is told, in the app and by e-mail,
/// and each user's choice per kind of event.
struct M0039_CreateNotifications: GuanxiMigration {
    let name = "0039_CreateNotifications"
    func prepare(on db: any Database) async throws {
        try await db.schema("notifications")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("event", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("in_app", .bool, .required)
            .field("email_state", .string, .required)
            .field("attachment_name", .string)
            .field("attachment", .string)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "notifications_user_idx").on("notifications").column("user_id").column("created_at").column("id").run()
        try await sql.create(index: "notifications_unread_idx").on("notifications").column("user_id").column("read_at").run()
        try await sql.create(index: "notifications_email_idx").on("notifications").column("email_state").column("created_at").run()
        try await db.schema("notification_preferences")
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("event", .string, .required)
            .field("channel", .string, .required)
            .compositeIdentifier(over: "user_id", "event")
            .create()
        // The reminder a notification was sent for, so each reminder is told once.
        try await db.schema("activities").field("reminder_told_for", .datetime).update()
        try await sql.create(index: "activities_remind_due_idx").on("activities").column("remind_at").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "activities_remind_due_idx").run()
        try await db.schema("activities").deleteField("reminder_told_for").update()
        try await db.schema("notification_preferences").delete()
        try await db.schema("notifications").delete()
    }
}
