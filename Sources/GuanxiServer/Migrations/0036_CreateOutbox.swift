import FluentKit
import SQLKit
import GuanxiPlatform

/// The mail outbox (`Outbox`): every message, written out, before it is sent; and the
/// addresses that never get marketing again (unsubscribed, complained). Customers'
/// Each marketing message carries an unsubscribe link whose token is kept only as a hash.
/// e-mail addresses get an index on their lower-case form, which the consent check of
/// every marketing message looks them up by.
struct M0036_CreateOutbox: GuanxiMigration {
    let name = "0036_CreateOutbox"
    func prepare(on db: any Database) async throws {
        try await db.schema("outbox_messages")
            .id()
            .field("purpose", .string, .required)
            .field("sender", .string, .required)
            .field("recipient", .string, .required)
            .field("recipient_name", .string)
            .field("domain", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("message_id", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("locked_by", .string)
            .field("locked_at", .datetime)
            .field("last_reply", .string)
            .field("about_kind", .string)
            .field("about_id", .uuid)
            .field("batch_id", .uuid)
            .field("unsubscribe_hash", .string)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        try await db.schema("mail_suppressions")
            .field("address", .string, .identifier(auto: false))
            .field("reason", .string, .required)
            .field("source", .string)
            .field("at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        for (name, columns) in [("outbox_due_idx", ["status", "next_attempt_at"]), ("outbox_domain_idx", ["domain", "sent_at"]),
                                ("outbox_created_idx", ["created_at", "id"]), ("outbox_about_idx", ["about_kind", "about_id"]),
                                ("outbox_batch_idx", ["batch_id"]), ("outbox_recipient_idx", ["recipient", "created_at"]),
                                ("outbox_message_id_idx", ["message_id"]), ("outbox_unsubscribe_idx", ["unsubscribe_hash"])] {
            var index = sql.create(index: SQLIdentifier(name)).on(SQLIdentifier("outbox_messages"))
            for column in columns { index = index.column(column) }
            try await index.run()
        }
        try await sql.raw("CREATE INDEX customers_email_lower_idx ON customers (LOWER(email))").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX customers_email_lower_idx").run()
        try await db.schema("mail_suppressions").delete()
        try await db.schema("outbox_messages").delete()
    }
}
