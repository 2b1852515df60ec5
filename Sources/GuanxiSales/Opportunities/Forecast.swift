import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// The sales forecast: opportunities grouped by the month they are expected to close,
/// or by owner, with what is still open (and its weighted value) beside what was won.
/// Lost deals are left out. Only deals the reader may see are counted.
public struct Forecast: Sendable {
    public enum Grouping: String, Sendable, CaseIterable { case month, owner, stage }

    public struct Row: Sendable, Equatable {
        /// "2026-11" for a month; the owner's id (or "" for the pool) for an owner; the
        /// stage's id for a stage.
        public var key: String
        public var open: ForecastFigures
        public var won: ForecastFigures
    }

    package let query: OpportunityQuery
    package let pipelines: PipelineService

    /// Rows in key order; `from`/`to` bound the expected close date (YYYY-MM-DD).
    public func rows(pipelineID: UUID?, from: String?, to: String?, by grouping: Grouping, ownerID: UUID? = nil, for actor: Principal) async throws -> [Row] {
        var filter = OpportunityFilter()
        filter.pipelineID = pipelineID
        filter.ownerID = ownerID
        filter.closeFrom = from
        filter.closeTo = to
        let key: any SQLExpression = switch grouping {
        case .month: SQLFunction("substr", args: SQLIdentifier("expected_close"), SQLLiteral.numeric("1"), SQLLiteral.numeric("7"))
        case .owner: SQLIdentifier("owner_id")
        case .stage: SQLIdentifier("stage_id")
        }
        // One pass over the deals, grouped by key and stage; each stage's outcome then says
        // whether its figures are open or won (lost deals are left out).
        let outcomes = Dictionary(uniqueKeysWithValues: try await pipelines.list().flatMap(\.stages).map { ($0.id!, $0.outcome) })
        var select = try await query.filtered(filter, for: actor, columns: OpportunityQuery.sums + [
            SQLAlias(key, as: SQLIdentifier("k")), SQLAlias(SQLIdentifier("stage_id"), as: SQLIdentifier("stage")),
        ])
        if grouping == .month { select = select.where("expected_close", .isNot, SQLLiteral.null) }
        // Sums are added up raw (amount × percent) and rounded once per figure, as documented.
        var raw: [String: (open: (Int, Int64, Int64), won: (Int, Int64, Int64))] = [:]
        for row in try await select.groupBy(key).groupBy("stage_id").all() {
            let k = grouping == .month ? try row.decode(column: "k", as: String.self) : try row.decode(column: "k", as: UUID?.self)?.uuidString ?? ""
            let outcome = outcomes[try row.decode(column: "stage", as: UUID.self)] ?? "open"
            guard outcome != "lost" else { continue }
            let sums = (try row.decode(column: "n", as: Int.self), try row.decode(column: "amount", as: Int64?.self) ?? 0,
                        try row.decode(column: "weighted", as: Int64?.self) ?? 0)
            var entry = raw[k] ?? ((0, 0, 0), (0, 0, 0))
            if outcome == "won" { entry.won = (entry.won.0 + sums.0, entry.won.1 + sums.1, entry.won.2 + sums.2) }
            else { entry.open = (entry.open.0 + sums.0, entry.open.1 + sums.1, entry.open.2 + sums.2) }
            raw[k] = entry
        }
        func figures(_ t: (Int, Int64, Int64)) -> ForecastFigures {
            ForecastFigures(count: t.0, amount: Money(minorUnits: t.1), weighted: Money(minorUnits: (t.2 + 50) / 100))
        }
        let out = raw.mapValues { Row(key: "", open: figures($0.open), won: figures($0.won)) }.map { k, row in Row(key: k, open: row.open, won: row.won) }
        return out.sorted { $0.key < $1.key }
    }
}

extension Forecast {
    /// The analytics dashboard's pipeline chart: the weighted value still open, by the
    /// month deals are expected to close; its CSV has the open, weighted and won sums.
    package var dashboardFigure: DashboardFigure {
        DashboardFigure(key: "forecast", titleKey: "analytics.forecast", readers: .opportunities, header: ["month", "open", "weighted", "won"]) { principal in
            try await rows(pipelineID: nil, from: nil, to: nil, by: .month, for: principal).map {
                DashboardFigure.Bar(label: $0.key, value: Double($0.open.weighted.minorUnits), text: $0.open.weighted.display,
                                    cells: [$0.key, $0.open.amount.decimalText, $0.open.weighted.decimalText, $0.won.amount.decimalText])
            }
        }
    }
}
