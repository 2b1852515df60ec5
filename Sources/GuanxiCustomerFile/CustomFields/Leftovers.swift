import Foundation
import SQLKit
import GuanxiPlatform

/// Custom values and attachments belong to records that a cascade can delete without
/// the record's own service (a customer's contacts and deals go with it). The hourly
/// upkeep removes what such deletions left behind.
package struct Leftovers: Sendable {
    package let database: DatabaseService
    package let records: RecordKinds

    @discardableResult
    package func purge() async throws -> Int {
        var removed = 0
        for kind in records.all where kind.customFields || kind.attachments {
            let (name, table) = (kind.kind.rawValue, kind.table)
            removed += try await database.sql.raw("""
                DELETE FROM custom_values WHERE field_id IN (SELECT id FROM custom_fields WHERE record_kind = \(bind: name))
                AND NOT EXISTS (SELECT 1 FROM \(unsafeRaw: table) r WHERE r.id = custom_values.record_id) RETURNING record_id
                """).all().count
            removed += try await database.sql.raw("""
                DELETE FROM attachments WHERE record_kind = \(bind: name)
                AND NOT EXISTS (SELECT 1 FROM \(unsafeRaw: table) r WHERE r.id = attachments.record_id) RETURNING id
                """).all().count
        }
        return removed
    }

    package init(database: DatabaseService, records: RecordKinds) { (self.database, self.records) = (database, records) }
}
