import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Fixed-window counters shared by every server process: API request limits and
/// failed sign-ins per network address.
struct M0009_CreateRateLimits: GuanxiMigration {
    let name = "0009_CreateRateLimits"
    func prepare(on db: any Database) async throws {
        try await db.schema("rate_limits")
            .field("key", .string, .required)
            .field("window_start", .int64, .required)
            .field("count", .int64, .required)
            .compositeIdentifier(over: "key", "window_start")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("rate_limits").delete() }
}
