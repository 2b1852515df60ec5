import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Custom field definitions and their values. A value row per record and field (per
/// chosen option for multiple choice), with a numeric copy so numbers filter and sort
/// as numbers; indexed by field and value for filters.
struct M0018_CreateCustomFields: GuanxiMigration {
    let name = "0018_CreateCustomFields"
    func prepare(on db: any Database) async throws {
        try await db.schema("custom_fields")
            .id()
            .field("record_kind", .string, .required)
            .field("key", .string, .required)
            .field("label", .string, .required)
            .field("type", .string, .required)
            .field("choices", .string, .required)
            .field("required", .bool, .required)
            .field("position", .int, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "record_kind", "key")
            .create()
        try await db.schema("custom_values")
            .field("record_id", .uuid, .required)
            .field("field_id", .uuid, .required, .references("custom_fields", "id", onDelete: .cascade))
            .field("value", .string, .required)
            .field("number", .double)
            .compositeIdentifier(over: "record_id", "field_id", "value")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "custom_values_text_idx").on("custom_values").column("field_id").column("value").column("record_id").run()
        try await sql.create(index: "custom_values_number_idx").on("custom_values").column("field_id").column("number").column("record_id").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("custom_values").delete()
        try await db.schema("custom_fields").delete()
    }
}
