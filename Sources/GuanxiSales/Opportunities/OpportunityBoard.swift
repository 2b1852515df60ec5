import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The kanban board of one pipeline: a column per stage with its open deals and its
/// totals. Dragging a card onto another column submits the card's stage form (app.js);
/// without JavaScript the same form works with its select and button.
package struct OpportunityBoard {
    package let services: SalesServices

    /// Cards shown per column; the column's totals still count every deal in it.
    package static let cardsPerColumn = 50

    /// A deal's card; `amountMinor` and `weightedMinor` let the board's script move its
    /// figures from one column's totals to another's.
    package struct Card { package let id: String; package let name: String; package let customer: String; package let amount: String; package let amountMinor: Int64; package let weightedMinor: Int64; package let close: String; package let version: Int; package let stages: [WebChoice] }
    package struct Column {
        package let id: String; package let name: String; package let probability: Int; package let closed: Bool; package let outcome: String
        package let count: Int; package let amount: String; package let weighted: String; package let amountMinor: Int64; package let weightedMinor: Int64
        package let cards: [Card]; package let more: Bool
    }
    package struct Page { package let pipelineID: String; package let pipelines: [WebChoice]; package let columns: [Column]; package let openAmount: String; package let openWeighted: String; package let notice: String? }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/opportunities/board") { request, context in
            let principal = context.principal
            try services.permissions.require(principal, .read, on: .opportunities)
            let all = try await services.pipelines.list()
            let wanted = try Validate.uuid(request.uri.queryParameters["pipeline"].map(String.init), field: "pipelineId")
            guard let current = all.first(where: { $0.pipeline.id == wanted }) ?? all.first else { throw GuanxiError.notFound("Pipeline") }
            var filter = OpportunityFilter()
            filter.pipelineID = current.pipeline.id
            let totals = try await services.opportunityQuery.stageTotals(filter, for: principal)
            let pages = OpportunityPages(services: services)
            var columns: [Column] = []
            for stage in current.stages {
                filter.stageID = stage.id
                filter.limit = Self.cardsPerColumn
                let deals = try await services.opportunityQuery.list(filter, for: principal)
                let customers = await pages.customerNames(deals.opportunities.map(\.customerID), principal: principal)
                let figures = totals[stage.id!] ?? .zero
                columns.append(Column(
                    id: stage.id!.uuidString, name: stage.name, probability: stage.probability, closed: stage.isClosed, outcome: stage.outcome, count: figures.count,
                    amount: figures.amount.display, weighted: figures.weighted.display, amountMinor: figures.amount.minorUnits, weightedMinor: figures.weighted.minorUnits,
                    cards: deals.opportunities.map { o in
                        Card(id: o.id!.uuidString, name: o.name, customer: customers[o.customerID] ?? "", amount: "\(o.amount.display) \(o.currency)",
                             amountMinor: o.amount.minorUnits, weightedMinor: o.amount.weighted(byPercent: o.probability).minorUnits,
                             close: o.expectedClose ?? "", version: o.version,
                             stages: current.stages.map { WebChoice(value: $0.id!.uuidString, label: $0.name, selected: $0.id == o.stageID) })
                    }, more: deals.next != nil))
            }
            let open = current.stages.filter { !$0.isClosed }.reduce(ForecastFigures.zero) { $0 + (totals[$1.id!] ?? .zero) }
            let page = Page(pipelineID: current.pipeline.id!.uuidString,
                            pipelines: all.map { WebChoice(value: $0.pipeline.id!.uuidString, label: $0.pipeline.name, selected: $0.pipeline.id == current.pipeline.id) },
                            columns: columns, openAmount: open.amount.display, openWeighted: open.weighted.display,
                            notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
            return services.renderer.render("opportunity-board", titleKey: "opportunities.board", page: page, context: context)
        }
    }
}
