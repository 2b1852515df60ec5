import FluentKit
import Foundation
import SQLKit

/// The rules of the shared pool (公海) for customers.
public struct PoolRules: Codable, Sendable, Equatable {
    /// Most customers one user may own; claiming beyond it is refused.
    public var claimLimit: Int
    /// Owned customers untouched for this many days go back to the pool; 0 turns it off.
    public var returnAfterDays: Int

    public static let defaults = PoolRules(claimLimit: 500, returnAfterDays: 0)

    public init(claimLimit: Int, returnAfterDays: Int) {
        self.claimLimit = claimLimit
        self.returnAfterDays = returnAfterDays
    }
}

/// Claiming customers from the shared pool, releasing them to it, and the rule that
/// returns neglected customers to it.
public struct CustomerPool: Sendable {
    static let settingsKey = "customers.pool"
    let database: DatabaseService
    let permissions: PermissionService
    let audit: AuditLog
    let settings: SettingsStore
    let clock: any Clock

    public func rules() async throws -> PoolRules {
        try await settings.value(Self.settingsKey, as: PoolRules.self) ?? .defaults
    }

    public func setRules(_ rules: PoolRules, by actor: Principal) async throws {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        guard (1...1_000_000).contains(rules.claimLimit) else {
            throw GuanxiError.invalid("claimLimit", "claimLimit must be from 1 to 1000000.").localized("msg.range", ["field": "claimLimit", "min": "1", "max": "1000000"])
        }
        guard (0...3650).contains(rules.returnAfterDays) else {
            throw GuanxiError.invalid("returnAfterDays", "returnAfterDays must be from 0 to 3650.").localized("msg.range", ["field": "returnAfterDays", "min": "0", "max": "3650"])
        }
        try await settings.set(Self.settingsKey, to: rules, by: actor)
    }

    /// Takes a pool customer for the actor, within the claim limit.
    public func claim(_ id: UUID, by actor: Principal) async throws -> Customer {
        guard let customer = try await Customer.find(id, on: database.db) else { throw GuanxiError.notFound("Customer") }
        try await permissions.requireAccess(actor, .update, on: .customers, owner: customer.ownerID, notFound: .notFound("Customer"))
        guard customer.ownerID == nil else {
            throw GuanxiError(.conflict, "This customer is not in the shared pool any more.", code: "not_in_pool").localized("msg.not_in_pool", [:])
        }
        let limit = try await rules().claimLimit
        let owned = try await Customer.query(on: database.db).filter(\.$ownerID == actor.userID).count()
        guard owned < limit else {
            throw GuanxiError(.conflict, "You already own \(owned) customers, the most anyone may hold (\(limit)). Release some before claiming more.",
                              code: "claim_limit").localized("msg.claim_limit", ["limit": String(limit)])
        }
        try await move(customer, to: actor.userID, by: actor)
        return customer
    }

    /// Puts a customer back into the pool.
    public func release(_ id: UUID, by actor: Principal) async throws -> Customer {
        guard let customer = try await Customer.find(id, on: database.db) else { throw GuanxiError.notFound("Customer") }
        try await permissions.requireAccess(actor, .update, on: .customers, owner: customer.ownerID, notFound: .notFound("Customer"))
        if customer.ownerID != nil { try await move(customer, to: nil, by: actor) }
        return customer
    }

    /// Returns owned customers nobody has changed for `returnAfterDays` (housekeeping).
    @discardableResult
    public func returnNeglected() async throws -> Int {
        let days = try await rules().returnAfterDays
        guard days > 0 else { return 0 }
        let cutoff = clock.now().addingTimeInterval(-Double(days) * 86_400)
        let stale = try await Customer.query(on: database.db).filter(\.$ownerID != nil).filter(\.$updatedAt < cutoff).limit(1000).all()
        for customer in stale { try await move(customer, to: nil, by: nil) }
        return stale.count
    }

    private func move(_ customer: Customer, to owner: UUID?, by actor: Principal?) async throws {
        let before = customer.auditSnapshot
        let from = customer.version
        customer.ownerID = owner
        customer.version += 1
        customer.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await VersionCheck.bump("customers", id: customer.id!, from: from, on: tx, what: "customer")
            try await customer.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .customers, id: customer.id!.uuidString, label: customer.name,
                                    old: before, new: customer.auditSnapshot)
        }
    }
}
