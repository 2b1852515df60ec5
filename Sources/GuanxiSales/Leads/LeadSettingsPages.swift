import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The administrators' lead settings: the lead pool's rules and the assignment rules
/// (territories tried in order, then the fallback team).
package struct LeadSettingsPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/admin/lead-settings")

    package let services: SalesServices

    package struct RuleRow { package let index: Int; package let province: String; package let city: String; package let industry: String; package let targets: [WebChoice] }
    package struct Page {
        package let claimLimit: Int; let returnAfterDays: Int; let rules: [RuleRow]; let fallbackTeams: [WebChoice]
        package let error: String?; let notice: String?
    }

    /// Blank rows offered under the saved rules for adding new ones.
    package static let blankRows = 3

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/lead-settings") { request, context in
            guard context.principal.isAdmin else { throw GuanxiError.forbidden }
            return try await page(context, notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/admin/lead-settings") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            do {
                guard let limit = Int(form["claim_limit"] ?? ""), let days = Int(form["return_after_days"] ?? "") else {
                    throw GuanxiError.invalid("claimLimit", "Enter whole numbers.").localized("msg.whole_numbers", [:])
                }
                let pool = PoolRules(claimLimit: limit, returnAfterDays: days)
                try pool.validate()
                let rules = try Self.rules(form)
                try await services.leadRouter.setRules(rules, by: principal)
                try await services.leadPool.setRules(pool, by: principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
    }

    /// Rows with a target become rules, in order; rows without one are ignored.
    package static func rules(_ form: FormData) throws -> LeadRoutingRules {
        var territories: [LeadRoutingRules.Territory] = []
        var index = 0
        while let target = form["rule_\(index)_target"] {
            defer { index += 1 }
            guard !target.isEmpty else { continue }
            var rule = LeadRoutingRules.Territory(province: form["rule_\(index)_province"], city: form["rule_\(index)_city"], industry: form["rule_\(index)_industry"])
            let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
            let id = try Validate.uuid(parts.last, field: "territories[\(territories.count)]")
            if parts.first == "team" { rule.teamID = id } else { rule.userID = id }
            territories.append(rule)
        }
        return LeadRoutingRules(territories: territories, fallbackTeamID: try Validate.uuid(form["fallback_team"], field: "fallbackTeamId"))
    }

    package func page(_ context: SignedInContext, error: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let pool = try await services.leadPool.rules()
        let routing = try await services.leadRouter.rules()
        let users = try await services.users.list(for: principal, limit: 200).users.filter(\.isActive)
        let teams = try await services.teams.list(for: principal).map(\.team)
        func targets(_ selected: String) -> [WebChoice] {
            [WebChoice(value: "", label: "—", selected: selected.isEmpty)]
                + teams.map { WebChoice(value: "team:\($0.id!.uuidString)", label: "\(t("teams.title")) · \($0.name)", selected: selected == "team:\($0.id!.uuidString)") }
                + users.map { WebChoice(value: "user:\($0.id!.uuidString)", label: $0.displayName, selected: selected == "user:\($0.id!.uuidString)") }
        }
        var rows = routing.territories.enumerated().map { index, rule in
            RuleRow(index: index, province: rule.province ?? "", city: rule.city ?? "", industry: rule.industry ?? "",
                    targets: targets(rule.teamID.map { "team:\($0.uuidString)" } ?? rule.userID.map { "user:\($0.uuidString)" } ?? ""))
        }
        for index in rows.count..<(rows.count + Self.blankRows) { rows.append(RuleRow(index: index, province: "", city: "", industry: "", targets: targets(""))) }
        let model = Page(claimLimit: pool.claimLimit, returnAfterDays: pool.returnAfterDays, rules: rows,
                         fallbackTeams: WebChoice.list(teams.map { $0.id!.uuidString }, selected: routing.fallbackTeamID?.uuidString) { id in
                             teams.first { $0.id?.uuidString == id }?.name ?? id
                         }, error: error, notice: notice)
        return services.renderer.render("admin-lead-settings", titleKey: "lead_settings.title", page: model, context: context, status: status)
    }

    package init(services: SalesServices) { self.services = services }
}
