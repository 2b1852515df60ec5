import Foundation
import GuanxiPlatform

/// Columns one area adds to another kind's list — the analytics' segment and lifetime
/// value on the customer list — for the list page, saved views and exports alike.
struct ListColumnSource: Sendable {
    struct Column: Sendable {
        let key: String
        let label: String
        /// Each listed record's value, by id (absent: empty).
        let values: [UUID: String]
    }
    /// The kind whose lists get the columns.
    let host: RecordKind
    /// The columns for one page of records, in the reader's language.
    let columns: @Sendable (_ ids: [UUID], _ locale: String) async throws -> [Column]
}
