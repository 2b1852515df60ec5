import FluentKit
import FluentSQL
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Filters and order of a lead list.
public struct LeadFilter: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case name, updated, created }
    /// Part of the name, company, e-mail or WeChat ID; or of the phone, matched on digits.
    public var search: String?
    public var ownerID: UUID?
    /// Only leads in the shared pool (no owner).
    public var inPool = false
    public var status: String?
    public var rating: String?
    public var source: String?
    /// Filters on custom fields, all of which must hold.
    public var custom: [CustomFilter] = []
    /// Sorts by this custom field instead of `sort`.
    public var customSort: String?
    public var customSortDescending = false
    public var sort: Sort = .created
    public var cursor: String?
    /// A data-quality check the records must fail (`QualityRule`), with the day "stale" begins.
    public var quality: QualityRule?
    public var qualityCutoff = Date.distantPast
    public var limit = 50
    public init() {}
}

/// Lists leads through the permission check, a keyset page at a time.
public struct LeadQuery: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let custom: CustomValues

    /// The leads `filter` selects that `actor` may read, and the search term's
    /// condition (kept apart: `Keyset.page` decides how to apply it).
    func filtered(_ filter: LeadFilter, for actor: Principal) async throws -> (query: SQLSelectBuilder, search: SearchCondition?) {
        let owners = try await permissions.ownerFilter(actor, .read, on: .leads)
        var query = database.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("leads"))).from("leads")
        if let reachable = owners.condition() { query = query.where(reachable) }
        if filter.inPool { query = query.where("owner_id", .is, SQLLiteral.null) }
        if let v = filter.ownerID { query = query.where("owner_id", .equal, v) }
        for (column, value) in [("status", filter.status), ("rating", filter.rating), ("source", filter.source)] {
            if let value, !value.isEmpty { query = query.where(SQLIdentifier(column), .equal, SQLBind(value)) }
        }
        if let quality = filter.quality { query = query.where(quality.condition(Lead.quality, cutoff: filter.qualityCutoff)) }
        query = try await custom.constrain(query, table: "leads", kind: .leads, filters: filter.custom)
        let search = filter.search?.trimmingCharacters(in: .whitespaces).nilIfEmpty.map { SQLSearch.condition("leads", $0, engine: database.engine) }
        return (query, search)
    }

    /// How many leads `filter` selects for `actor`, up to `cap` + 1 (`CappedCount`).
    public func count(_ filter: LeadFilter, for actor: Principal, cap: Int) async throws -> Int {
        let (query, search) = try await filtered(filter, for: actor)
        return try await CappedCount.count(query, table: "leads", search: search, cap: cap, on: database.sql)
    }

    public func list(_ filter: LeadFilter, for actor: Principal) async throws -> (leads: [Lead], next: String?) {
        let limit = max(1, min(filter.limit, 200))
        let selected = try await filtered(filter, for: actor)
        var query = selected.query
        let search = selected.search
        if let key = filter.customSort {
            // A custom field's order has no index to read along: every match, sorted.
            if let search { query = query.where(search.indexed) }
            let sorted = try await custom.sorted(query, by: key, descending: filter.customSortDescending, table: "leads", kind: .leads)
            let page = try await sorted.keyset.page(sorted.query, as: Lead.self, cursor: filter.cursor, limit: limit) { try sorted.value($1) }
            return (page.items, page.next)
        }
        let page = try await Self.keyset(filter.sort).page(query, search: search, cursor: filter.cursor, limit: limit, as: Lead.self) { l, _ in
            Self.sortValue(l, filter.sort)
        }
        return (page.items, page.next)
    }

    package static func keyset(_ sort: LeadFilter.Sort) -> Keyset {
        switch sort {
        // By pinyin (`Pinyin.sortKey`), the order a Chinese reader looks a name up in.
        case .name: .text("name_sort")
        case .updated: .time("updated_at")
        case .created: .time("created_at")
        }
    }

    package static func sortValue(_ lead: Lead, _ sort: LeadFilter.Sort) -> Keyset.Value {
        switch sort {
        case .name: .text(lead.nameSort ?? "")
        case .updated: .time(lead.updatedAt)
        case .created: .time(lead.createdAt)
        }
    }
}
