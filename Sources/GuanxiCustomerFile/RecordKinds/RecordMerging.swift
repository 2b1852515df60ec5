import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// How two or more records of one kind become one, supplied by the kind's folder
/// (`Customer+Merge.swift`). The merge engine (`MergeService`) does the rest for every
/// kind alike: moving what points at the records, custom values, the undo snapshot, the
/// audit entries and the timeline of merged records.
package struct RecordMerging: Sendable {
    /// Rows of other tables that point at a record and move to the survivor.
    package var relations: [MergeRelation]
    /// The records side by side for the merge page, the survivor first; needs update
    /// access to every one.
    package let compare: @Sendable (_ ids: [UUID], _ actor: Principal) async throws -> MergeComparison
    /// Loads the survivor (update access) and the others (delete access), copies the
    /// chosen values onto the survivor and says how to save it.
    package let prepare: @Sendable (_ survivor: UUID, _ others: [UUID], _ take: [String: UUID], _ actor: Principal) async throws -> PreparedMerge
    /// Puts a record back as `state` holds it, in the undo's transaction: the survivor
    /// field by field (its version becoming `version`), a removed record created anew.
    package let restore: @Sendable (_ state: MergeState, _ isSurvivor: Bool, _ version: Int, _ now: Date, _ tx: any Database) async throws -> Void
    /// Rows that move in a way `relations` cannot say (a contact's place in activities,
    /// dropped where the survivor took part already), and how to put them back.
    package var moveMore: (@Sendable (_ others: [UUID], _ survivor: UUID, _ sql: any SQLDatabase) async throws -> (moved: [MergeMoved], dropped: [MergeMoved]))?
    package var restoreMore: (@Sendable (_ moved: [MergeMoved], _ dropped: [MergeMoved], _ survivor: UUID, _ sql: any SQLDatabase) async throws -> Void)?
}

/// A record as a merge keeps it for undo: the model as JSON, its custom values and what
/// else of it the merge changes (a customer's tags, a contact's phones and e-mails).
package struct MergeState: Codable, Sendable {
    package var id: UUID
    package var record: Data
    package var tags: [String]?
    package var custom: [String: [String]] = [:]
    package var channels: [ContactChannel]?

    package init(id: UUID, record: some Encodable, tags: [String]? = nil, channels: [ContactChannel]? = nil) throws {
        (self.id, self.record, self.tags, self.channels) = (id, try JSONEncoder().encode(record), tags, channels)
    }
}

/// Rows of one relation that moved off one merged record, by id.
package struct MergeMoved: Codable, Sendable { package var relation: MergeRelation; package var from: UUID; package var ids: [UUID] }

/// A merge ready to be saved.
package struct PreparedMerge: Sendable {
    package var survivor: MergeState
    package var merged: [MergeState]
    /// The survivor's name after the merge, and the others' names, for the audit entries.
    package let label: String
    package let names: [String]
    package let before: AuditSnapshot
    package let after: AuditSnapshot
    /// Removes the others and saves the survivor with what else it keeps (tags, phones),
    /// in the merge's transaction.
    package let write: @Sendable (_ tx: any Database) async throws -> Void
}

/// Records side by side on the merge page, with the fields whose values differ.
package struct MergeComparison: Sendable {
    package struct Record: Sendable { package let id: UUID; package let name: String }
    /// One field: its value as shown for each record (in `records` order) and the record
    /// whose value stays unless the user picks another.
    package struct Field: Sendable { package let key: String; package let values: [String]; package let chosen: UUID }
    package let records: [Record]
    package let fields: [Field]

    /// Compares `records` (survivor first) on `fields`; `show` turns a stored value into
    /// what the page shows (an owner's name for their id).
    package static func build<R>(_ records: [R], _ fields: [MergeField<R>], id: (R) -> UUID, name: (R) -> String,
                         show: (_ key: String, _ value: String) async throws -> String) async throws -> MergeComparison {
        guard records.count >= 2 else { throw GuanxiError.invalid("ids", "Choose 2 to 21 records to merge.").localized("msg.merge_count", [:]) }
        let choices = MergeField.defaults(fields, survivor: records[0], others: Array(records.dropFirst()), id: id)
        var out: [Field] = []
        for field in fields where Set(records.map { field.read($0) ?? "" }).count > 1 {
            var values: [String] = []
            for r in records { values.append(try await show(field.key, field.read(r) ?? "")) }
            out.append(Field(key: field.key, values: values, chosen: choices[field.key] ?? id(records[0])))
        }
        return MergeComparison(records: records.map { Record(id: id($0), name: name($0)) }, fields: out)
    }
}
