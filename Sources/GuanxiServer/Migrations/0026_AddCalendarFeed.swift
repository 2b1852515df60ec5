import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// A user's calendar feed address: only the SHA-256 of its secret is kept (the address is
/// shown once, like an API token); a new address replaces the old one, which stops working.
struct M0026_AddCalendarFeed: GuanxiMigration {
    let name = "0026_AddCalendarFeed"
    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("calendar_feed_hash", .string).update()
        try await (db as! any SQLDatabase).create(index: "users_calendar_feed_idx").on("users").column("calendar_feed_hash").unique().run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "users_calendar_feed_idx").run()
        try await db.schema("users").deleteField("calendar_feed_hash").update()
    }
}
