import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Activities with their participants and commitments.
struct M0017_CreateActivities: GuanxiMigration {
    let name = "0017_CreateActivities"
    func prepare(on db: any Database) async throws {
        try await db.schema("activities")
            .id()
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("description", .string, .required)
            .field("starts_at", .datetime)
            .field("ends_at", .datetime)
            .field("due_at", .datetime)
            .field("status", .string, .required)
            .field("priority", .string, .required)
            .field("related_kind", .string)
            .field("related_id", .uuid)
            .field("customer_id", .uuid, .references("customers", "id", onDelete: .setNull))
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("outcome", .string)
            .field("follow_up_of", .uuid, .references("activities", "id", onDelete: .setNull))
            .field("remind_at", .datetime)
            .field("reminder_dismissed_at", .datetime)
            .field("completed_at", .datetime)
            .field("version", .int, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.schema("activity_participants")
            .field("activity_id", .uuid, .required, .references("activities", "id", onDelete: .cascade))
            .field("participant_kind", .string, .required)
            .field("participant_id", .uuid, .required)
            .compositeIdentifier(over: "activity_id", "participant_kind", "participant_id")
            .create()
        try await db.schema("commitments")
            .field("id", .uuid, .identifier(auto: false))
            .field("activity_id", .uuid, .required, .references("activities", "id", onDelete: .cascade))
            .field("customer_id", .uuid, .references("customers", "id", onDelete: .setNull))
            .field("position", .int, .required)
            .field("description", .string, .required)
            .field("due_on", .string)
            .field("status", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        for (table, name, columns) in [
            ("activities", "activities_owner_start_idx", ["owner_id", "starts_at"]), ("activities", "activities_owner_due_idx", ["owner_id", "status", "due_at"]),
            ("activities", "activities_customer_idx", ["customer_id", "created_at"]), ("activities", "activities_related_idx", ["related_id", "created_at"]),
            ("activities", "activities_start_idx", ["starts_at"]), ("activities", "activities_remind_idx", ["owner_id", "remind_at"]),
            ("activity_participants", "activity_participants_who_idx", ["participant_id", "activity_id"]),
            ("commitments", "commitments_activity_idx", ["activity_id", "position"]), ("commitments", "commitments_customer_idx", ["customer_id", "status"]),
        ] {
            var index = sql.create(index: SQLIdentifier(name)).on(SQLIdentifier(table))
            for column in columns { index = index.column(column) }
            try await index.run()
        }
    }
    func revert(on db: any Database) async throws {
        for table in ["commitments", "activity_participants", "activities"] { try await db.schema(table).delete() }
    }
}
