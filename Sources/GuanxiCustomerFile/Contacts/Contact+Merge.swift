import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

extension RecordMerging {
    /// Contacts merge field by field; the phones and e-mails of all of them stay (once
    /// each); their deals, activities, attachments, reports and converted leads move to the
    /// survivor, and so does their place in activities they took part in.
    package static func contacts(_ services: CustomerFileServices) -> RecordMerging {
        RecordMerging(
            relations: [
                MergeRelation(table: "opportunities", column: "contact_id"), .activities(about: .contacts), .attachments(of: .contacts),
                MergeRelation(table: "contacts", column: "reports_to_id"), MergeRelation(table: "leads", column: "converted_contact_id"),
            ],
            compare: { ids, actor in
                var records: [Contact] = []
                for id in ids { records.append(try await services.contacts.find(id, for: actor, action: .update)) }
                let companies = try await services.customerQuery.names(of: records.compactMap(\.customerID), for: actor)
                return try await MergeComparison.build(records, Contact.mergeFields, id: { $0.id! }, name: \.name) { key, value in
                    switch key {
                    case "owner": try await services.users.displayName(value)
                    case "customer": UUID(uuidString: value).flatMap { companies[$0] } ?? value
                    default: value
                    }
                }
            },
            prepare: { survivor, others, take, actor in
                let keep = try await services.contacts.find(survivor, for: actor, action: .update)
                var gone: [Contact] = []
                for id in others { gone.append(try await services.contacts.find(id, for: actor, action: .delete)) }
                let survivorState = try MergeState(id: survivor, record: keep, channels: try await services.contacts.channels(of: survivor))
                var merged: [MergeState] = []
                for c in gone { merged.append(try MergeState(id: c.id!, record: c, channels: try await services.contacts.channels(of: c.id!))) }
                let before = ContactService.snapshot(keep, survivorState.channels ?? [])
                let choices = MergeField.defaults(Contact.mergeFields, survivor: keep, others: gone) { $0.id! }.merging(take) { _, new in new }
                MergeField.apply(Contact.mergeFields, choices: choices, to: keep, from: gone) { $0.id! }
                var channels = survivorState.channels ?? []
                for channel in merged.flatMap({ $0.channels ?? [] })
                where !channels.contains(where: { $0.kind == channel.kind && ContactService.normalized($0) == ContactService.normalized(channel) }) {
                    channels.append(channel)
                }
                keep.refreshSearchText(channels)
                keep.version += 1
                keep.updatedAt = services.clock.now()
                let final = channels
                let removed = gone
                return PreparedMerge(survivor: survivorState, merged: merged, label: keep.name, names: gone.map(\.name), before: before,
                                     after: ContactService.snapshot(keep, final)) { tx in
                    for c in removed { try await c.delete(on: tx) }
                    try await keep.update(on: tx)
                    try await ContactService.replaceChannels(of: survivor, with: final, on: tx)
                }
            },
            restore: { state, isSurvivor, version, now, tx in
                let old = try JSONDecoder().decode(Contact.self, from: state.record)
                if isSurvivor {
                    guard let current = try await Contact.find(state.id, on: tx) else { throw GuanxiError.notFound("Contact") }
                    for field in Contact.mergeFields { field.copy(current, old) }
                    current.refreshSearchText(state.channels ?? [])
                    (current.version, current.updatedAt) = (version, now)
                    try await current.update(on: tx)
                } else {
                    try await old.create(on: tx)
                }
                try await ContactService.replaceChannels(of: state.id, with: state.channels ?? [], on: tx)
            },
            moveMore: { others, survivor, sql in try await Contact.moveParticipation(of: others, to: survivor, on: sql) },
            restoreMore: { moved, dropped, survivor, sql in try await Contact.restoreParticipation(moved: moved, dropped: dropped, survivor: survivor, on: sql) })
    }
}

extension Contact {
    /// The fields a merge of contacts lets the user choose between.
    package static let mergeFields: [MergeField<Contact>] = [
        MergeField("name", { $0.name }, { $0.name = $1.name }),
        MergeField("customer", { $0.customerID?.uuidString }, { $0.customerID = $1.customerID }),
        MergeField("title", { $0.title }, { $0.title = $1.title }),
        MergeField("department", { $0.department }, { $0.department = $1.department }),
        MergeField("wechat", { $0.wechat }, { $0.wechat = $1.wechat }),
        MergeField("birthday", { $0.birthday }, { $0.birthday = $1.birthday }),
        MergeField("owner", { $0.ownerID?.uuidString }, { $0.ownerID = $1.ownerID }),
        MergeField("notes", { $0.notes.nilIfEmpty }, { $0.notes = $1.notes }),
    ]

