import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// The figures behind the analytics dashboard, each read through the permission check:
/// segment sizes, the spread of lifetime value and the at-risk valuable customers count
/// only the customers the reader may see; the revenue concentration and the cross-sell
/// rules describe the whole file, so only readers of every customer get them.
package struct AnalyticsDashboard: Sendable {
    package let services: CustomerFileServices

    package struct AtRisk: Sendable { package let id: UUID; package let name: String; package let owner: String; package let tier: String; package let lifetimeValue: Money; package let probabilityActive: Double? }

    /// Lifetime value bands in yuan: the lower bound of each.
    package static let valueBands: [Int64] = [0, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000]

    /// Customers the reader may see, as a condition on `customer_scores`. For a download
    /// (`exporting`), those the reader may also export, as a list's export is.
    package func visible(_ principal: Principal, exporting: Bool = false) async throws -> (any SQLExpression)? {
        var conditions: [any SQLExpression] = []
        for action in exporting ? [PermissionAction.read, .export] : [.read] {
            if let condition = try await services.permissions.ownerFilter(principal, action, on: .customers).condition() { conditions.append(condition) }
        }
        guard !conditions.isEmpty else { return nil }
        return SQLQueryString("customer_id IN (SELECT id FROM customers WHERE \(SQLList(conditions, separator: SQLRaw(" AND "))))")
    }

    package func wholeFile(_ principal: Principal, exporting: Bool = false) -> Bool {
        principal.scope(for: .read, on: .customers) == .all && (!exporting || principal.scope(for: .export, on: .customers) == .all)
    }

    /// RFM segment → customers, in the grid's order of value.
    package func segments(for principal: Principal, exporting: Bool = false) async throws -> [(segment: String, count: Int)] {
        var query = services.database.sql.select().column("rfm_segment").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("customer_scores").where("rfm_segment", .isNot, SQLLiteral.null)
        if let visible = try await visible(principal, exporting: exporting) { query = query.where(visible) }
        let counts = Dictionary(uniqueKeysWithValues: try await query.groupBy("rfm_segment").all().map {
            (try $0.decode(column: "rfm_segment", as: String.self), try $0.decode(column: "n", as: Int.self))
        })
        return CustomerSegments.all.map { ($0, counts[$0] ?? 0) }
    }

    /// Customers per lifetime-value band (`valueBands`), counted in one pass by the database.
    package func lifetimeValueBands(for principal: Principal, exporting: Bool = false) async throws -> [(from: Int64, count: Int)] {
        let bands = Self.valueBands
        var cases = "CASE"
        for (i, lower) in bands.enumerated().reversed() { cases += " WHEN clv >= \(lower * 100) THEN \(i)" }
        cases += " ELSE 0 END"
        var query = services.database.sql.select().column(SQLRaw(cases), as: "band").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("customer_scores").where("clv", .isNot, SQLLiteral.null)
        if let visible = try await visible(principal, exporting: exporting) { query = query.where(visible) }
        let counts = Dictionary(uniqueKeysWithValues: try await query.groupBy(SQLRaw(cases)).all().map {
            (try $0.decode(column: "band", as: Int.self), try $0.decode(column: "n", as: Int.self))
        })
        return bands.enumerated().map { ($1, counts[$0] ?? 0) }
    }

    /// VIP and high-value customers at risk or lost, most valuable first.
    package func atRisk(for principal: Principal, limit: Int = 20, exporting: Bool = false) async throws -> [AtRisk] {
        var query = services.database.sql.select().columns("customer_id", "value_tier", "clv", "probability_active").from("customer_scores")
            .where("value_tier", .in, ["vip", "high"]).where("lifecycle_stage", .in, ["at_risk", "lost"])
        if let visible = try await visible(principal, exporting: exporting) { query = query.where(visible) }
        let rows = try await query.orderBy("clv", .descending).limit(limit).all()
        let ids = try rows.map { try $0.decode(column: "customer_id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }
        let customers = try await services.database.sql.select().columns("id", "name", "owner_id").from("customers").where("id", .in, ids).all()
        var names: [UUID: (String, UUID?)] = [:]
        for row in customers { names[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "name", as: String.self), try row.decode(column: "owner_id", as: UUID?.self)) }
        let owners = try await services.users.names(of: names.values.compactMap(\.1))
        return try rows.map { row in
            let id = try row.decode(column: "customer_id", as: UUID.self)
            return AtRisk(id: id, name: names[id]?.0 ?? "", owner: names[id]?.1.flatMap { owners[$0] } ?? "",
                          tier: try row.decode(column: "value_tier", as: String.self),
                          lifetimeValue: Money(minorUnits: try row.decode(column: "clv", as: Int64?.self) ?? 0),
                          probabilityActive: try row.decode(column: "probability_active", as: Double?.self))
        }
    }

    /// Customer ids of a segment, value tiers and lifecycle stages (each optional) that the
    /// reader may see.
    package func customers(inSegment segment: String?, tiers: [String], stages: [String], for principal: Principal, limit: Int) async throws -> [UUID] {
        var query = services.database.sql.select().column("customer_id").from("customer_scores")
        if let segment { query = query.where("rfm_segment", .equal, segment) }
        if !tiers.isEmpty { query = query.where("value_tier", .in, tiers) }
        if !stages.isEmpty { query = query.where("lifecycle_stage", .in, stages) }
        if let visible = try await visible(principal) { query = query.where(visible) }
        return try await query.orderBy("customer_id").limit(limit).all().map { try $0.decode(column: "customer_id", as: UUID.self) }
    }
}
