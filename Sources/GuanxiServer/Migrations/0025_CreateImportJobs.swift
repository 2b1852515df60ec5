import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Imports as jobs that can be followed, cancelled, resumed and reverted. The job keeps
/// its file (in 1 MB `import_job_chunks`, so a large file never travels as one value), so
/// any server process can resume it; `next_line` is the first
/// line not yet done — rows before it are in, with their `import_job_records` written in
/// the same transaction. A record row remembers whether the import created the record or
/// updated it, and for an update the fields as they were, so a revert can restore them;
/// rejected rows are kept with their line, column and reason for the rejects download.
/// Mapping templates keep a column mapping under a name for the next file of that kind.
struct M0025_CreateImportJobs: GuanxiMigration {
    let name = "0025_CreateImportJobs"
    func prepare(on db: any Database) async throws {
        try await db.schema("import_jobs")
            .id()
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("settings", .string, .required)
            .field("status", .string, .required)
            .field("total_rows", .int, .required)
            .field("next_line", .int, .required)
            .field("created_count", .int, .required)
            .field("updated_count", .int, .required)
            .field("skipped_count", .int, .required)
            .field("rejected_count", .int, .required)
            .field("cancel_requested", .bool, .required)
            .field("error", .string)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.schema("import_job_chunks")
            .field("job_id", .uuid, .required, .references("import_jobs", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("data", .data, .required)
            .compositeIdentifier(over: "job_id", "position")
            .create()
        try await db.schema("import_job_records")
            .field("job_id", .uuid, .required, .references("import_jobs", "id", onDelete: .cascade))
            .field("record_kind", .string, .required)
            .field("record_id", .uuid, .required)
            .field("line", .int, .required)
            .field("action", .string, .required)
            .field("before", .string)
            .compositeIdentifier(over: "job_id", "record_id")
            .create()
        try await db.schema("import_job_rejects")
            .field("job_id", .uuid, .required, .references("import_jobs", "id", onDelete: .cascade))
            .field("line", .int, .required)
            .field("column_name", .string, .required)
            .field("reason", .string, .required)
            .field("fields", .string, .required)
            .compositeIdentifier(over: "job_id", "line")
            .create()
        try await db.schema("import_templates")
            .id()
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("mapping", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "kind", "name")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "import_jobs_created_idx").on("import_jobs").column("created_at").run()
        // Imports update customers and leads found by e-mail address, compared without case.
        try await sql.raw("CREATE INDEX customers_email_idx ON customers (lower(email))").run()
        try await sql.raw("CREATE INDEX leads_email_lower_idx ON leads (lower(email))").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX customers_email_idx").run()
        try await (db as! any SQLDatabase).raw("DROP INDEX leads_email_lower_idx").run()
        try await db.schema("import_templates").delete()
        try await db.schema("import_job_rejects").delete()
        try await db.schema("import_job_chunks").delete()
        try await db.schema("import_job_records").delete()
        try await db.schema("import_jobs").delete()
    }
}
