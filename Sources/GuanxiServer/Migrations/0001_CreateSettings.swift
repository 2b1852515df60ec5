import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Organisation-wide settings as key/value pairs (the organisation's name, its defaults).
struct M0001_CreateSettings: GuanxiMigration {
    let name = "0001_CreateSettings"
    func prepare(on db: any Database) async throws {
        try await db.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("settings").delete() }
}
