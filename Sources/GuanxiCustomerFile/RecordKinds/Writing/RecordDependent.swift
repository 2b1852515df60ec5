import Foundation
import GuanxiPlatform

/// Records of one kind that hang on records of another through a column (a deal's
/// `customer_id`), and what becomes of them when the record they hang on is deleted. The
/// dependent's area registers it (`RecordKinds.register(dependent:)`), so the kind it hangs
/// on need not know it: deleting a customer takes its deals with it because the
/// opportunities said so.
///
/// The database carries out the fate (the column's foreign key deletes or clears); the
/// registry lets the deletion say beforehand what goes with it, clean up after the records
/// that go (their custom values and attachments), and record it in the audit trail.
package struct RecordDependent: Sendable {
    package enum Fate: String, Sendable {
        /// Deleted along with the record they hang on.
        case deleted
        /// Kept, no longer linked to it.
        case detached
    }

    package let host: RecordKind
    package let kind: RecordKind
    package let table: String
    package let column: String
    package let fate: Fate

    package init(host: RecordKind, kind: RecordKind, table: String, column: String, fate: Fate) { (self.host, self.kind, self.table, self.column, self.fate) = (host, kind, table, column, fate) }
}
