import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The shared customer file. Tags sit in their own table so lists can filter on them
/// with an index; consent is kept per channel with when and how it was given.
struct M0012_CreateCustomers: GuanxiMigration {
    let name = "0012_CreateCustomers"
    func prepare(on db: any Database) async throws {
        var schema = db.schema("customers")
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("industry", .string)
            .field("size", .string)
            .field("province", .string)
            .field("city", .string)
            .field("district", .string)
            .field("address", .string)
            .field("postcode", .string)
            .field("phone", .string)
            .field("phone_digits", .string)
            .field("email", .string)
            .field("website", .string)
            .field("source", .string)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("grade", .string)
            .field("value_tier", .string)
            .field("lifecycle_stage", .string)
            .field("relationship", .string, .required)
            .field("parent_id", .uuid, .references("customers", "id", onDelete: .setNull))
            .field("referred_by_id", .uuid, .references("customers", "id", onDelete: .setNull))
            .field("birthday", .string)
            .field("anniversary", .string)
            .field("notes", .string, .required)
        // Written out rather than looped over the app's channel list: a migration must not
        // change when the code around it does.
        for channel in ["email", "sms", "phone"] {
            schema = schema.field(.string("consent_\(channel)"), .string, .required)
                .field(.string("consent_\(channel)_at"), .datetime)
                .field(.string("consent_\(channel)_via"), .string)
        }
        try await schema
            .field("version", .int, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.schema("customer_tags")
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("tag", .string, .required)
            .compositeIdentifier(over: "customer_id", "tag")
            .create()
        let sql = db as! any SQLDatabase
        for (name, columns) in [
            ("customers_name_idx", ["name", "id"]), ("customers_updated_idx", ["updated_at", "id"]), ("customers_owner_idx", ["owner_id", "name"]),
            ("customers_phone_idx", ["phone_digits"]), ("customers_parent_idx", ["parent_id"]), ("customers_referrer_idx", ["referred_by_id"]),
            ("customers_stage_idx", ["lifecycle_stage"]), ("customers_tier_idx", ["value_tier"]), ("customers_grade_idx", ["grade"]),
            ("customers_region_idx", ["province", "city"]), ("customers_industry_idx", ["industry"]), ("customers_relationship_idx", ["relationship"]),
        ] {
            var index = sql.create(index: SQLIdentifier(name)).on("customers")
            for column in columns { index = index.column(column) }
            try await index.run()
        }
        try await sql.create(index: "customer_tags_tag_idx").on("customer_tags").column("tag").column("customer_id").run()
        // Substring search on names (Chinese included) uses a trigram index on PostgreSQL.
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
            try await sql.raw("CREATE INDEX customers_name_trgm_idx ON customers USING gin (name gin_trgm_ops)").run()
        }
    }
    func revert(on db: any Database) async throws {
        try await db.schema("customer_tags").delete()
        try await db.schema("customers").delete()
    }
}
