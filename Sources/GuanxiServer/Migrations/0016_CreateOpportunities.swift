import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Pipelines and their stages, opportunities with their stage history, and competitors.
struct M0016_CreateOpportunities: GuanxiMigration {
    let name = "0016_CreateOpportunities"
    func prepare(on db: any Database) async throws {
        try await db.schema("pipelines")
            .id()
            .field("name", .string, .required)
            .field("position", .int, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await db.schema("pipeline_stages")
            .id()
            .field("pipeline_id", .uuid, .required, .references("pipelines", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("position", .int, .required)
            .field("probability", .int, .required)
            .field("outcome", .string, .required)
            .create()
        try await db.schema("competitors")
            .id()
            .field("name", .string, .required)
            .field("website", .string)
            .field("strengths", .string, .required)
            .field("weaknesses", .string, .required)
            .field("notes", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await db.schema("opportunities")
            .id()
            .field("name", .string, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("contact_id", .uuid, .references("contacts", "id", onDelete: .setNull))
            .field("pipeline_id", .uuid, .required, .references("pipelines", "id"))
            .field("stage_id", .uuid, .required, .references("pipeline_stages", "id"))
            .field("amount_minor", .int64, .required)
            .field("currency", .string, .required)
            .field("expected_close", .string)
            .field("probability", .int, .required)
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("source", .string)
            .field("loss_reason", .string)
            .field("notes", .string, .required)
            .field("closed_at", .datetime)
            .field("stage_entered_at", .datetime, .required)
            .field("search_text", .string, .required)
            .field("version", .int, .required)
            .field("created_by", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await db.schema("opportunity_stage_history")
            .id()
            .field("opportunity_id", .uuid, .required, .references("opportunities", "id", onDelete: .cascade))
            // No reference: a stage may be removed from its pipeline once no deal is in it,
            // and the history keeps the name it had.
            .field("stage_id", .uuid, .required)
            .field("stage_name", .string, .required)
            .field("entered_at", .datetime, .required)
            .field("left_at", .datetime)
            .field("moved_by", .string, .required)
            .create()
        try await db.schema("opportunity_competitors")
            .field("opportunity_id", .uuid, .required, .references("opportunities", "id", onDelete: .cascade))
            .field("competitor_id", .uuid, .required, .references("competitors", "id", onDelete: .cascade))
            .compositeIdentifier(over: "opportunity_id", "competitor_id")
            .create()
        let sql = db as! any SQLDatabase
        for (table, name, columns) in [
            ("pipeline_stages", "pipeline_stages_pipeline_idx", ["pipeline_id", "position"]),
            ("opportunities", "opportunities_name_idx", ["name", "id"]), ("opportunities", "opportunities_updated_idx", ["updated_at", "id"]),
            ("opportunities", "opportunities_close_idx", ["expected_close", "id"]), ("opportunities", "opportunities_owner_idx", ["owner_id", "name"]),
            ("opportunities", "opportunities_stage_idx", ["stage_id", "updated_at"]), ("opportunities", "opportunities_customer_idx", ["customer_id"]),
            ("opportunities", "opportunities_pipeline_idx", ["pipeline_id", "expected_close"]),
            ("opportunity_stage_history", "stage_history_opportunity_idx", ["opportunity_id", "entered_at"]),
            ("opportunity_competitors", "opportunity_competitors_competitor_idx", ["competitor_id"]),
        ] {
            var index = sql.create(index: SQLIdentifier(name)).on(SQLIdentifier(table))
            for column in columns { index = index.column(column) }
            try await index.run()
        }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX opportunities_search_trgm_idx ON opportunities USING gin (search_text gin_trgm_ops)").run()
            try await sql.raw("CREATE INDEX opportunities_name_trgm_idx ON opportunities USING gin (name gin_trgm_ops)").run()
        } else {
            try await SQLiteSearchIndex.index("opportunities", on: sql)
        }
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name != "postgresql" { try await SQLiteSearchIndex.dropIndex("opportunities", on: sql) }
        for table in ["opportunity_competitors", "opportunity_stage_history", "opportunities", "competitors", "pipeline_stages", "pipelines"] {
            try await db.schema(table).delete()
        }
    }
}
