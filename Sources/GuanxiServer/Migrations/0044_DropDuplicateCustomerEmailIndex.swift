import FluentKit
import SQLKit
import GuanxiPlatform

/// Migrations 0025 (imports find customers by e-mail) and 0036 (the outbox finds them by
/// e-mail) each made an index on a customer's e-mail without case. They are the same index;
/// every customer written kept both up, and on 100,000 customers the second took space
/// for nothing. The one of 0025 stays.
struct M0044_DropDuplicateCustomerEmailIndex: GuanxiMigration {
    let name = "0044_DropDuplicateCustomerEmailIndex"
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DROP INDEX customers_email_lower_idx").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("CREATE INDEX customers_email_lower_idx ON customers (LOWER(email))").run()
    }
}
