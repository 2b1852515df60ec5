import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Contacts (联系人) and their ways to be reached. Each e-mail, phone and address is a
/// row of its own, so any of them can be searched, and later marked invalid, on its own.
struct M0013_CreateContacts: GuanxiMigration {
    let name = "0013_CreateContacts"
    func prepare(on db: any Database) async throws {
        try await db.schema("contacts")
            .id()
            .field("customer_id", .uuid, .references("customers", "id", onDelete: .setNull))
            .field("name", .string, .required)
            .field("title", .string)
            .field("department", .string)
            .field("reports_to_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("wechat", .string)
            .field("birthday", .string)
            .field("notes", .string, .required)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("version", .int, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.schema("contact_channels")
            .field("contact_id", .uuid, .required, .references("contacts", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("kind", .string, .required)
            .field("label", .string)
            .field("value", .string, .required)
            .field("normalized", .string, .required)
            .compositeIdentifier(over: "contact_id", "kind", "position")
            .create()
        let sql = db as! any SQLDatabase
        for (name, table, columns) in [
            ("contacts_customer_idx", "contacts", ["customer_id", "name"]), ("contacts_name_idx", "contacts", ["name", "id"]),
            ("contacts_owner_idx", "contacts", ["owner_id", "name"]), ("contacts_updated_idx", "contacts", ["updated_at", "id"]),
            ("contacts_reports_idx", "contacts", ["reports_to_id"]), ("contacts_wechat_idx", "contacts", ["wechat"]),
            ("contact_channels_value_idx", "contact_channels", ["kind", "normalized"]),
        ] {
            var index = sql.create(index: SQLIdentifier(name)).on(SQLIdentifier(table))
            for column in columns { index = index.column(column) }
            try await index.run()
        }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX contacts_name_trgm_idx ON contacts USING gin (name gin_trgm_ops)").run()
        }
    }
    func revert(on db: any Database) async throws {
        try await db.schema("contact_channels").delete()
        try await db.schema("contacts").delete()
    }
}
