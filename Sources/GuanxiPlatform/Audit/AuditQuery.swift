import Foundation
import SQLKit
import Synchronization

/// One audit log entry as read back.
public struct AuditEntry: Sendable, Codable, Equatable {
    public var seq: Int64
    public var at: Date
    public var actorID: UUID?
    public var actorName: String
    public var address: String
    public var action: String
    public var recordKind: String
    public var recordID: String
    public var recordLabel: String
    public var changes: [FieldChange]

    public init(seq: Int64, at: Date, actorID: UUID?, actorName: String, address: String, action: String, recordKind: String, recordID: String,
                recordLabel: String, changes: [FieldChange]) {
        (self.seq, self.at, self.actorID, self.actorName, self.address, self.action) = (seq, at, actorID, actorName, address, action)
        (self.recordKind, self.recordID, self.recordLabel, self.changes) = (recordKind, recordID, recordLabel, changes)
    }
}

/// Filters for browsing the audit log, newest first, a page at a time.
public struct AuditFilter: Sendable {
    public var actorID: UUID?
    public var recordKind: String?
    public var recordID: String?
    public var action: String?
    public var from: Date?
    public var to: Date?
    /// Return entries older than this sequence number (the cursor).
    public var before: Int64?
    public var limit = 50
    public init() {}
}

/// Audit entries an area keeps in a ledger of its own rather than one row each in the
/// log (the records an import created: a line each in the import's ledger,
/// `AuditLog.ledgeredCreations`). A record's history reads them beside the log's entries.
public protocol AuditLedger: Sendable {
    /// What the ledger holds about one record, any order. Its entries have no place in
    /// the log's sequence: their `seq` is 0, and they come after the log's (oldest last).
    func entries(kind: String, id: String) async throws -> [AuditEntry]
}

public struct AuditQuery: Sendable {
    package init(database: DatabaseService, permissions: PermissionService) { self.database = database; self.permissions = permissions }
    package let database: DatabaseService
    package let permissions: PermissionService
    private let ledgers = Ledgers()

    private final class Ledgers: Sendable {
        let all = Mutex<[any AuditLedger]>([])
    }

    /// Adds a ledger every record's history reads (an area registers its own at start).
    package func register(ledger: any AuditLedger) { ledgers.all.withLock { $0.append(ledger) } }

    /// Entries the principal may read (audit scope applies to who acted), newest first,
    /// with the cursor of the next page when there is one.
    public func list(_ filter: AuditFilter, for principal: Principal) async throws -> (entries: [AuditEntry], next: Int64?) {
        let actors = try await permissions.ownerFilter(principal, .read, on: .audit)
        return try await page(filter, actors: actors)
    }

    /// The history of one record. The caller must already have checked that the
    /// principal may read that record.
    public func history(kind: RecordKind, id: String, limit: Int = 200) async throws -> [AuditEntry] {
        var filter = AuditFilter()
        filter.recordKind = kind.rawValue
        filter.recordID = id
        filter.limit = limit
        return try await page(filter, actors: .everyone).entries
    }

    private func page(_ filter: AuditFilter, actors: OwnerFilter) async throws -> (entries: [AuditEntry], next: Int64?) {
        let limit = max(1, min(filter.limit, 500))
        var query = database.sql.select()
            .columns("seq", "at", "actor_id", "actor_name", "address", "action", "record_kind", "record_id", "record_label", "changes")
            .from("audit_entries")
        if let reachable = actors.condition("actor_id") { query = query.where(reachable) }
        if let v = filter.actorID { query = query.where("actor_id", .equal, v) }
        if let v = filter.recordKind { query = query.where("record_kind", .equal, v) }
        if let v = filter.recordID { query = query.where("record_id", .equal, v) }
        if let v = filter.action { query = query.where("action", .equal, v) }
        if let v = filter.from { query = query.where("at", .greaterThanOrEqual, v) }
        if let v = filter.to { query = query.where("at", .lessThan, v) }
        if let v = filter.before { query = query.where("seq", .lessThan, v) }
        let rows = try await query.orderBy("seq", .descending).limit(limit + 1).all()
        let decoder = JSONDecoder()
        var entries = try rows.prefix(limit).map { row in
            AuditEntry(
                seq: try row.decode(column: "seq", as: Int64.self),
                at: try row.decode(column: "at", as: Date.self),
                actorID: try row.decode(column: "actor_id", as: UUID?.self),
                actorName: try row.decode(column: "actor_name", as: String.self),
                address: try row.decode(column: "address", as: String.self),
                action: try row.decode(column: "action", as: String.self),
                recordKind: try row.decode(column: "record_kind", as: String.self),
                recordID: try row.decode(column: "record_id", as: String.self),
                recordLabel: try row.decode(column: "record_label", as: String.self),
                changes: try decoder.decode([FieldChange].self, from: Data(try row.decode(column: "changes", as: String.self).utf8))
            )
        }
        var next = rows.count > limit ? entries.last?.seq : nil
        if next == nil, let kind = filter.recordKind, let id = filter.recordID {
            // The oldest page of one record's history ends with what ledgers keep about it.
            let kept = try await ledgerEntries(kind: kind, id: id, filter, actors: actors)
            if !kept.isEmpty, !entries.isEmpty, entries.count + kept.count > limit {
                next = entries.last?.seq
            } else {
                entries += kept
            }
        }
        return (entries, next)
    }

    /// The ledgers' entries about one record that pass `filter` and `actors`, newest
    /// first, without those the log holds too (an import made before its creations went
    /// to its ledger logged each of them).
    private func ledgerEntries(kind: String, id: String, _ filter: AuditFilter, actors: OwnerFilter) async throws -> [AuditEntry] {
        let ledgers = ledgers.all.withLock { $0 }
        guard !ledgers.isEmpty else { return [] }
        var kept: [AuditEntry] = []
        for ledger in ledgers { kept += try await ledger.entries(kind: kind, id: id) }
        kept = kept.filter { e in
            actors.allows(e.actorID) && filter.actorID.map { $0 == e.actorID } ?? true && filter.action.map { $0 == e.action } ?? true
                && filter.from.map { e.at >= $0 } ?? true && filter.to.map { e.at < $0 } ?? true
        }
        guard !kept.isEmpty else { return [] }
        let logged = try await database.sql.select().column("action").from("audit_entries")
            .where("record_kind", .equal, kind).where("record_id", .equal, id).where("action", .in, Array(Set(kept.map(\.action))))
            .all().map { try $0.decode(column: "action", as: String.self) }
        return kept.filter { !logged.contains($0.action) }.sorted { $0.at > $1.at }
    }
}
