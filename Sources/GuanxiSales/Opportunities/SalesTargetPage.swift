import FluentKit
import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// `/opportunities/targets?quarter=2026-Q4`: a manager's sellers with their target for the
/// quarter, what they have won and what is weighted to close in it, and the share of the
/// target each reaches; the targets are set on the same page.
package struct SalesTargetPage {
    package static let url = SiteURL("/opportunities/targets")

    package let services: SalesServices

    package struct Row { package let id: String; let name: String; let target: String; let won: String; let weighted: String; let reached: String; let forecast: String }
    package struct Page {
        package let quarter: String; let previous: String; let next: String; let rows: [Row]; let error: String?; let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/opportunities/targets") { request, context in
            let quarter = try SalesTargets.quarter(request.uri.queryParameters["quarter"].map(String.init) ?? current(context))
            return try await page(quarter, context: context,
                                  notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/opportunities/targets") { request, context in
            let form = try await request.form(context: context)
            let quarter = try SalesTargets.quarter(form["quarter"])
            let sent = form.all.keys.filter { $0.hasPrefix("target_") }.compactMap { key in UUID(uuidString: String(key.dropFirst(7))).map { ($0, form[key]) } }
            do {
                // Every amount is checked before any is saved: a typo saves nothing.
                for (_, amount) in sent { _ = try Money.parse(amount, field: "target") }
                for (owner, amount) in sent { try await services.targets.set(owner, quarter: quarter, amount: amount, by: context.principal) }
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(quarter, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.with("quarter", quarter).notice("saved"))
        }
    }

    func current(_ context: SignedInContext) -> String {
        let quarter = OpportunityPages.quarter(containing: services.customerFile.clock.now(), timeZone: TimeZone(identifier: context.principal.timeZone) ?? .current)
        return SalesTargets.quarter(of: quarter.from)
    }

    /// The first and last day of "2026-Q4".
    static func days(of quarter: String) -> (from: String, to: String) {
        let year = String(quarter.prefix(4))
        let q = Int(quarter.suffix(1)) ?? 1
        let last = q * 3
        let lastDay = [3: 31, 6: 30, 9: 30, 12: 31][last] ?? 31
        return (String(format: "%@-%02d-01", year, last - 2), String(format: "%@-%02d-%02d", year, last, lastDay))
    }

    static func shift(_ quarter: String, by step: Int) -> String {
        let index = (Int(quarter.prefix(4)) ?? 2026) * 4 + (Int(quarter.suffix(1)) ?? 1) - 1 + step
        return "\(index / 4)-Q\(index % 4 + 1)"
    }

    func page(_ quarter: String, context: SignedInContext, notice: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        guard let filter = try await services.targets.settable(by: principal) else { throw GuanxiError.forbidden }
        // Everyone active for a head of sales; otherwise the people whose deals they may change.
        let query = User.query(on: services.database.db).filter(\.$isActive == true)
        if case .owners(let ids, _) = filter { query.filter(\.$id ~~ Array(ids.subtracting([principal.userID]))) }
        var users = try await query.limit(500).all()
        users.sort { Pinyin.sortKey($0.displayName, person: true) < Pinyin.sortKey($1.displayName, person: true) }
        let days = Self.days(of: quarter)
        let figures = Dictionary(uniqueKeysWithValues: try await services.forecast.rows(pipelineID: nil, from: days.from, to: days.to, by: .owner, for: principal)
            .map { ($0.key, $0) })
        let targets = try await services.targets.targets(quarter, owners: users.compactMap(\.id))
        func percent(_ part: Int64, of whole: Money?) -> String {
            guard let whole, whole.minorUnits > 0 else { return "" }
            return "\(Int((Double(part) / Double(whole.minorUnits) * 100).rounded())) %"
        }
        let rows = users.map { user in
            let f = figures[user.id!.uuidString]
            let won = f?.won.amount.minorUnits ?? 0, weighted = f?.open.weighted.minorUnits ?? 0
            let target = targets[user.id!]
            return Row(id: user.id!.uuidString, name: user.displayName, target: target?.decimalText ?? "", won: Money(minorUnits: won).display,
                       weighted: Money(minorUnits: weighted).display, reached: percent(won, of: target), forecast: percent(won + weighted, of: target))
        }
        let model = Page(quarter: quarter, previous: Self.shift(quarter, by: -1), next: Self.shift(quarter, by: 1), rows: rows, error: error, notice: notice)
        return services.renderer.render("sales-targets", titleKey: "targets.title", page: model, context: context, status: status)
    }

    package init(services: SalesServices) { self.services = services }
}
