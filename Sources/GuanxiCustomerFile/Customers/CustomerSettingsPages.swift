import Foundation
import Hummingbird
import GuanxiPlatform

/// The administrators' settings for the customer file: the grade scale and the rules
/// of the shared pool.
package struct CustomerSettingsPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/admin/settings")

    package static let menu = MenuEntry.administrators("/admin/settings", titleKey: "nav.settings")

    package let services: CustomerFileServices

    package struct Page { package let grades: String; package let claimLimit: Int; package let returnAfterDays: Int; package let error: String?; package let notice: String? }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/settings") { request, context in
            guard context.principal.isAdmin else { throw GuanxiError.forbidden }
            return try await page(context, notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/admin/settings") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            do {
                let grades = (form["grades"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard let limit = Int(form["claim_limit"] ?? ""), let days = Int(form["return_after_days"] ?? "") else {
                    throw GuanxiError.invalid("claimLimit", "Enter whole numbers.").localized("msg.whole_numbers", [:])
                }
                let pool = PoolRules(claimLimit: limit, returnAfterDays: days)
                try pool.validate()
                try await services.settings.setCustomerGrades(grades, by: principal)
                try await services.customerPool.setRules(pool, by: principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
    }

    package func page(_ context: SignedInContext, error: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let rules = try await services.customerPool.rules()
        let model = Page(grades: try await services.settings.customerGrades().joined(separator: "\n"), claimLimit: rules.claimLimit,
                         returnAfterDays: rules.returnAfterDays, error: error, notice: notice)
        return services.renderer.render("admin-settings", titleKey: "settings.title", page: model, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
