import FluentKit
import Foundation
import SQLKit

/// Merging customers or contacts that are one and the same: the survivor keeps, field by
/// field, the value the user chose; everything that pointed at the others — contacts,
/// deals, activities, purchases, attachments, child companies, tags, custom values,
/// phones and e-mails — moves to it; their history shows on its timeline; the others are
/// removed. One transaction, audited, and undoable: the merge keeps the removed records
/// and what it moved, and an undo puts everything back.
public struct MergeService: Sendable {
    let services: AppServices
    public init(services: AppServices) { self.services = services }

    struct RecordState: Codable, Sendable {
        var id: UUID
        var record: Data
        var tags: [String]?
        var custom: [String: [String]]
        var channels: [ContactChannel]?
    }
    struct Moved: Codable, Sendable { var relation: MergeRelation; var from: UUID; var ids: [UUID] }
    struct Snapshot: Codable, Sendable {
        var survivor: RecordState
        var merged: [RecordState]
        var moved: [Moved]
        /// Activities whose participant was a merged contact: moved to the survivor, or
        /// (when it took part already) dropped.
        var participantsMoved: [Moved]?
        var participantsDropped: [Moved]?
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
        switch kind {
        case .customers:
            let keep = try await services.customers.find(survivor, for: actor, action: .update)
            var gone: [Customer] = []
            for id in others { gone.append(try await services.customers.find(id, for: actor, action: .delete)) }
            return try await mergeCustomers(keep, gone, take: take, by: actor)
        case .contacts:
            let keep = try await services.contacts.find(survivor, for: actor, action: .update)
            var gone: [Contact] = []
            for id in others { gone.append(try await services.contacts.find(id, for: actor, action: .delete)) }
            return try await mergeContacts(keep, gone, take: take, by: actor)
        default:
            throw GuanxiError.invalid("kind", "Customers and contacts can be merged.").localized("msg.choice", ["field": "kind", "choices": "customers, contacts"])
        }
    }

    private func state(_ model: some Encodable, id: UUID, kind: RecordKind, tags: [String]? = nil, channels: [ContactChannel]? = nil) async throws -> RecordState {
        let custom = try await services.customValues.values(of: kind, id: id).mapValues(\.storedTexts)
        return RecordState(id: id, record: try JSONEncoder().encode(model), tags: tags, custom: custom, channels: channels)
    }

    private func mergeCustomers(_ keep: Customer, _ gone: [Customer], take: [String: UUID], by actor: Principal) async throws -> UUID {
        let id = keep.id!
        var snapshot = Snapshot(survivor: try await state(keep, id: id, kind: .customers, tags: try await services.customers.tags(of: id)), merged: [], moved: [])
        for c in gone { snapshot.merged.append(try await state(c, id: c.id!, kind: .customers, tags: try await services.customers.tags(of: c.id!))) }
        let choices = MergeFields.defaults(MergeFields.customer, survivor: keep, others: gone) { $0.id! }.merging(take) { _, new in new }
        let before = keep.auditSnapshot
        for field in MergeFields.customer {
            if let source = gone.first(where: { $0.id == choices[field.key] }) { field.copy(keep, source) }
        }
        keep.refreshSearchText()
        keep.version += 1
        keep.updatedAt = services.clock.now()
        let tags = Array(Set(snapshot.merged.flatMap { $0.tags ?? [] } + (snapshot.survivor.tags ?? []))).sorted()
        let custom = snapshot.merged.reduce(snapshot.survivor.custom) { kept, other in kept.merging(other.custom) { mine, _ in mine } }
        return try await save(.customers, survivor: id, label: keep.name, snapshot: &snapshot, before: before, after: keep.auditSnapshot, by: actor) { tx in
            // External ids are unique: the removed records let go of theirs before the survivor may take one.
            for c in gone {
                try await c.delete(on: tx)
                try await CustomValues.remove(of: c.id!, on: tx)
            }
            try await keep.update(on: tx)
            try await CustomerService.tags.replace(of: id, with: tags, on: tx)
            try await saveCustom(custom, kind: .customers, id: id, on: tx)
        }
    }

