import Foundation
import GuanxiPlatform

/// How one audited field of a kind reads in a history (a record's timeline, the audit
/// log): the audit trail keeps what was stored — codes, ids, ISO times — and the reader
/// sees labels in their language, names and times in their time zone.
package enum HistoryField: Sendable {
    /// A code shown by its label in the locale files, `prefix.code` ("lifecycle.at_risk");
    /// text after the code (" (web)") stays as it is.
    case label(String)
    /// The id (or ids, comma-separated) of records of a kind, shown by name when the
    /// reader may read them.
    case record(RecordKind)
    /// The id (or ids) of rows every signed-in user sees by name in pickers — users,
    /// departments, roles, pipelines, stages — read from `table`'s `column`.
    case name(table: String, column: String)
    /// `kind/id` pairs (what an activity is about, its participants).
    case kindAndRecord
    /// An ISO 8601 moment, shown in the reader's time zone.
    case moment

    /// Fields read the same way whatever the kind.
    package static let common: [String: HistoryField] = [
        "owner_id": .name(table: "users", column: "display_name"),
        "manager_id": .name(table: "users", column: "display_name"),
        "department_id": .name(table: "departments", column: "name"),
    ]
}
