import Foundation
import SQLKit

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

public struct AuditQuery: Sendable {
    package init(database: DatabaseService, permissions: PermissionService) { self.database = database; self.permissions = permissions }
    package let database: DatabaseService
    package let permissions: PermissionService

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
        let next = rows.count > limit ? entries.last?.seq : nil
        if entries.count > limit { entries.removeLast() }
        return (entries, next)
    }
}