    /// Merged contacts' places in activities go to the survivor; where the survivor took
    /// part already, they are dropped (and come back on undo).
    package static func moveParticipation(of others: [UUID], to survivor: UUID, on sql: any SQLDatabase) async throws -> (moved: [MergeMoved], dropped: [MergeMoved]) {
        let already = Set(try await sql.select().column("activity_id").from("activity_participants").where("participant_kind", .equal, "contact")
            .where("participant_id", .equal, survivor).all().map { try $0.decode(column: "activity_id", as: UUID.self) })
        var moved: [MergeMoved] = [], dropped: [MergeMoved] = []
        for other in others {
            let activities = try await sql.select().column("activity_id").from("activity_participants").where("participant_kind", .equal, "contact")
                .where("participant_id", .equal, other).all().map { try $0.decode(column: "activity_id", as: UUID.self) }
            let (keep, drop) = (activities.filter { !already.contains($0) }, activities.filter { already.contains($0) })
            let relation = MergeRelation(table: "activity_participants", column: "participant_id")
            if !keep.isEmpty {
                try await sql.update("activity_participants").set("participant_id", to: survivor).where("participant_kind", .equal, "contact")
                    .where("participant_id", .equal, other).where("activity_id", .in, keep).run()
                moved.append(MergeMoved(relation: relation, from: other, ids: keep))
            }
            if !drop.isEmpty {
                try await sql.delete(from: "activity_participants").where("participant_kind", .equal, "contact").where("participant_id", .equal, other).run()
                dropped.append(MergeMoved(relation: relation, from: other, ids: drop))
            }
        }
        return (moved, dropped)
    }

    package static func restoreParticipation(moved: [MergeMoved], dropped: [MergeMoved], survivor: UUID, on sql: any SQLDatabase) async throws {
        for m in moved {
            try await sql.update("activity_participants").set("participant_id", to: m.from).where("participant_kind", .equal, "contact")
                .where("participant_id", .equal, survivor).where("activity_id", .in, m.ids).run()
        }
        for d in dropped {
            for activity in d.ids {
                try await sql.insert(into: "activity_participants").columns("activity_id", "participant_kind", "participant_id")
                    .values(SQLBind(activity), SQLBind("contact"), SQLBind(d.from)).run()
            }
        }
    }
}

extension Contact {
    /// Contacts that share a phone or e-mail among their channels, or the same name at the same customer.
    package static let duplicateKeys: [DuplicateKey] = [
        DuplicateKey(reason: "email") { visible, _ in """
            SELECT t.id, t.name, c.normalized AS k FROM contact_channels c JOIN contacts t ON t.id = c.contact_id WHERE c.kind = 'email' AND c.normalized IN \
            (SELECT normalized FROM contact_channels WHERE kind = 'email' GROUP BY normalized HAVING COUNT(DISTINCT contact_id) > 1)\(visible)
            """ },
        DuplicateKey(reason: "phone") { visible, _ in """
            SELECT t.id, t.name, c.normalized AS k FROM contact_channels c JOIN contacts t ON t.id = c.contact_id WHERE c.kind = 'phone' AND length(c.normalized) >= 7 AND c.normalized IN \
            (SELECT normalized FROM contact_channels WHERE kind = 'phone' GROUP BY normalized HAVING COUNT(DISTINCT contact_id) > 1)\(visible)
            """ },
        DuplicateKey(reason: "name") { visible, engine in
            let key: SQLQueryString = engine == .postgres ? "t.customer_id::text || '/' || t.name" : "t.customer_id || '/' || t.name"
            return """
                SELECT t.id, t.name, \(key) AS k FROM contacts t JOIN (SELECT customer_id, name FROM contacts WHERE customer_id IS NOT NULL GROUP BY customer_id, name HAVING COUNT(*) > 1) d \
                ON d.customer_id = t.customer_id AND d.name = t.name WHERE 1 = 1\(visible)
                """
        },
    ]
}
