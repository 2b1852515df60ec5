import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Indexes a large import has set aside on SQLite (see `SetAsideIndexes`): each row is the
/// index's own definition, kept in the transaction that dropped it, so whatever stops the
/// import, Guanxi knows what to build again.
struct M0029_CreateSetAsideIndexes: GuanxiMigration {
    let name = "0029_CreateSetAsideIndexes"
    func prepare(on db: any Database) async throws {
        try await db.schema("set_aside_indexes")
            .field("name", .string, .identifier(auto: false))
            .field("definition", .string, .required)
            .field("job_id", .uuid, .required)
            .field("set_aside_at", .datetime, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("set_aside_indexes").delete()
    }
}
