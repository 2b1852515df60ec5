import FluentKit
import SQLKit
import GuanxiPlatform

/// Received mail (`Inbox`), kept as it arrived with what filing did with it.
struct M0038_CreateInbox: GuanxiMigration {
    let name = "0038_CreateInbox"
    func prepare(on db: any Database) async throws {
        try await db.schema("inbound_messages")
            .id()
            .field("message_id", .string)
            .field("sender", .string, .required)
            .field("subject", .string, .required)
            .field("status", .string, .required)
            .field("note", .string)
            .field("filed_on", .string, .required)
            .field("via", .string, .required)
            .field("size", .int, .required)
            .field("received_at", .datetime, .required)
            .field("raw", .data, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "inbound_message_id_idx").on("inbound_messages").column("message_id").run()
        try await sql.create(index: "inbound_received_idx").on("inbound_messages").column("received_at").column("id").run()
        try await sql.create(index: "inbound_status_idx").on("inbound_messages").column("status").column("received_at").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("inbound_messages").delete()
    }
}
