import Foundation
import GuanxiPlatform

/// Columns one area adds to another kind's list — the analytics' segment and lifetime
/// value on the customer list — for the list page, saved views and exports alike.
package struct ListColumnSource: Sendable {
    package struct Column: Sendable {
        package let key: String
        package let label: String
        /// Each listed record's value, by id (absent: empty).
        package let values: [UUID: String]

        package init(key: String, label: String, values: [UUID: String]) { (self.key, self.label, self.values) = (key, label, values) }
    }
    /// The kind whose lists get the columns.
    package let host: RecordKind
    /// The columns for one page of records, in the reader's language.
    package let columns: @Sendable (_ ids: [UUID], _ locale: String) async throws -> [Column]

    package init(host: RecordKind, columns: @escaping @Sendable (_ ids: [UUID], _ locale: String) async throws -> [Column]) { (self.host, self.columns) = (host, columns) }
}
