import Foundation
import Hummingbird
import GuanxiPlatform

/// Administrators' page for custom fields: every kind's fields, a form to add one, and
/// per field a form to relabel it, change its choices or whether it is required.
package struct CustomFieldPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/admin/custom-fields")

    package static let menu = MenuEntry.administrators("/admin/custom-fields", titleKey: "nav.custom_fields")

    package let services: CustomerFileServices

    package struct Row { package let id: String; package let kind: String; package let key: String; package let label: String; package let type: String; package let choices: String; package let required: Bool }
    package struct Page {
        package let rows: [Row]; let kinds: [WebChoice]; let types: [WebChoice]; let key: String; let label: String; let choices: String
        package let error: String?; let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/custom-fields") { request, context in
            guard context.principal.isAdmin else { throw GuanxiError.forbidden }
            return try await page(context, notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/admin/custom-fields") { request, context in
            let form = try await request.form(context: context)
            var input = CustomFieldInput()
            (input.recordKind, input.key, input.label, input.type) = (form["record_kind"], form["key"], form["label"], form["type"])
            input.choices = Self.lines(form["choices"])
            input.required = form["required"] == "on"
            do {
                _ = try await services.customFields.create(input, by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, typed: form, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
        web.post("/admin/custom-fields/:id") { request, context in
            let form = try await request.form(context: context)
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Custom field"))
            do {
                if form["delete"] == "on" {
                    try await services.customFields.delete(id, by: context.principal)
                } else {
                    var input = CustomFieldInput()
                    input.label = form["label"]
                    input.choices = form["choices"].map { Self.lines($0) }
                    input.required = form["required"] == "on"
                    _ = try await services.customFields.update(id, input, by: context.principal)
                }
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
    }

    package static func lines(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    package func page(_ context: SignedInContext, typed: FormData? = nil, error: String? = nil, notice: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        guard context.principal.isAdmin else { throw GuanxiError.forbidden }
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let rows = try await services.customFields.list().map {
            Row(id: $0.id!.uuidString, kind: t("kinds.\($0.recordKind)"), key: $0.key, label: $0.label, type: t("custom_fields.type_\($0.type)"),
                choices: $0.choices.joined(separator: "\n"), required: $0.required)
        }
        let model = Page(
            rows: rows,
            kinds: WebChoice.list(services.customFields.kinds.map(\.rawValue), selected: typed?["record_kind"] ?? "customers", allowEmpty: false) { t("kinds.\($0)") },
            types: WebChoice.list(CustomFieldType.allCases.map(\.rawValue), selected: typed?["type"] ?? "text", allowEmpty: false) { t("custom_fields.type_\($0)") },
            key: typed?["key"] ?? "", label: typed?["label"] ?? "", choices: typed?["choices"] ?? "", error: error, notice: notice)
        return services.renderer.render("admin-custom-fields", titleKey: "custom_fields.title", page: model, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
