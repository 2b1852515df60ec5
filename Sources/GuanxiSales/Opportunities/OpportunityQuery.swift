import FluentKit
import FluentSQL
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Filters and order of an opportunity list.
public struct OpportunityFilter: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case name, updated, created }
    public enum Status: String, Sendable, CaseIterable { case open, won, lost }
    public var search: String?
    public var pipelineID: UUID?
    public var stageID: UUID?
    public var ownerID: UUID?
    public var customerID: UUID?
    public var status: Status?
    /// Expected close dates from / to, YYYY-MM-DD, both included.
    public var closeFrom: String?
    public var closeTo: String?
    /// Filters on custom fields, all of which must hold.
    public var custom: [CustomFilter] = []
    /// Sorts by this custom field instead of `sort`.
    public var customSort: String?
    public var customSortDescending = false
    public var sort: Sort = .updated
    public var cursor: String?
    public var limit = 50
    public init() {}
}

/// Lists opportunities through the permission check, a keyset page at a time, and
/// sums them for the kanban board and the forecast.
public struct OpportunityQuery: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let custom: CustomValues

    public func list(_ filter: OpportunityFilter, for actor: Principal) async throws -> (opportunities: [Opportunity], next: String?) {
        let limit = max(1, min(filter.limit, 200))
        // Name and last change have an index to read along, so the page searches along it;
        // creation time and custom fields have not: the index finds every match, sorted.
        let alongOrder = filter.customSort == nil && filter.sort != .created
        let query = try await filtered(filter, for: actor, columns: [SQLColumn(SQLLiteral.all, table: SQLIdentifier("opportunities"))], searchApart: alongOrder)
        let search = alongOrder ? Self.search(filter, engine: database.engine) : nil
        if let key = filter.customSort {
            let sorted = try await custom.sorted(query, by: key, descending: filter.customSortDescending, table: "opportunities", kind: .opportunities)
            let page = try await sorted.keyset.page(sorted.query, as: Opportunity.self, cursor: filter.cursor, limit: limit) { try sorted.value($1) }
            return (page.items, page.next)
        }
        let page = try await Self.keyset(filter.sort).page(query, search: search, cursor: filter.cursor, limit: limit, as: Opportunity.self) { o, _ in
            Self.sortValue(o, filter.sort)
        }
        return (page.items, page.next)
    }

    /// How many opportunities `filter` selects for `actor`, up to `cap` + 1 (`CappedCount`).
    public func count(_ filter: OpportunityFilter, for actor: Principal, cap: Int) async throws -> Int {
        let query = try await filtered(filter, for: actor, columns: [SQLColumn("id", table: "opportunities")], searchApart: false)
        return try await CappedCount.count(query, table: "opportunities", cap: cap, on: database.sql)
    }

    /// Count, amount and weighted amount per stage of the opportunities `filter` keeps.
    public func stageTotals(_ filter: OpportunityFilter, for actor: Principal) async throws -> [UUID: ForecastFigures] {
        let query = try await filtered(filter, for: actor, columns: Self.sums + [SQLAlias(SQLIdentifier("stage_id"), as: SQLIdentifier("k"))])
        return try await Self.figures(query.groupBy("stage_id").all())
    }

    /// The select with the permission check and every filter applied — but the search
    /// term when `searchApart` (a list page searches as it reads, `Keyset.page(_:search:…)`).
    package func filtered(_ filter: OpportunityFilter, for actor: Principal, columns: [any SQLExpression], searchApart: Bool = false) async throws -> SQLSelectBuilder {
        let owners = try await permissions.ownerFilter(actor, .read, on: .opportunities)
        var query = database.sql.select().columns(columns).from("opportunities")
        if let reachable = owners.condition() { query = query.where(reachable) }
        for (column, value) in [("pipeline_id", filter.pipelineID), ("stage_id", filter.stageID), ("owner_id", filter.ownerID), ("customer_id", filter.customerID)] {
            if let value { query = query.where(SQLIdentifier(column), .equal, SQLBind(value)) }
        }
        if let status = filter.status {
            query = query.where(SQLQueryString("stage_id IN (SELECT id FROM pipeline_stages WHERE outcome = \(bind: status.rawValue))"))
        }
        if let from = filter.closeFrom { query = query.where("expected_close", .greaterThanOrEqual, try CustomerValidate.date(from, field: "closeFrom")) }
        if let to = filter.closeTo { query = query.where("expected_close", .lessThanOrEqual, try CustomerValidate.date(to, field: "closeTo")) }
        query = try await custom.constrain(query, table: "opportunities", kind: .opportunities, filters: filter.custom)
        if !searchApart, let search = Self.search(filter, engine: database.engine) { query = query.where(search.indexed) }
        return query
    }

    package static func search(_ filter: OpportunityFilter, engine: SQLEngine) -> SearchCondition? {
        filter.search?.trimmingCharacters(in: .whitespaces).nilIfEmpty.map { SQLSearch.condition("opportunities", $0, engine: engine) }
    }

    package static let sums: [any SQLExpression] = [
        SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")),
        // PostgreSQL sums BIGINTs into NUMERIC; the cast brings both engines back to one type.
        SQLAlias(SQLRaw("CAST(SUM(amount_minor) AS BIGINT)"), as: SQLIdentifier("amount")),
        SQLAlias(SQLRaw("CAST(SUM(amount_minor * probability) AS BIGINT)"), as: SQLIdentifier("weighted")),
    ]

    /// Reads rows of `k`, `n`, `amount`, `weighted` (amount × percent) into figures by key.
    package static func figures<Key: Decodable & Hashable>(_ rows: [any SQLRow], key: Key.Type = UUID.self) throws -> [Key: ForecastFigures] {
        var out: [Key: ForecastFigures] = [:]
        for row in rows {
            out[try row.decode(column: "k", as: Key.self)] = ForecastFigures(
                count: try row.decode(column: "n", as: Int.self), amount: Money(minorUnits: try row.decode(column: "amount", as: Int64?.self) ?? 0),
                weighted: Money(minorUnits: ((try row.decode(column: "weighted", as: Int64?.self) ?? 0) + 50) / 100))
        }
        return out
    }

    package static func keyset(_ sort: OpportunityFilter.Sort) -> Keyset {
        switch sort {
        case .name: .text("name")
        case .updated: .time("updated_at")
        case .created: .time("created_at")
        }
    }

    package static func sortValue(_ o: Opportunity, _ sort: OpportunityFilter.Sort) -> Keyset.Value {
        switch sort {
        case .name: .text(o.name)
        case .updated: .time(o.updatedAt)
        case .created: .time(o.createdAt)
        }
    }
}

/// How many deals, for how much, and how much weighted by their probability.
public struct ForecastFigures: Sendable, Equatable {
    public var count: Int
    public var amount: Money
    /// Σ amount × probability ÷ 100, rounded half up once over the sum.
    public var weighted: Money
    public static let zero = ForecastFigures(count: 0, amount: Money(minorUnits: 0), weighted: Money(minorUnits: 0))

    public static func + (a: Self, b: Self) -> Self {
        Self(count: a.count + b.count, amount: a.amount + b.amount, weighted: a.weighted + b.weighted)
    }
}
