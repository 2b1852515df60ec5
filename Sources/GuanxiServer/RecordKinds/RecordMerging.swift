import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// How two or more records of one kind become one, supplied by the kind's folder
/// (`Customer+Merge.swift`). The merge engine (`MergeService`) does the rest for every
/// kind alike: moving what points at the records, custom values, the undo snapshot, the
/// audit entries and the timeline of merged records.
struct RecordMerging: Sendable {
    /// Rows of other tables that point at a record and move to the survivor.
    var relations: [MergeRelation]
    /// The records side by side for the merge page, the survivor first; needs update
    /// access to every one.
    let compare: @Sendable (_ ids: [UUID], _ actor: Principal) async throws -> MergeComparison
    /// Loads the survivor (update access) and the others (delete access), copies the
    /// chosen values onto the survivor and says how to save it.
    let prepare: @Sendable (_ survivor: UUID, _ others: [UUID], _ take: [String: UUID], _ actor: Principal) async throws -> PreparedMerge
    /// Puts a record back as `state` holds it, in the undo's transaction: the survivor
    /// field by field (its version becoming `version`), a removed record created anew.
    let restore: @Sendable (_ state: MergeState, _ isSurvivor: Bool, _ version: Int, _ now: Date, _ tx: any Database) async throws -> Void
    /// Rows that move in a way `relations` cannot say (a contact's place in activities,
    /// dropped where the survivor took part already), and how to put them back.
    var moveMore: (@Sendable (_ others: [UUID], _ survivor: UUID, _ sql: any SQLDatabase) async throws -> (moved: [MergeMoved], dropped: [MergeMoved]))?
    var restoreMore: (@Sendable (_ moved: [MergeMoved], _ dropped: [MergeMoved], _ survivor: UUID, _ sql: any SQLDatabase) async throws -> Void)?
}

/// A record as a merge keeps it for undo: the model as JSON, its custom values and what
/// else of it the merge changes (a customer's tags, a contact's phones and e-mails).
struct MergeState: Codable, Sendable {
    var id: UUID
    var record: Data
    var tags: [String]?
    var custom: [String: [String]] = [:]
    var channels: [ContactChannel]?

    init(id: UUID, record: some Encodable, tags: [String]? = nil, channels: [ContactChannel]? = nil) throws {
        (self.id, self.record, self.tags, self.channels) = (id, try JSONEncoder().encode(record), tags, channels)
    }
}

/// Rows of one relation that moved off one merged record, by id.
struct MergeMoved: Codable, Sendable { var relation: MergeRelation; var from: UUID; var ids: [UUID] }

/// A merge ready to be saved.
struct PreparedMerge: Sendable {
    var survivor: MergeState
    var merged: [MergeState]
    /// The survivor's name after the merge, and the others' names, for the audit entries.
    let label: String
    let names: [String]
    let before: AuditSnapshot
    let after: AuditSnapshot
    /// Removes the others and saves the survivor with what else it keeps (tags, phones),
    /// in the merge's transaction.
    let write: @Sendable (_ tx: any Database) async throws -> Void
}

/// Records side by side on the merge page, with the fields whose values differ.
struct MergeComparison: Sendable {
    struct Record: Sendable { let id: UUID; let name: String }
    /// One field: its value as shown for each record (in `records` order) and the record
    /// whose value stays unless the user picks another.
    struct Field: Sendable { let key: String; let values: [String]; let chosen: UUID }
    let records: [Record]
    let fields: [Field]

    /// Compares `records` (survivor first) on `fields`; `show` turns a stored value into
    /// what the page shows (an owner's name for their id).
    static func build<R>(_ records: [R], _ fields: [MergeField<R>], id: (R) -> UUID, name: (R) -> String,
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