    private func mergeContacts(_ keep: Contact, _ gone: [Contact], take: [String: UUID], by actor: Principal) async throws -> UUID {
        let id = keep.id!
        var snapshot = Snapshot(survivor: try await state(keep, id: id, kind: .contacts, channels: try await services.contacts.channels(of: id)), merged: [], moved: [])
        for c in gone { snapshot.merged.append(try await state(c, id: c.id!, kind: .contacts, channels: try await services.contacts.channels(of: c.id!))) }
        let choices = MergeFields.defaults(MergeFields.contact, survivor: keep, others: gone) { $0.id! }.merging(take) { _, new in new }
        let before = ContactService.snapshot(keep, snapshot.survivor.channels ?? [])
        for field in MergeFields.contact {
            if let source = gone.first(where: { $0.id == choices[field.key] }) { field.copy(keep, source) }
        }
        var channels = snapshot.survivor.channels ?? []
        for channel in snapshot.merged.flatMap({ $0.channels ?? [] })
        where !channels.contains(where: { $0.kind == channel.kind && ContactService.normalized($0) == ContactService.normalized(channel) }) {
            channels.append(channel)
        }
        keep.refreshSearchText(channels)
        keep.version += 1
        keep.updatedAt = services.clock.now()
        let custom = snapshot.merged.reduce(snapshot.survivor.custom) { kept, other in kept.merging(other.custom) { mine, _ in mine } }
        let final = channels
        return try await save(.contacts, survivor: id, label: keep.name, snapshot: &snapshot, before: before, after: ContactService.snapshot(keep, final), by: actor) { tx in
            for c in gone {
                try await c.delete(on: tx)
                try await CustomValues.remove(of: c.id!, on: tx)
            }
            try await keep.update(on: tx)
            try await ContactService.replaceChannels(of: id, with: final, on: tx)
            try await saveCustom(custom, kind: .contacts, id: id, on: tx)
        }
    }

