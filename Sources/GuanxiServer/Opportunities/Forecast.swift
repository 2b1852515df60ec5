import FluentKit
import Foundation
import SQLKit

/// The sales forecast: opportunities grouped by the month they are expected to close,
/// or by owner, with what is still open (and its weighted value) beside what was won.
/// Lost deals are left out. Only deals the reader may see are counted.
public struct Forecast: Sendable {
    public enum Grouping: String, Sendable, CaseIterable { case month, owner }

    public struct Row: Sendable, Equatable {
        /// "2026-11" for a month; the owner's id (or "" for the pool) for an owner.
        public var key: String
        public var open: ForecastFigures
        public var won: ForecastFigures
    }

    let query: OpportunityQuery

    /// Rows in key order; `from`/`to` bound the expected close date (YYYY-MM-DD).
    public func rows(pipelineID: UUID?, from: String?, to: String?, by grouping: Grouping, for actor: Principal) async throws -> [Row] {
        var filter = OpportunityFilter()
        filter.pipelineID = pipelineID
        filter.closeFrom = from
        filter.closeTo = to
        let key: any SQLExpression = switch grouping {
        case .month: SQLFunction("substr", args: SQLIdentifier("expected_close"), SQLLiteral.numeric("1"), SQLLiteral.numeric("7"))
        case .owner: SQLIdentifier("owner_id")
        }
        var out: [String: Row] = [:]
        for outcome in [OpportunityFilter.Status.open, .won] {
            filter.status = outcome
            var select = try await query.filtered(filter, for: actor, columns: OpportunityQuery.sums + [SQLAlias(key, as: SQLIdentifier("k"))])
            let figures: [String: ForecastFigures]
            switch grouping {
            case .month:
                select = select.where("expected_close", .isNot, SQLLiteral.null)
                figures = try OpportunityQuery.figures(try await select.groupBy(key).all(), key: String.self)
            case .owner:
                let byOwner = try OpportunityQuery.figures(try await select.groupBy(key).all(), key: UUID?.self)
                figures = Dictionary(uniqueKeysWithValues: byOwner.map { ($0.key?.uuidString ?? "", $0.value) })
            }
            for (k, value) in figures {
                var row = out[k] ?? Row(key: k, open: .zero, won: .zero)
                if outcome == .open { row.open = value } else { row.won = value }
                out[k] = row
            }
        }
        return out.values.sorted { $0.key < $1.key }
    }
}
