import Foundation
import SQLKit

/// Which owners' records a principal may reach for one action on one kind. For kinds
/// with a shared pool (公海), unowned records are open to everyone granted the action:
/// that is what the pool is for.
public enum OwnerFilter: Sendable, Equatable {
    case everyone
    case owners(Set<UUID>, includingPool: Bool)

    public func allows(_ owner: UUID?) -> Bool {
        switch self {
        case .everyone: return true
        case .owners(let set, let pool): return owner.map(set.contains) ?? pool
        }
    }

    /// The SQL condition on `column` (`owner_id`, or `table.owner_id` in a join) that keeps
    /// reachable rows, or nil when all are.
    public func condition(_ column: String = "owner_id") -> (any SQLExpression)? {
        guard case .owners(let ids, let pool) = self else { return nil }
        let parts = column.split(separator: ".").map(String.init)
        let target: any SQLExpression = parts.count == 2 ? SQLColumn(parts[1], table: parts[0]) : SQLIdentifier(column)
        let owned = SQLBinaryExpression(target, .in, SQLGroupExpression(ids.map { SQLBind($0) as any SQLExpression }))
        guard pool else { return ids.isEmpty ? SQLRaw("1 = 0") : owned }
        let unowned = SQLBinaryExpression(target, .is, SQLLiteral.null)
        return ids.isEmpty ? unowned : SQLGroupExpression(SQLBinaryExpression(owned, .or, unowned))
    }
}

/// The one permission check of Guanxi. API handlers, web pages, search, exports and
/// reports all ask it; none filters records on its own.
public struct PermissionService: Sendable {
    package let database: DatabaseService
    /// Whether a kind's unowned records sit in the shared pool; the record-kind registry
    /// answers, so the check names no kind itself.
    package let isPooled: @Sendable (RecordKind) -> Bool

    public init(database: DatabaseService, isPooled: @escaping @Sendable (RecordKind) -> Bool) {
        (self.database, self.isPooled) = (database, isPooled)
    }

    /// Fails with 403 unless the principal may do `action` on some records of `kind`.
    @discardableResult
    public func require(_ principal: Principal, _ action: PermissionAction, on kind: RecordKind) throws -> DataScope {
        guard let scope = principal.scope(for: action, on: kind) else { throw GuanxiError.forbidden }
        return scope
    }

    /// The owners whose records the principal may reach; 403 when it may reach none.
    public func ownerFilter(_ principal: Principal, _ action: PermissionAction, on kind: RecordKind) async throws -> OwnerFilter {
        let scope = try require(principal, action, on: kind)
        return try await owners(in: scope, of: principal, kind: kind)
    }

    /// Checks one record. A record the principal may not even read answers 404, so its
    /// existence does not leak; one it may read but not change answers 403.
    public func requireAccess(_ principal: Principal, _ action: PermissionAction, on kind: RecordKind, owner: UUID?, notFound: GuanxiError) async throws {
        if let refusal = try await accessCheck(principal, action, on: kind, notFound: notFound)(owner) { throw refusal }
    }

    /// `requireAccess` for many records read at once (`found`, of the `ids` asked for):
    /// those the principal may do `action` on, and for every other id the error
    /// `requireAccess` would throw — `notFound` too for one no longer there.
    public func sift<Record>(_ found: [Record], of ids: [UUID], _ principal: Principal, _ action: PermissionAction, on kind: RecordKind, notFound: GuanxiError,
                             id: (Record) -> UUID, owner: (Record) -> UUID?) async throws -> (allowed: [Record], refused: [UUID: GuanxiError]) {
        let check = try await accessCheck(principal, action, on: kind, notFound: notFound)
        var refused = Dictionary(uniqueKeysWithValues: Set(ids).map { ($0, notFound) })
        let allowed = found.filter { record in
            refused[id(record)] = check(owner(record))
            return refused[id(record)] == nil
        }
        return (allowed, refused)
    }

    /// The owners the principal reaches are read once, then each record's owner answers
    /// nil (allowed) or the error `requireAccess` throws.
    private func accessCheck(_ principal: Principal, _ action: PermissionAction, on kind: RecordKind,
                            notFound: GuanxiError) async throws -> @Sendable (_ owner: UUID?) -> GuanxiError? {
        let readable: OwnerFilter? = action == .read ? .everyone : try? await ownerFilter(principal, .read, on: kind)
        var allowed: OwnerFilter?
        if let scope = principal.scope(for: action, on: kind) { allowed = try await owners(in: scope, of: principal, kind: kind) }
        return { [allowed] owner in
            guard readable?.allows(owner) == true else { return notFound }
            guard allowed?.allows(owner) == true else { return action == .read ? notFound : GuanxiError.forbidden }
            return nil
        }
    }

    package func owners(in scope: DataScope, of principal: Principal, kind: RecordKind) async throws -> OwnerFilter {
        let pool = isPooled(kind)
        return switch try await ownerSet(in: scope, of: principal) {
        case nil: .everyone
        case let ids?: .owners(ids, includingPool: pool)
        }
    }

    /// The owners a scope reaches; nil for all of them.
    private func ownerSet(in scope: DataScope, of principal: Principal) async throws -> Set<UUID>? {
        let sql = database.sql
        let me = principal.userID
        switch scope {
        case .all:
            return nil
        case .own:
            return [me]
        case .subordinates:
            let ids = try await sql.raw("""
                WITH RECURSIVE chain(id) AS (
                    SELECT id FROM users WHERE id = \(bind: me)
                    UNION SELECT u.id FROM users u JOIN chain c ON u.manager_id = c.id
                ) SELECT id FROM chain
                """).all(decodingColumn: "id", as: UUID.self)
            return Set(ids).union([me])
        case .department:
            guard let department = principal.departmentID else { return [me] }
            let ids = try await sql.raw("SELECT id FROM users WHERE department_id = \(bind: department)")
                .all(decodingColumn: "id", as: UUID.self)
            return Set(ids).union([me])
        case .departmentTree:
            guard let department = principal.departmentID else { return [me] }
            let ids = try await sql.raw("""
                WITH RECURSIVE tree(id) AS (
                    SELECT id FROM departments WHERE id = \(bind: department)
                    UNION SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id
                ) SELECT u.id AS id FROM users u JOIN tree t ON u.department_id = t.id
                """).all(decodingColumn: "id", as: UUID.self)
            return Set(ids).union([me])
        }
    }
}
