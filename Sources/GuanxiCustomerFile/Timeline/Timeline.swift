import Foundation
import GuanxiPlatform

/// A record's complete history in time order — activities with their commitments and
/// outcomes, stage moves, the e-mails and texts Guanxi sent about it, and every audited
/// change (owner changes included) — so whoever takes over a customer or a deal can read
/// its story in minutes.
public struct Timeline: Sendable {
    package let services: CustomerFileServices

    public init(services: CustomerFileServices) { self.services = services }

    public struct Item: Sendable, Equatable {
        public enum Kind: String, Sendable { case activity, change, stage, message }
        public var kind: Kind
        public var at: Date
        public var actor: String
        /// For activities: kind and subject; for changes: the audit action; for stage moves: the stage.
        public var title: String
        public var activity: Activity.Summary?
        public var change: AuditEntry?
        /// For messages: the outbox's record of it (sent, waiting, not sent and why).
        public var message: OutboxEntry?
    }

    /// The newest `limit` items, newest first. The record must be readable; activities
    /// the reader may not see are left out.
    public func items(of kind: RecordKind, id: UUID, for actor: Principal, limit: Int = 200) async throws -> [Item] {
        _ = try services.records.named(kind.rawValue, field: "kind", offering: \.timeline)
        _ = try await services.records.find(kind, id, for: actor)
        return try await items(ofRead: kind, id: id, for: actor, limit: limit)
    }

    /// `items(of:…)` of a record the caller has just read for `actor` (a record page,
    /// which read it to draw it): the permission check is not made again.
    package func items(ofRead kind: RecordKind, id: UUID, for actor: Principal, limit: Int = 200) async throws -> [Item] {
        var items: [Item] = []
        // A record's story includes that of the records merged into it.
        var entries: [AuditEntry] = []
        for recordID in [id] + (try await services.records.merged(into: id)) {
            entries += try await services.auditQuery.history(kind: kind, id: recordID.uuidString, limit: limit)
        }
        // Who changed it, by the name colleagues know them by; the name the log kept for
        // someone since removed, or for the system.
        let changers = try await services.users.names(of: Array(Set(entries.compactMap(\.actorID))))
        for entry in entries {
            items.append(Item(kind: .change, at: entry.at, actor: entry.actorID.flatMap { changers[$0] } ?? entry.actorName, title: entry.action, change: entry))
        }
        if actor.scope(for: .read, on: .activities) != nil {
            var filter = ActivityFilter()
            filter.about = (kind, id)
            filter.limit = limit
            let activities = try await services.activityQuery.list(filter, for: actor).activities
            let commitments = try await services.activityQuery.commitments(of: activities.map { $0.id! })
            let owners = try await services.users.names(of: activities.compactMap(\.ownerID))
            for a in activities {
                items.append(Item(kind: .activity, at: a.when, actor: a.ownerID.flatMap { owners[$0] } ?? "", title: a.subject,
                                  activity: Activity.Summary(a, commitments: commitments[a.id!] ?? [])))
            }
        }
        // What went out about it: a mail merge's message, a test, a notice.
        let messages = try await services.outbox.messages(about: RecordRef(kind, id), limit: limit)
        let senders = try await services.users.names(of: Array(Set(messages.compactMap(\.createdBy))))
        for m in messages {
            items.append(Item(kind: .message, at: m.sentAt ?? m.createdAt, actor: m.createdBy.flatMap { senders[$0] } ?? "", title: m.subject, message: m))
        }
        for event in try await services.records[kind]?.timelineEvents?(id) ?? [] {
            items.append(Item(kind: .stage, at: event.at, actor: event.actor, title: event.title))
        }
        return Array(items.sorted { $0.at > $1.at }.prefix(limit))
    }
}

extension Activity {
    /// What a timeline or a list needs to show of an activity.
    public struct Summary: Sendable, Equatable {
        public var id: UUID
        public var kind: String
        public var status: String
        public var startsAt: Date?
        public var endsAt: Date?
        public var dueAt: Date?
        public var outcome: String?
        public var description: String
        public var commitments: [Commitment]

        package init(_ a: Activity, commitments: [Commitment]) {
            (id, kind, status, startsAt, endsAt, dueAt) = (a.id!, a.kind, a.status, a.startsAt, a.endsAt, a.dueAt)
            (outcome, description, self.commitments) = (a.outcome, a.details, commitments)
        }
    }
}
