import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The append-only audit log. `seq` orders entries and serves as the keyset cursor.
struct M0008_CreateAuditLog: GuanxiMigration {
    let name = "0008_CreateAuditLog"
    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entries")
            .field("seq", .int64, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string, .required)
            .field("address", .string, .required)
            .field("action", .string, .required)
            .field("record_kind", .string, .required)
            .field("record_id", .string, .required)
            .field("record_label", .string, .required)
            .field("changes", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "audit_record_idx").on("audit_entries").column("record_kind").column("record_id").column("seq").run()
        try await sql.create(index: "audit_actor_idx").on("audit_entries").column("actor_id").column("seq").run()
        try await sql.create(index: "audit_at_idx").on("audit_entries").column("at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("audit_entries").delete() }
}
