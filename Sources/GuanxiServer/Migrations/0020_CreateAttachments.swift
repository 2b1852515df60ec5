import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Files attached to customers, contacts, leads and opportunities. The content lives in
/// the database, so a backup (VACUUM INTO, pg_dump) holds the files with their records.
struct M0020_CreateAttachments: GuanxiMigration {
    let name = "0020_CreateAttachments"
    func prepare(on db: any Database) async throws {
        try await db.schema("attachments")
            .id()
            .field("record_kind", .string, .required)
            .field("record_id", .uuid, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("sha256", .string, .required)
            .field("content", .data, .required)
            .field("uploaded_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "attachments_record_idx").on("attachments").column("record_id").column("created_at").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("attachments").delete()
    }
}
