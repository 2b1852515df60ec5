import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The customer's number in another system (a shop, an ERP, the CRM being replaced), so
/// that loading that system's exports again finds the same customer instead of a new one.
struct M0024_AddCustomerExternalID: GuanxiMigration {
    let name = "0024_AddCustomerExternalID"
    func prepare(on db: any Database) async throws {
        try await db.schema("customers").field("external_id", .string).update()
        try await (db as! any SQLDatabase).create(index: "customers_external_id_idx").unique().on("customers").column("external_id").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "customers_external_id_idx").run()
        try await db.schema("customers").deleteField("external_id").update()
    }
}
