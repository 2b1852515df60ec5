import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The forecast page: by expected close month and by owner, for one pipeline or all.
package struct ForecastPage {
    package let services: SalesServices

    package struct Row { package let label: String; package let openCount: Int; package let openAmount: String; package let weighted: String; package let wonCount: Int; package let wonAmount: String }
    package struct Page { package let pipelines: [WebChoice]; package let from: String; package let to: String; package let months: [Row]; package let owners: [Row]; package let total: Row }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/opportunities/forecast") { request, context in
            let principal = context.principal
            try services.permissions.require(principal, .read, on: .opportunities)
            let q = request.uri.queryParameters
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let pipelineID = try Validate.uuid(q["pipeline"].map(String.init), field: "pipelineId")
            let from = q["from"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let to = q["to"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let months = try await services.forecast.rows(pipelineID: pipelineID, from: from, to: to, by: .month, for: principal)
            let owners = try await services.forecast.rows(pipelineID: pipelineID, from: from, to: to, by: .owner, for: principal)
            let names = try await services.users.names(of: owners.compactMap { UUID(uuidString: $0.key) })
            func row(_ label: String, _ r: Forecast.Row) -> Row {
                Row(label: label, openCount: r.open.count, openAmount: r.open.amount.display, weighted: r.open.weighted.display,
                    wonCount: r.won.count, wonAmount: r.won.amount.display)
            }
            let total = months.reduce(Forecast.Row(key: "", open: .zero, won: .zero)) { Forecast.Row(key: "", open: $0.open + $1.open, won: $0.won + $1.won) }
            let pipelines = try await services.pipelines.list().map(\.pipeline)
            let page = Page(
                pipelines: WebChoice.list(pipelines.map { $0.id!.uuidString }, selected: pipelineID?.uuidString) { id in pipelines.first { $0.id?.uuidString == id }?.name ?? id },
                from: from ?? "", to: to ?? "", months: months.map { row($0.key, $0) },
                owners: owners.map { row(UUID(uuidString: $0.key).flatMap { names[$0] } ?? t("customers.pool"), $0) },
                total: row(t("forecast.total"), total))
            return services.renderer.render("forecast", titleKey: "forecast.title", page: page, context: context)
        }
    }
}
