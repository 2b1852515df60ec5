import FluentKit
import SQLKit
import GuanxiPlatform

/// Message templates (`MessageTemplates`) for e-mail, SMS and letters, and the mail
/// merges made from them (`MailMerge`): each merge's recipients are its outbox messages
/// (`outbox_messages.batch_id`), so the merge keeps only what it was and how far it got.
struct M0040_CreateMessageTemplates: GuanxiMigration {
    let name = "0040_CreateMessageTemplates"
    func prepare(on db: any Database) async throws {
        try await db.schema("message_templates")
            .id()
            .field("name", .string, .required)
            .field("channel", .string, .required)
            .field("purpose", .string, .required)
            .field("language", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("version", .int, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "message_templates_name_idx").on("message_templates").column("channel").column("name").run()
        try await db.schema("mail_merges")
            .id()
            .field("template_id", .uuid, .references("message_templates", "id", onDelete: .setNull))
            .field("template_name", .string, .required)
            .field("record_kind", .string, .required)
            .field("source", .string, .required)
            .field("source_label", .string, .required)
            .field("status", .string, .required)
            .field("total", .int, .required)
            .field("queued", .int, .required)
            .field("skipped", .int, .required)
            .field("error", .string)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await sql.create(index: "mail_merges_created_idx").on("mail_merges").column("created_at").column("id").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("mail_merges").delete()
        try await db.schema("message_templates").delete()
    }
}
