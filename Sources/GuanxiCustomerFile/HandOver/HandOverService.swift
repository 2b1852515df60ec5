import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Hands everything one user owns to another in one step — customers, contacts, leads,
/// opportunities and open activities — for the rep who just left, so that nothing waits
/// on an empty desk (done and cancelled activities stay with who did them). Each record's history shows the move, and
/// one summary entry records the hand-over itself.
public struct HandOverService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let clock: any Clock
    /// Which kinds of record move (`RecordKindDescriptor.handOver`).
    package let records: RecordKinds
    /// The receiver hears of it once, not once per record.
    package let notifications: Notifications

    public struct Result: Sendable, Equatable {
        /// Records moved, by kind: every kind that takes part (`RecordKindDescriptor.handOver`).
        public var moved: [RecordKind: Int]
        /// How many records of the kind keyed `kind` moved (`"leads"`), 0 for a kind that took no part.
        public func count(_ kind: String) -> Int { moved[RecordKind(rawValue: kind)] ?? 0 }
    }

    /// The kinds of record that move, in the registry's order, with their table, the
    /// column that names a record and which of them move (activities: the open ones).
    package var tables: [(kind: RecordKind, table: String, label: String, only: String?)] {
        records.all.filter(\.handOver).map { ($0.kind, $0.table, $0.labelColumn, $0.handOverOnly) }
    }

    public func handOver(from fromID: UUID, to toID: UUID, by actor: Principal) async throws -> Result {
        guard let from = try await User.find(fromID, on: database.db) else { throw GuanxiError.notFound("User") }
        guard toID != fromID, let to = try await User.find(toID, on: database.db), to.isActive else {
            throw GuanxiError.invalid("toUserId", "toUserId must name another active user.").localized("msg.unknown_reference", ["field": "toUserId"])
        }
        let tables = self.tables
        for (kind, _, _, _) in tables {
            try await permissions.requireAccess(actor, .update, on: kind, owner: fromID, notFound: .notFound("User"))
            try await permissions.requireAccess(actor, .update, on: kind, owner: toID, notFound: .notFound("User"))
        }
        let now = clock.now()
        let counts: [RecordKind: Int] = try await database.db.transaction { tx in
            var counts: [RecordKind: Int] = [:]
            let sql = tx as! any SQLDatabase
            for (kind, table, label, only) in tables {
                var select = sql.select().column("id").column(SQLIdentifier(label)).from(table).where("owner_id", .equal, fromID)
                var update = sql.update(table).set("owner_id", to: toID).set(SQLIdentifier("version"), to: SQLRaw("version + 1")).set("updated_at", to: now)
                    .where("owner_id", .equal, fromID)
                if let only { (select, update) = (select.where(SQLRaw(only)), update.where(SQLRaw(only))) }
                let rows = try await select.all()
                try await update.run()
                for row in rows {
                    try await audit.record(on: tx, actor: actor, action: .update, kind: kind, id: try row.decode(column: "id", as: UUID.self).uuidString,
                                           label: try row.decode(column: label, as: String.self),
                                           changes: [FieldChange(field: "owner_id", old: fromID.uuidString, new: toID.uuidString)])
                }
                counts[kind] = rows.count
            }
            try await audit.record(on: tx, actor: actor, action: .handOver, kind: .users, id: fromID.uuidString, label: from.username,
                                   changes: tables.map { FieldChange(field: $0.table, old: from.username, new: "\(to.username) (\(counts[$0.kind] ?? 0))") })
            let total = counts.values.reduce(0, +)
            if total > 0, toID != actor.userID {
                try await notifications.add(.init(user: toID, event: .handedOver, title: from.displayName, arguments: ["count": String(total)],
                                                  link: "/customers"), on: tx)
            }
            return counts
        }
        return Result(moved: counts)
    }
}
