import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// The rules of one kind's shared pool (公海).
public struct PoolRules: Codable, Sendable, Equatable {
    /// Most records of the kind one user may own; claiming beyond it is refused.
    public var claimLimit: Int
    /// Owned records untouched for this many days go back to the pool; 0 turns it off.
    public var returnAfterDays: Int

    public static let defaults = PoolRules(claimLimit: 500, returnAfterDays: 0)

    /// Checks the ranges; settings pages call it before saving anything, so a form that
    /// also carries other settings is saved whole or not at all.
    public func validate() throws {
        guard (1...1_000_000).contains(claimLimit) else {
            throw GuanxiError.invalid("claimLimit", "claimLimit must be from 1 to 1000000.").localized("msg.range", ["field": "claimLimit", "min": "1", "max": "1000000"])
        }
        guard (0...3650).contains(returnAfterDays) else {
            throw GuanxiError.invalid("returnAfterDays", "returnAfterDays must be from 0 to 3650.").localized("msg.range", ["field": "returnAfterDays", "min": "0", "max": "3650"])
        }
    }

    public init(claimLimit: Int, returnAfterDays: Int) {
        self.claimLimit = claimLimit
        self.returnAfterDays = returnAfterDays
    }
}

/// A record that can sit in the shared pool: unowned, open to everyone granted the
/// action on its kind (see `RecordKind.withPool`), for anyone to claim.
public protocol PooledRecord: Model, Sendable where IDValue == UUID {
    static var recordKind: RecordKind { get }
    /// How a missing record is named in a 404 ("Customer", "Lead").
    static var recordName: String { get }
    var ownerID: UUID? { get set }
    var version: Int { get set }
    var updatedAt: Date { get set }
    var name: String { get }
    var auditSnapshot: AuditSnapshot { get }
}

/// Claiming records from the shared pool, releasing them to it, and the rule that
/// returns neglected records to it — the same for every pooled kind.
public struct SharedPool<Record: PooledRecord>: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let settings: SettingsStore
    package let clock: any Clock

    package var settingsKey: String { "\(Record.recordKind.rawValue).pool" }

    public func rules() async throws -> PoolRules {
        try await settings.value(settingsKey, as: PoolRules.self) ?? .defaults
    }

    public func setRules(_ rules: PoolRules, by actor: Principal) async throws {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        try rules.validate()
        try await settings.set(settingsKey, to: rules, by: actor)
    }

    /// Takes a pool record for the actor, within the claim limit.
    public func claim(_ id: UUID, by actor: Principal) async throws -> Record {
        let record = try await reachable(id, by: actor)
        guard record.ownerID == nil else {
            throw GuanxiError(.conflict, "This record is not in the shared pool any more.", code: "not_in_pool").localized("msg.not_in_pool", [:])
        }
        let limit = try await rules().claimLimit
        let owned = try await ownedCount(by: actor.userID)
        guard owned < limit else {
            throw GuanxiError(.conflict, "You already own \(owned) of these, the most anyone may hold (\(limit)). Release some before claiming more.",
                              code: "claim_limit").localized("msg.claim_limit", ["limit": String(limit)])
        }
        try await move(record, to: actor.userID, by: actor)
        return record
    }

    /// Puts a record back into the pool.
    public func release(_ id: UUID, by actor: Principal) async throws -> Record {
        let record = try await reachable(id, by: actor)
        if record.ownerID != nil { try await move(record, to: nil, by: actor) }
        return record
    }

    /// Returns owned records nobody has worked on for `returnAfterDays` (housekeeping).
    @discardableResult
    public func returnNeglected() async throws -> Int {
        let days = try await rules().returnAfterDays
        guard days > 0 else { return 0 }
        let cutoff = clock.now().addingTimeInterval(-Double(days) * 86_400)
        let ids = try await database.sql.select().column("id").from(Record.schema)
            .where("owner_id", .isNot, SQLLiteral.null).where("updated_at", .lessThan, cutoff).limit(1000).all()
            .map { try $0.decode(column: "id", as: UUID.self) }
        var returned = 0
        for id in ids {
            guard let record = try await Record.find(id, on: database.db) else { continue }
            try await move(record, to: nil, by: nil)
            returned += 1
        }
        return returned
    }

    public func ownedCount(by userID: UUID) async throws -> Int {
        let row = try await database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Record.schema)
            .where("owner_id", .equal, userID).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    private func reachable(_ id: UUID, by actor: Principal) async throws -> Record {
        let missing = GuanxiError.notFound(Record.recordName)
        guard let record = try await Record.find(id, on: database.db) else { throw missing }
        try await permissions.requireAccess(actor, .update, on: Record.recordKind, owner: record.ownerID, notFound: missing)
        return record
    }

    private func move(_ record: Record, to owner: UUID?, by actor: Principal?) async throws {
        let before = record.auditSnapshot
        let from = record.version
        record.ownerID = owner
        record.version += 1
        record.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await VersionCheck.bump(Record.schema, id: record.id!, from: from, on: tx, what: Record.recordName.lowercased())
            try await record.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: Record.recordKind, id: record.id!.uuidString, label: record.name,
                                    old: before, new: record.auditSnapshot)
        }
    }

    package init(database: DatabaseService, permissions: PermissionService, audit: AuditLog, settings: SettingsStore, clock: any Clock) { (self.database, self.permissions, self.audit, self.settings, self.clock) = (database, permissions, audit, settings, clock) }
}
