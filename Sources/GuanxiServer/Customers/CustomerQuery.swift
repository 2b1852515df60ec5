import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Filters and order of a customer list.
public struct CustomerFilter: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case name, updated, created }
    /// Part of the name, e-mail or website; or of the phone number, matched on digits.
    public var search: String?
    public var ownerID: UUID?
    /// Only customers in the shared pool (no owner).
    public var inPool = false
    public var kind: String?
    public var relationship: String?
    public var grade: String?
    public var valueTier: String?
    public var lifecycleStage: String?
    public var province: String?
    public var city: String?
    public var industry: String?
    public var tag: String?
    public var sort: Sort = .name
    /// The `next` of the previous page.
    public var cursor: String?
    public var limit = 50
    public init() {}
}

/// Lists customers a page at a time through the permission check. Pages are found by
/// keyset (the last row's sort value and id), never by counting or skipping rows.
public struct CustomerQuery: Sendable {
    let database: DatabaseService
    let permissions: PermissionService

    public func list(_ filter: CustomerFilter, for actor: Principal) async throws -> (customers: [Customer], next: String?) {
        let owners = try await permissions.ownerFilter(actor, .read, on: .customers)
        let limit = max(1, min(filter.limit, 200))
        let sql = database.sql
        var query = sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("customers"))).from("customers")
        if case .owners(let ids) = owners { query = query.where("owner_id", .in, Array(ids)) }
        if filter.inPool { query = query.where("owner_id", .is, SQLLiteral.null) }
        if let v = filter.ownerID { query = query.where("owner_id", .equal, v) }
        for (column, value) in [("kind", filter.kind), ("relationship", filter.relationship), ("grade", filter.grade), ("value_tier", filter.valueTier),
                                ("lifecycle_stage", filter.lifecycleStage), ("province", filter.province), ("city", filter.city), ("industry", filter.industry)] {
            if let value, !value.isEmpty { query = query.where(SQLIdentifier(column), .equal, SQLBind(value)) }
        }
        if let tag = filter.tag, !tag.isEmpty {
            query = query.where(SQLQueryString("id IN (SELECT customer_id FROM customer_tags WHERE tag = \(bind: tag))"))
        }
        if let search = filter.search?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            query = query.where(searchCondition(search))
        }
        query = try keyset(query, filter)
        let rows = try await query.limit(limit + 1).all()
        var customers = try rows.map { try $0.decode(fluentModel: Customer.self) }
        let more = customers.count > limit
        if more { customers.removeLast() }
        return (customers, more ? customers.last.map { Self.cursor(for: $0, sort: filter.sort) } : nil)
    }

    /// Substring match on name, e-mail and website, plus the phone's digits when the term
    /// has three or more. LIKE wildcards in the term are matched literally. PostgreSQL's
    /// ILIKE uses the trigram index on names; SQLite's LIKE ignores ASCII case already.
    func searchCondition(_ term: String) -> any SQLExpression {
        let like = database.engine == .postgres ? "ILIKE" : "LIKE"
        let pattern = "%" + Self.escapeLike(term) + "%"
        var parts: [any SQLExpression] = ["name", "email", "website"].map {
            SQLQueryString("\(unsafeRaw: $0) \(unsafeRaw: like) \(bind: pattern) ESCAPE '\\'") as any SQLExpression
        }
        let digits = term.filter(\.isASCII).filter(\.isNumber)
        if digits.count >= 3 { parts.append(SQLQueryString("phone_digits LIKE \(bind: "%\(digits)%")")) }
        return SQLGroupExpression(SQLList(parts, separator: SQLRaw(" OR ")))
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// Orders by the chosen sort and the id, and starts after the cursor's row.
    private func keyset(_ query: SQLSelectBuilder, _ filter: CustomerFilter) throws -> SQLSelectBuilder {
        let (column, ascending): (String, Bool) = switch filter.sort {
        case .name: ("name", true)
        case .updated: ("updated_at", false)
        case .created: ("created_at", false)
        }
        var query = query
        if let cursor = filter.cursor {
            guard let (value, id) = Self.parse(cursor) else {
                throw GuanxiError.invalid("cursor", "cursor is not one this list returned.").localized("msg.bad_cursor", [:])
            }
            guard filter.sort == .name || Double(value) != nil else {
                throw GuanxiError.invalid("cursor", "cursor is not one this list returned.").localized("msg.bad_cursor", [:])
            }
            let bound: any Encodable & Sendable = filter.sort == .name ? value : Date(timeIntervalSince1970: Double(value)!)
            let op = ascending ? ">" : "<"
            query = query.where(SQLQueryString("(\(unsafeRaw: column) \(unsafeRaw: op) \(bind: bound) OR (\(unsafeRaw: column) = \(bind: bound) AND id \(unsafeRaw: op) \(bind: id)))"))
        }
        return query.orderBy(column, ascending ? .ascending : .descending).orderBy("id", ascending ? .ascending : .descending)
    }

    static func cursor(for customer: Customer, sort: CustomerFilter.Sort) -> String {
        let value = switch sort {
        case .name: customer.name
        case .updated: String(customer.updatedAt.timeIntervalSince1970)
        case .created: String(customer.createdAt.timeIntervalSince1970)
        }
        return Data("\(value)\u{1F}\(customer.id!.uuidString)".utf8).base64EncodedString()
    }

    static func parse(_ cursor: String) -> (String, UUID)? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        return (String(parts[0]), id)
    }
}
