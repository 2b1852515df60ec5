import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Background jobs. Any server process may claim a due job; the claim is one atomic
/// statement so a job runs once however many processes poll.
struct M0010_CreateJobs: GuanxiMigration {
    let name = "0010_CreateJobs"
    func prepare(on db: any Database) async throws {
        try await db.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("run_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("locked_by", .string)
            .field("locked_at", .datetime)
            .field("finished_at", .datetime)
            .field("last_error", .string)
            .field("unique_key", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "unique_key")
            .create()
        try await (db as! any SQLDatabase).create(index: "jobs_due_idx").on("jobs").column("status").column("run_at").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("jobs").delete() }
}
