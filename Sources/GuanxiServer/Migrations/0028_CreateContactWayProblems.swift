import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Contact ways known not to work — an e-mail that bounced, a number that is wrong — kept
/// apart from the records: a row names the record, the kind of way and its normalised
/// value (lower-case e-mail, phone digits), so it stops applying as soon as the value is
/// changed, and works the same for customers, contacts and leads.
struct M0028_CreateContactWayProblems: GuanxiMigration {
    let name = "0028_CreateContactWayProblems"
    func prepare(on db: any Database) async throws {
        try await db.schema("contact_way_problems")
            .field("record_kind", .string, .required)
            .field("record_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("normalized", .string, .required)
            .field("value", .string, .required)
            .field("reason", .string, .required)
            .field("marked_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("marked_at", .datetime, .required)
            .compositeIdentifier(over: "record_kind", "record_id", "kind", "normalized")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("contact_way_problems").delete()
    }
}
