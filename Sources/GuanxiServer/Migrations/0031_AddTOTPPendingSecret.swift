import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Keeps a new two-factor secret apart from the one in use until the user confirms a code
/// of it, so starting a set-up never turns off the one that works.
struct M0031_AddTOTPPendingSecret: GuanxiMigration {
    let name = "0031_AddTOTPPendingSecret"
    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("totp_pending_secret", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("users").deleteField("totp_pending_secret").update()
    }
}
