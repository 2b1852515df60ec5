import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// What the analytics run computed for each customer, and a record of each run.
///
/// Scores live beside the customer rather than in it, so that recomputing them does not
/// touch the customer's version (nobody's edit conflicts with the nightly run) and
/// creating a customer does not pay for their indexes.
struct M0023_CreateCustomerScores: GuanxiMigration {
    let name = "0023_CreateCustomerScores"
    func prepare(on db: any Database) async throws {
        try await db.schema("customer_scores")
            .field("customer_id", .uuid, .identifier(auto: false), .references("customers", "id", onDelete: .cascade))
            .field("as_of", .string, .required)
            .field("recency_days", .int)
            .field("frequency", .int, .required)
            .field("monetary", .int64, .required)
            .field("rfm_r", .int)
            .field("rfm_f", .int)
            .field("rfm_m", .int)
            .field("rfm_segment", .string)
            .field("value_tier", .string)
            .field("bank_grade", .string, .required)
            .field("lifecycle_stage", .string, .required)
            .field("probability_active", .double)
            .field("expected_purchases", .double)
            .field("clv", .int64)
            .field("next_occasion", .string)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "customer_scores_segment_idx").on("customer_scores").column("rfm_segment").run()
        try await sql.create(index: "customer_scores_clv_idx").on("customer_scores").column("clv").run()
        try await sql.create(index: "customer_scores_occasion_idx").on("customer_scores").column("next_occasion").run()

        try await db.schema("analysis_runs")
            .id()
            .field("as_of", .string, .required)
            .field("time_unit", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("customers", .int, .required)
            .field("purchases", .int, .required)
            .field("summary", .string, .required)
            .field("run_by", .string, .required)
            .create()
        try await sql.create(index: "analysis_runs_finished_idx").on("analysis_runs").column("finished_at").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("analysis_runs").delete()
        try await db.schema("customer_scores").delete()
    }
}
