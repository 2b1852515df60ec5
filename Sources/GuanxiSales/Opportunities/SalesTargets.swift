import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Sales targets: what each seller is to win in a calendar quarter ("2026-Q4"). A
/// manager sets them for the people whose deals they may change — never their own
/// unless they see everyone's deals (an administrator or a head of sales) — and the home
/// page's team pipeline measures the quarter's won and weighted deals against them.
public struct SalesTargets: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let clock: any Clock

    /// "2026-Q4", checked.
    public static func quarter(_ text: String?) throws -> String {
        let text = text ?? ""
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), (2000...2100).contains(year),
              ["Q1", "Q2", "Q3", "Q4"].contains(String(parts[1])) else {
            throw GuanxiError.invalid("quarter", "quarter must look like 2026-Q4.").localized("msg.quarter", ["field": "quarter"])
        }
        return text
    }

    /// The quarter of a day ("2026-11-05" → "2026-Q4").
    public static func quarter(of day: String) -> String {
        let month = Int(day.dropFirst(5).prefix(2)) ?? 1
        return "\(day.prefix(4))-Q\((month - 1) / 3 + 1)"
    }

    /// The people whose targets `actor` may set: those whose deals it may change, not
    /// itself unless it may change everyone's.
    public func settable(by actor: Principal) async throws -> OwnerFilter? {
        guard let scope = actor.scope(for: .update, on: .opportunities), scope > .own else { return nil }
        return try await permissions.ownerFilter(actor, .update, on: .opportunities)
    }

    private func mayTarget(_ owner: UUID, by actor: Principal) async throws -> Bool {
        guard let filter = try await settable(by: actor) else { return false }
        return filter.allows(owner) && (owner != actor.userID || filter == .everyone)
    }

    /// The targets of `owners` for `quarter`.
    public func targets(_ quarter: String, owners: [UUID]) async throws -> [UUID: Money] {
        guard !owners.isEmpty else { return [:] }
        var out: [UUID: Money] = [:]
        for row in try await database.sql.select().columns("owner_id", "amount").from("sales_targets")
            .where("quarter", .equal, quarter).where("owner_id", .in, owners).all() {
            out[try row.decode(column: "owner_id", as: UUID.self)] = Money(minorUnits: try row.decode(column: "amount", as: Int64.self))
        }
        return out
    }

    /// Sets (or, with an empty amount, removes) one seller's target for a quarter; audited
    /// on the seller's record. 404 for someone the actor may not set a target for.
    public func set(_ owner: UUID, quarter: String, amount text: String?, by actor: Principal) async throws {
        let quarter = try Self.quarter(quarter)
        guard try await mayTarget(owner, by: actor), let user = try await User.find(owner, on: database.db) else { throw GuanxiError.notFound("User") }
        let amount = try Money.parse(text, field: "target")
        let old = try await targets(quarter, owners: [owner])[owner]
        guard old != amount else { return }
        try await database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: "sales_targets").where("owner_id", .equal, owner).where("quarter", .equal, quarter).run()
            if let amount {
                try await sql.insert(into: "sales_targets").columns("owner_id", "quarter", "amount", "updated_by", "updated_at")
                    .values(SQLBind(owner), SQLBind(quarter), SQLBind(amount.minorUnits), SQLBind(actor.userID), SQLBind(clock.now())).run()
            }
            try await audit.record(on: tx, actor: actor, action: .update, kind: .users, id: owner.uuidString, label: user.username,
                                   changes: [FieldChange(field: "sales_target", old: old.map { "\(quarter) \($0.decimalText)" },
                                                         new: amount.map { "\(quarter) \($0.decimalText)" })])
        }
    }
}