    /// Moves the related rows, runs `write` (which removes the others and saves the
    /// survivor), and records the merge and its audit entries — all in one transaction.
    private func save(_ kind: RecordKind, survivor: UUID, label: String, snapshot: inout Snapshot, before: AuditSnapshot, after: AuditSnapshot,
                      by actor: Principal, write: @escaping @Sendable (any Database) async throws -> Void) async throws -> UUID {
        let mergeID = UUID()
        let others = snapshot.merged.map(\.id)
        let names = snapshot.merged.compactMap { state -> String? in
            (try? JSONSerialization.jsonObject(with: state.record) as? [String: Any])?["name"] as? String
        }
        let now = services.clock.now()
        let base = snapshot
        let result = try await services.database.db.transaction { tx -> Snapshot in
            let sql = tx as! any SQLDatabase
            var snapshot = base
            for relation in MergeRelation.of(kind) {
                for other in others {
                    let ids = try await relation.move(from: [other], to: survivor, on: sql)
                    if !ids.isEmpty { snapshot.moved.append(Moved(relation: relation, from: other, ids: ids)) }
                }
            }
            if kind == .contacts { try await moveParticipants(others, to: survivor, snapshot: &snapshot, on: sql) }
            try await write(tx)
            try await sql.insert(into: "merges").columns("id", "kind", "survivor_id", "merged_ids", "snapshot", "created_by", "created_at")
                .values(SQLBind(mergeID), SQLBind(kind.rawValue), SQLBind(survivor), SQLBind(others.map(\.uuidString).joined(separator: ",")),
                        SQLBind(String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)), SQLBind(actor.channel == .console ? nil : actor.userID), SQLBind(now)).run()
            var changes = AuditLog.diff(old: before, new: after)
            changes.append(FieldChange(field: "merged", old: nil, new: names.joined(separator: ", ")))
            try await services.audit.record(on: tx, actor: actor, action: .merge, kind: kind, id: survivor.uuidString, label: label, changes: changes)
            for (other, name) in zip(others, names) {
                try await services.audit.record(on: tx, actor: actor, action: .merge, kind: kind, id: other.uuidString, label: name,
                                                changes: [FieldChange(field: "merged_into", old: nil, new: "\(label) (\(survivor.uuidString))")])
            }
            return snapshot
        }
        snapshot = result
        return mergeID
    }

    private func moveParticipants(_ others: [UUID], to survivor: UUID, snapshot: inout Snapshot, on sql: any SQLDatabase) async throws {
        let already = Set(try await sql.select().column("activity_id").from("activity_participants").where("participant_kind", .equal, "contact")
            .where("participant_id", .equal, survivor).all().map { try $0.decode(column: "activity_id", as: UUID.self) })
        var moved: [Moved] = [], dropped: [Moved] = []
        for other in others {
            let activities = try await sql.select().column("activity_id").from("activity_participants").where("participant_kind", .equal, "contact")
                .where("participant_id", .equal, other).all().map { try $0.decode(column: "activity_id", as: UUID.self) }
            let (keep, drop) = (activities.filter { !already.contains($0) }, activities.filter { already.contains($0) })
            let relation = MergeRelation(table: "activity_participants", column: "participant_id")
            if !keep.isEmpty {
                try await sql.update("activity_participants").set("participant_id", to: survivor).where("participant_kind", .equal, "contact")
                    .where("participant_id", .equal, other).where("activity_id", .in, keep).run()
                moved.append(Moved(relation: relation, from: other, ids: keep))
            }
            if !drop.isEmpty {
                try await sql.delete(from: "activity_participants").where("participant_kind", .equal, "contact").where("participant_id", .equal, other).run()
                dropped.append(Moved(relation: relation, from: other, ids: drop))
            }
        }
        (snapshot.participantsMoved, snapshot.participantsDropped) = (moved, dropped)
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
        let survivor = try row.decode(column: "survivor_id", as: UUID.self)
        let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(try row.decode(column: "snapshot", as: String.self).utf8))
        let label: String
        switch kind {
        case .customers: label = try await services.customers.find(survivor, for: actor, action: .update).name
        case .contacts: label = try await services.contacts.find(survivor, for: actor, action: .update).name
        default: throw GuanxiError.notFound("Merge")
        }
        let now = services.clock.now()
        try await services.database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            let version = try await sql.select().column("version").from(kind.rawValue).where("id", .equal, survivor).first()?.decode(column: "version", as: Int.self) ?? 1
            for state in [snapshot.survivor] + snapshot.merged {
                let restored = state.id == survivor
                switch kind {
                case .customers:
                    let old = try JSONDecoder().decode(Customer.self, from: state.record)
                    if restored {
                        // The survivor gets back, field by field, what the merge may have changed.
                        guard let current = try await Customer.find(survivor, on: tx) else { throw GuanxiError.notFound("Customer") }
                        for field in MergeFields.customer { field.copy(current, old) }
                        current.refreshSearchText()
                        (current.version, current.updatedAt) = (version + 1, now)
                        try await current.update(on: tx)
                    } else {
                        try await old.create(on: tx)
                    }
                    try await CustomerService.tags.replace(of: state.id, with: state.tags ?? [], on: tx)
                default:
                    let old = try JSONDecoder().decode(Contact.self, from: state.record)
                    if restored {
                        guard let current = try await Contact.find(survivor, on: tx) else { throw GuanxiError.notFound("Contact") }
                        for field in MergeFields.contact { field.copy(current, old) }
                        current.refreshSearchText(state.channels ?? [])
                        (current.version, current.updatedAt) = (version + 1, now)
                        try await current.update(on: tx)
                    } else {
                        try await old.create(on: tx)
                    }
                    try await ContactService.replaceChannels(of: state.id, with: state.channels ?? [], on: tx)
                }
                try await saveCustom(state.custom, kind: kind, id: state.id, on: tx)
            }
            for moved in snapshot.moved { try await moved.relation.restore(moved.ids, to: moved.from, on: sql) }
            for moved in snapshot.participantsMoved ?? [] {
                try await sql.update("activity_participants").set("participant_id", to: moved.from).where("participant_kind", .equal, "contact")
                    .where("participant_id", .equal, survivor).where("activity_id", .in, moved.ids).run()
            }
            for dropped in snapshot.participantsDropped ?? [] {
                for activity in dropped.ids {
                    try await sql.insert(into: "activity_participants").columns("activity_id", "participant_kind", "participant_id")
                        .values(SQLBind(activity), SQLBind("contact"), SQLBind(dropped.from)).run()
                }
            }
            try await sql.update("merges").set("undone_at", to: now).where("id", .equal, mergeID).run()
            try await services.audit.record(on: tx, actor: actor, action: .mergeUndo, kind: kind, id: survivor.uuidString, label: label,
                                            changes: [FieldChange(field: "restored", old: nil, new: snapshot.merged.map(\.id.uuidString).joined(separator: ", "))])
        }
    }

    /// Records merged into `id` (and not brought back), whose history its timeline shows.
    func mergedInto(_ id: UUID) async throws -> [UUID] {
        try await services.database.sql.select().column("merged_ids").from("merges").where("survivor_id", .equal, id).where("undone_at", .is, SQLLiteral.null).all()
            .flatMap { try $0.decode(column: "merged_ids", as: String.self).split(separator: ",").compactMap { UUID(uuidString: String($0)) } }
    }

    func saveCustom(_ texts: [String: [String]], kind: RecordKind, id: UUID, on tx: any Database) async throws {
        let fields = try await services.customValues.fields(of: kind)
        var values: [String: CustomValue] = [:]
        for field in fields { if let stored = texts[field.key], let value = CustomValue.read(field.fieldType, texts: stored) { values[field.key] = value } }
        try await CustomValues.save(CustomValues.Checked(fields: fields, values: values, sent: true, isNew: false), of: id, on: tx)
    }
}
