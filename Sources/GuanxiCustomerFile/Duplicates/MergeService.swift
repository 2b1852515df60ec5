import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Merging records that are one and the same, for every kind that says how
/// (`RecordKindDescriptor.merging`): the survivor keeps, field by field, the value the user
/// chose; everything that pointed at the others — for customers their contacts, deals,
/// activities, purchases, attachments, child companies — moves to it, with their custom
/// values; their history shows on its timeline; the others are removed. One transaction,
/// audited, and undoable: the merge keeps the removed records and what it moved, and an
/// undo puts everything back.
public struct MergeService: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    /// What a merge keeps for its undo (stored as JSON with the merge; the names of its
    /// fields are those of merges saved before kinds registered how they merge).
    package struct Snapshot: Codable, Sendable {
        package var survivor: MergeState
        package var merged: [MergeState]
        package var moved: [MergeMoved]
        /// Rows moved (or, where the survivor had one already, dropped) by the kind's own
        /// `moveMore`: a contact's place in activities.
        package var participantsMoved: [MergeMoved]?
        package var participantsDropped: [MergeMoved]?
    }

    /// How `kind` merges; an error naming the kinds that can be merged otherwise.
    package func merging(_ kind: RecordKind) throws -> RecordMerging {
        try services.records.named(kind.rawValue, field: "kind") { $0.merging != nil }.merging!
    }

    /// Merges `others` into `survivor`; `take` names, per field, the record whose value
    /// survives (fields left out keep the defaults: the survivor's value, else the first
    /// other one's). Returns the merge's id, for undo.
    @discardableResult
    public func merge(_ kind: RecordKind, survivor: UUID, others: [UUID], take: [String: UUID] = [:], by actor: Principal) async throws -> UUID {
        let others = Array(Set(others).subtracting([survivor]))
        guard !others.isEmpty, others.count <= 20 else {
            throw GuanxiError.invalid("ids", "Choose 2 to 21 records to merge.").localized("msg.merge_count", [:])
        }
        let merging = try merging(kind)
        var prepared = try await merging.prepare(survivor, others, take, actor)
        prepared.survivor.custom = try await customTexts(of: survivor, kind: kind)
        for index in prepared.merged.indices { prepared.merged[index].custom = try await customTexts(of: prepared.merged[index].id, kind: kind) }
        let custom = prepared.merged.reduce(prepared.survivor.custom) { kept, other in kept.merging(other.custom) { mine, _ in mine } }
        let mergeID = UUID()
        let now = services.clock.now()
        let done = prepared
        try await services.database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            var snapshot = Snapshot(survivor: done.survivor, merged: done.merged, moved: [])
            for relation in merging.relations {
                for other in others {
                    let ids = try await relation.move(from: [other], to: survivor, on: sql)
                    if !ids.isEmpty { snapshot.moved.append(MergeMoved(relation: relation, from: other, ids: ids)) }
                }
            }
            if let moveMore = merging.moveMore { (snapshot.participantsMoved, snapshot.participantsDropped) = try await moveMore(others, survivor, sql) }
            for other in others { try await CustomValues.remove(of: other, on: tx) }
            try await done.write(tx)
            try await saveCustom(custom, kind: kind, id: survivor, on: tx)
            try await sql.insert(into: "merges").columns("id", "kind", "survivor_id", "merged_ids", "snapshot", "created_by", "created_at")
                .values(SQLBind(mergeID), SQLBind(kind.rawValue), SQLBind(survivor), SQLBind(others.map(\.uuidString).joined(separator: ",")),
                        SQLBind(String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)), SQLBind(actor.channel == .console ? nil : actor.userID), SQLBind(now)).run()
            var changes = AuditLog.diff(old: done.before, new: done.after)
            changes.append(FieldChange(field: "merged", old: nil, new: done.names.joined(separator: ", ")))
            try await services.audit.record(on: tx, actor: actor, action: .merge, kind: kind, id: survivor.uuidString, label: done.label, changes: changes)
            for (other, name) in zip(done.merged.map(\.id), done.names) {
                try await services.audit.record(on: tx, actor: actor, action: .merge, kind: kind, id: other.uuidString, label: name,
                                                changes: [FieldChange(field: "merged_into", old: nil, new: "\(done.label) (\(survivor.uuidString))")])
            }
        }
        return mergeID
    }

    private func customTexts(of id: UUID, kind: RecordKind) async throws -> [String: [String]] {
        try await services.customValues.values(of: kind, id: id).mapValues(\.storedTexts)
    }

    /// Undoes a merge: the survivor gets back its fields, tags, custom values and phones,
    /// the removed records come back, and every row that moved returns to where it was.
    public func undo(_ mergeID: UUID, by actor: Principal) async throws {
        let sql = services.database.sql
        guard let row = try await sql.select().columns("kind", "survivor_id", "snapshot", "undone_at").from("merges").where("id", .equal, mergeID).first() else {
            throw GuanxiError.notFound("Merge")
        }
        guard try row.decode(column: "undone_at", as: Date?.self) == nil else {
            throw GuanxiError(.conflict, "This merge was undone already.", code: "merge_undone").localized("msg.merge_undone", [:])
        }
        let kind = RecordKind(rawValue: try row.decode(column: "kind", as: String.self))
        guard let merging = services.records[kind]?.merging else { throw GuanxiError.notFound("Merge") }
        let survivor = try row.decode(column: "survivor_id", as: UUID.self)
        let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
        let label = try await services.records.find(kind, survivor, for: actor, action: .update).name
        let table = services.records[kind]?.table ?? kind.rawValue
        let now = services.clock.now()
        try await services.database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            let version = try await sql.select().column("version").from(table).where("id", .equal, survivor).first()?.decode(column: "version", as: Int.self) ?? 1
            for state in [snapshot.survivor] + snapshot.merged {
                try await merging.restore(state, state.id == survivor, version + 1, now, tx)
                try await saveCustom(state.custom, kind: kind, id: state.id, on: tx)
            }
            for moved in snapshot.moved { try await moved.relation.restore(moved.ids, to: moved.from, on: sql) }
            try await merging.restoreMore?(snapshot.participantsMoved ?? [], snapshot.participantsDropped ?? [], survivor, sql)
            try await sql.update("merges").set("undone_at", to: now).where("id", .equal, mergeID).run()
            try await services.audit.record(on: tx, actor: actor, action: .mergeUndo, kind: kind, id: survivor.uuidString, label: label,
                                            changes: [FieldChange(field: "restored", old: nil, new: snapshot.merged.map(\.id.uuidString).joined(separator: ", "))])
        }
    }

    /// Records merged into `id` (and not brought back), whose history its timeline shows.
    package func mergedInto(_ id: UUID) async throws -> [UUID] {
        try await services.database.sql.select().column("merged_ids").from("merges").where("survivor_id", .equal, id).where("undone_at", .is, SQLLiteral.null).all()
            .flatMap { try $0.decode(column: "merged_ids", as: String.self).split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
    }

    package func saveCustom(_ texts: [String: [String]], kind: RecordKind, id: UUID, on tx: any Database) async throws {
        let fields = try await services.customValues.fields(of: kind)
        var values: [String: CustomValue] = [:]
        for field in fields { if let stored = texts[field.key], let value = CustomValue.read(field.fieldType, texts: stored) { values[field.key] = value } }
        try await CustomValues.save(CustomValues.Checked(fields: fields, values: values, sent: true, isNew: false), of: id, on: tx)
    }
}
