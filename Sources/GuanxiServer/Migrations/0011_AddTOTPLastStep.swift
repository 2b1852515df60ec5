import FluentKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Remembers the time step of the last accepted TOTP code, so a code cannot be replayed
/// (RFC 6238 §5.2).
struct M0011_AddTOTPLastStep: GuanxiMigration {
    let name = "0011_AddTOTPLastStep"
    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("totp_last_step", .int64).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("users").deleteField("totp_last_step").update()
    }
}
