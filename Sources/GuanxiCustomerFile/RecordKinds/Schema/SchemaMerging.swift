import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

extension RecordMerging {
    /// Schema kinds merge field by field (the owner too); activities about the others and
    /// their attachments move to the survivor.
    package static func schema(_ records: SchemaRecords, users: UserService, clock: any Clock) -> RecordMerging {
        let schema = records.schema
        let fields = schema.fields.map { field in
            MergeField<SchemaBox>(field.key, { $0.record.values[field.key] }, { $0.record.values[field.key] = $1.record.values[field.key] })
        } + [MergeField<SchemaBox>("owner", { $0.record.ownerID?.uuidString }, { $0.record.ownerID = $1.record.ownerID })]
        let name: @Sendable (SchemaRecord) -> String = { record in record.values[schema.nameField] ?? "" }
        return RecordMerging(
            relations: [.activities(about: schema.kind), .attachments(of: schema.kind)],
            compare: { ids, actor in
                var boxes: [SchemaBox] = []
                for id in ids { boxes.append(SchemaBox(try await records.find(id, for: actor, action: .update))) }
                return try await MergeComparison.build(boxes, fields, id: \.record.id, name: { name($0.record) }) { key, value in
                    key == "owner" ? try await users.displayName(value) : value
                }
            },
            prepare: { survivor, others, take, actor in
                let keep = SchemaBox(try await records.find(survivor, for: actor, action: .update))
                var gone: [SchemaBox] = []
                for id in others { gone.append(SchemaBox(try await records.find(id, for: actor, action: .delete))) }
                let before = keep.record
                let choices = MergeField.defaults(fields, survivor: keep, others: gone, id: \.record.id).merging(take) { _, new in new }
                MergeField.apply(fields, choices: choices, to: keep, from: gone, id: \.record.id)
                (keep.record.version, keep.record.updatedAt) = (before.version + 1, clock.now())
                let (after, removed) = (keep.record, gone.map(\.record.id))
                return PreparedMerge(survivor: try MergeState(id: survivor, record: before), merged: try gone.map { try MergeState(id: $0.record.id, record: $0.record) },
                                     label: name(after), names: gone.map { name($0.record) }, before: before.snapshot(schema), after: after.snapshot(schema)) { tx in
                    try await (tx as! any SQLDatabase).delete(from: schema.table).where("id", .in, removed).run()
                    try await records.overwrite(after, on: tx)
                }
            },
            restore: { state, isSurvivor, version, now, tx in
                var old = try JSONDecoder().decode(SchemaRecord.self, from: state.record)
                if isSurvivor {
                    (old.version, old.updatedAt) = (version, now)
                    try await records.overwrite(old, on: tx)
                } else {
                    try await records.insertRow(old, on: tx)
                }
            })
    }
}

/// A schema record that a merge changes in place (merge fields copy between references).
package final class SchemaBox: @unchecked Sendable {
    package var record: SchemaRecord
    package init(_ record: SchemaRecord) { self.record = record }
}
