import FluentKit
import SQLKit
import GuanxiPlatform

/// Text messages (SMS) share the outbox with e-mail: each message says its `channel`, and
/// the sender takes each channel's due messages by the due index. Replies that come back
/// through the gateway's hook are kept in `sms_replies`, filed or not, so none is lost.
struct M0041_AddTextMessages: GuanxiMigration {
    let name = "0041_AddTextMessages"
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("ALTER TABLE outbox_messages ADD COLUMN channel VARCHAR(10) NOT NULL DEFAULT 'email'").run()
        // The sender takes each channel's due messages: the due index gains the channel.
        try await sql.raw("DROP INDEX outbox_due_idx").run()
        try await sql.raw("CREATE INDEX outbox_due_idx ON outbox_messages (status, channel, next_attempt_at)").run()
        // The rate per domain counts sent messages only: a message is indexed there when it
        // is sent, not when a mail merge queues it by the hundred thousand.
        try await sql.raw("DROP INDEX outbox_domain_idx").run()
        try await sql.raw("CREATE INDEX outbox_domain_idx ON outbox_messages (domain, sent_at) WHERE sent_at IS NOT NULL").run()
        try await db.schema("sms_replies")
            .id()
            .field("number", .string, .required)
            .field("text", .string, .required)
            .field("received_at", .datetime, .required)
            .field("outcome", .string, .required)
            .field("filed_on", .string)
            .create()
        try await sql.create(index: "sms_replies_received_idx").on("sms_replies").column("received_at").column("id").run()
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await db.schema("sms_replies").delete()
        for name in ["outbox_due_idx", "outbox_domain_idx"] { try await sql.raw("DROP INDEX \(unsafeRaw: name)").run() }
        try await sql.raw("CREATE INDEX outbox_due_idx ON outbox_messages (status, next_attempt_at)").run()
        try await sql.raw("CREATE INDEX outbox_domain_idx ON outbox_messages (domain, sent_at)").run()
        try await sql.raw("ALTER TABLE outbox_messages DROP COLUMN channel").run()
    }
}
