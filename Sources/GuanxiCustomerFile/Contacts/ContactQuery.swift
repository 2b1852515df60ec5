import FluentKit
import FluentSQL
import Foundation
import SQLKit
import GuanxiPlatform

public struct ContactFilter: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case name, updated }
    /// Part of the name, WeChat ID or an e-mail; or three or more digits of a phone.
    public var search: String?
    public var customerID: UUID?
    /// Filters on custom fields, all of which must hold.
    public var custom: [CustomFilter] = []
    /// Sorts by this custom field instead of `sort`.
    public var customSort: String?
    public var customSortDescending = false
    public var sort: Sort = .name
    public var cursor: String?
    /// A data-quality check the records must fail (`QualityRule`), with the day "stale" begins.
    public var quality: QualityRule?
    public var qualityCutoff = Date.distantPast
    public var limit = 50
    public init() {}
}

/// Lists contacts through the permission check, a keyset page at a time.
public struct ContactQuery: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let custom: CustomValues

    /// The contacts `filter` selects that `actor` may read, and the search term's
    /// condition (kept apart: `Keyset.page` decides how to apply it).
    func filtered(_ filter: ContactFilter, for actor: Principal) async throws -> (query: SQLSelectBuilder, search: SearchCondition?) {
        let owners = try await permissions.ownerFilter(actor, .read, on: .contacts)
        var query = database.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("contacts"))).from("contacts")
        if let reachable = owners.condition() { query = query.where(reachable) }
        if let customer = filter.customerID { query = query.where("customer_id", .equal, customer) }
        if let quality = filter.quality { query = query.where(quality.condition(Contact.quality, cutoff: filter.qualityCutoff)) }
        query = try await custom.constrain(query, table: "contacts", kind: .contacts, filters: filter.custom)
        let search = filter.search?.trimmingCharacters(in: .whitespaces).nilIfEmpty.map { SQLSearch.condition("contacts", $0, engine: database.engine) }
        return (query, search)
    }

    /// How many contacts `filter` selects for `actor`, up to `cap` + 1 (`CappedCount`).
    public func count(_ filter: ContactFilter, for actor: Principal, cap: Int) async throws -> Int {
        let (query, search) = try await filtered(filter, for: actor)
        return try await CappedCount.count(query, table: "contacts", search: search, cap: cap, on: database.sql)
    }

    /// A page of contacts as plain values (`Contact.Values`): for showing, not for changing.
    package func list(_ filter: ContactFilter, for actor: Principal) async throws -> (contacts: [Contact.Values], next: String?) {
        let limit = max(1, min(filter.limit, 500))
        let selected = try await filtered(filter, for: actor)
        var query = selected.query
        let search = selected.search
        if let key = filter.customSort {
            // A custom field's order has no index to read along: every match, sorted.
            if let search { query = query.where(search.indexed) }
            let sorted = try await custom.sorted(query, by: key, descending: filter.customSortDescending, table: "contacts", kind: .contacts)
            let page = try await sorted.keyset.page(sorted.query, as: Contact.Values.self, cursor: filter.cursor, limit: limit) { try sorted.value($1) }
            return (page.items, page.next)
        }
        // By pinyin (`Pinyin.sortKey`), the order a Chinese reader looks a name up in.
        let keyset: Keyset = filter.sort == .name ? .text("name_sort") : .time("updated_at")
        let page = try await keyset.page(query, search: search, cursor: filter.cursor, limit: limit, as: Contact.Values.self) { c, _ in
            filter.sort == .name ? .text(c.nameSort ?? "") : .time(c.updatedAt)
        }
        return (page.items, page.next)
    }

    /// The ids of the contacts `filter` selects, in its order, at most `limit`; nil for a
    /// custom field's order (read page by page instead).
    public func ids(_ filter: ContactFilter, limit: Int, for actor: Principal) async throws -> [UUID]? {
        guard filter.customSort == nil else { return nil }
        var (query, search) = try await filtered(filter, for: actor)
        if let search { query = query.where(search.indexed) }
        let keyset: Keyset = filter.sort == .name ? .text("name_sort") : .time("updated_at")
        return try await keyset.ids(query, table: "contacts", limit: limit)
    }

    /// The channels of many contacts in one query, for list pages.
    public func channels(of ids: [UUID]) async throws -> [UUID: [ContactChannel]] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: [ContactChannel]] = [:]
        for row in try await database.sql.select().columns("contact_id", "kind", "label", "value").from("contact_channels")
            .where("contact_id", .in, ids).orderBy("kind").orderBy("position").all() {
            guard let kind = ContactChannel.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            out[try row.decode(column: "contact_id", as: UUID.self), default: []].append(
                ContactChannel(kind: kind, value: try row.decode(column: "value", as: String.self), label: try row.decode(column: "label", as: String?.self)))
        }
        return out
    }
}
