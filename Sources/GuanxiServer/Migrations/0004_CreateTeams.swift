import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Teams cut across departments (a sales team, an on-call rota); members are users.
struct M0004_CreateTeams: GuanxiMigration {
    let name = "0004_CreateTeams"
    func prepare(on db: any Database) async throws {
        try await db.schema("teams")
            .id()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await db.schema("team_members")
            .field("team_id", .uuid, .required, .references("teams", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .compositeIdentifier(over: "team_id", "user_id")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("team_members").delete()
        try await db.schema("teams").delete()
    }
}
