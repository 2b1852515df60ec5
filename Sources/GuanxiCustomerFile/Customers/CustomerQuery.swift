import FluentKit
import FluentSQL
import Foundation
import SQLKit
import GuanxiPlatform

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
    /// The RFM segment the latest analytics run put the customer in.
    public var segment: String?
    public var province: String?
    public var city: String?
    public var industry: String?
    public var tag: String?
    /// Filters on custom fields, all of which must hold.
    public var custom: [CustomFilter] = []
    /// Sorts by this custom field instead of `sort`.
    public var customSort: String?
    public var customSortDescending = false
    public var sort: Sort = .name
    /// The `next` of the previous page.
    public var cursor: String?
    /// A data-quality check the records must fail (`QualityRule`), with the day "stale" begins.
    public var quality: QualityRule?
    public var qualityCutoff = Date.distantPast
    public var limit = 50
    public init() {}
}

/// Lists customers a page at a time through the permission check. Pages are found by
/// keyset (the last row's sort value and id), never by counting or skipping rows.
public struct CustomerQuery: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let custom: CustomValues

    /// The customers `filter` selects that `actor` may read, and the search term's
    /// condition (kept apart: `Keyset.page` decides how to apply it).
    func filtered(_ filter: CustomerFilter, for actor: Principal) async throws -> (query: SQLSelectBuilder, search: SearchCondition?) {
        let owners = try await permissions.ownerFilter(actor, .read, on: .customers)
        let sql = database.sql
        var query = sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("customers"))).from("customers")
        if let reachable = owners.condition() { query = query.where(reachable) }
        if filter.inPool { query = query.where("owner_id", .is, SQLLiteral.null) }
        if let v = filter.ownerID { query = query.where("owner_id", .equal, v) }
        for (column, value) in [("kind", filter.kind), ("relationship", filter.relationship), ("grade", filter.grade), ("value_tier", filter.valueTier),
                                ("lifecycle_stage", filter.lifecycleStage), ("province", filter.province), ("city", filter.city), ("industry", filter.industry)] {
            if let value, !value.isEmpty { query = query.where(SQLIdentifier(column), .equal, SQLBind(value)) }
        }
        if let segment = filter.segment, !segment.isEmpty {
            query = query.where(SQLQueryString("id IN (SELECT customer_id FROM customer_scores WHERE rfm_segment = \(bind: segment))"))
        }
        if let tag = filter.tag, !tag.isEmpty {
            query = query.where(SQLQueryString("id IN (SELECT customer_id FROM customer_tags WHERE tag = \(bind: tag))"))
        }
        if let quality = filter.quality { query = query.where(quality.condition(Customer.quality, cutoff: filter.qualityCutoff)) }
        query = try await custom.constrain(query, table: "customers", kind: .customers, filters: filter.custom)
        let search = filter.search?.trimmingCharacters(in: .whitespaces).nilIfEmpty.map { SQLSearch.condition("customers", $0, engine: database.engine) }
        return (query, search)
    }

    /// How many customers `filter` selects for `actor`, up to `cap` + 1 (`CappedCount`).
    public func count(_ filter: CustomerFilter, for actor: Principal, cap: Int) async throws -> Int {
        let (query, search) = try await filtered(filter, for: actor)
        return try await CappedCount.count(query, table: "customers", search: search, cap: cap, on: database.sql)
    }

    /// A page of customers as plain values (`Customer.Values`): for showing, not for changing.
    package func list(_ filter: CustomerFilter, for actor: Principal) async throws -> (customers: [Customer.Values], next: String?) {
        let limit = max(1, min(filter.limit, 200))
        var (query, search) = try await filtered(filter, for: actor)
        // Name and last change have an index to read along; creation time and custom fields
        // have not: there the index finds every match, and they are sorted.
        if filter.customSort != nil || filter.sort == .created, let every = search {
            query = query.where(every.indexed)
            search = nil
        }
        if let key = filter.customSort {
            let sorted = try await custom.sorted(query, by: key, descending: filter.customSortDescending, table: "customers", kind: .customers)
            let page = try await sorted.keyset.page(sorted.query, as: Customer.Values.self, cursor: filter.cursor, limit: limit) { try sorted.value($1) }
            return (page.items, page.next)
        }
        let page = try await Self.keyset(filter.sort).page(query, search: search, cursor: filter.cursor, limit: limit, as: Customer.Values.self) { c, _ in
            Self.sortValue(c, filter.sort)
        }
        return (page.items, page.next)
    }

    /// The ids of the customers `filter` selects, in its order, at most `limit`; nil for a
    /// custom field's order (read page by page instead).
    public func ids(_ filter: CustomerFilter, limit: Int, for actor: Principal) async throws -> [UUID]? {
        guard filter.customSort == nil else { return nil }
        var (query, search) = try await filtered(filter, for: actor)
        if let search { query = query.where(search.indexed) }
        return try await Self.keyset(filter.sort).ids(query, table: "customers", limit: limit)
    }

    /// The names of the customers among `ids` the actor may read, in one query — for the
    /// customer column of contact, deal and activity lists.
    public func names(of ids: [UUID], for actor: Principal) async throws -> [UUID: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        let owners = try await permissions.ownerFilter(actor, .read, on: .customers)
        var query = database.sql.select().columns("id", "name").from("customers").where("id", .in, unique)
        if let reachable = owners.condition() { query = query.where(reachable) }
        var out: [UUID: String] = [:]
        for row in try await query.all() { out[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self) }
        return out
    }

    package static func keyset(_ sort: CustomerFilter.Sort) -> Keyset {
        switch sort {
        // By pinyin (`Pinyin.sortKey`), the order a Chinese reader looks a name up in.
        case .name: .text("name_sort")
        case .updated: .time("updated_at")
        case .created: .time("created_at")
        }
    }

    package static func sortValue(_ customer: Customer.Values, _ sort: CustomerFilter.Sort) -> Keyset.Value {
        switch sort {
        case .name: .text(customer.nameSort ?? "")
        case .updated: .time(customer.updatedAt)
        case .created: .time(customer.createdAt)
        }
    }
}
