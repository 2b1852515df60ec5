import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Leads, in the same search index as customers and contacts.
struct M0015_CreateLeads: GuanxiMigration {
    let name = "0015_CreateLeads"
    func prepare(on db: any Database) async throws {
        try await db.schema("leads")
            .id()
            .field("name", .string, .required)
            .field("company", .string)
            .field("title", .string)
            .field("phone", .string)
            .field("phone_digits", .string)
            .field("email", .string)
            .field("wechat", .string)
            .field("province", .string)
            .field("city", .string)
            .field("industry", .string)
            .field("source", .string)
            .field("status", .string, .required)
            .field("status_reason", .string)
            .field("rating", .string)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("notes", .string, .required)
            .field("converted_customer_id", .uuid, .references("customers", "id", onDelete: .setNull))
            .field("converted_contact_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("converted_opportunity_id", .uuid)
            .field("converted_at", .datetime)
            .field("search_text", .string, .required)
            .field("version", .int, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // Whose turn it is in each team's round-robin of new leads.
        try await db.schema("lead_rotation")
            .field("team_id", .uuid, .identifier(auto: false), .references("teams", "id", onDelete: .cascade))
            .field("last_user_id", .uuid, .required)
            .create()
        let sql = db as! any SQLDatabase
        for (name, columns) in [
            ("leads_name_idx", ["name", "id"]), ("leads_updated_idx", ["updated_at", "id"]), ("leads_created_idx", ["created_at", "id"]),
            ("leads_owner_idx", ["owner_id", "name"]), ("leads_status_idx", ["status", "name"]), ("leads_phone_idx", ["phone_digits"]),
            ("leads_email_idx", ["email"]), ("leads_customer_idx", ["converted_customer_id"]),
        ] {
            var index = sql.create(index: SQLIdentifier(name)).on("leads")
            for column in columns { index = index.column(column) }
            try await index.run()
        }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX leads_search_trgm_idx ON leads USING gin (search_text gin_trgm_ops)").run()
            try await sql.raw("CREATE INDEX leads_name_trgm_idx ON leads USING gin (name gin_trgm_ops)").run()
        } else {
            try await SQLiteSearchIndex.index("leads", on: sql)
        }
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name != "postgresql" { try await SQLiteSearchIndex.dropIndex("leads", on: sql) }
        try await db.schema("lead_rotation").delete()
        try await db.schema("leads").delete()
    }
}
