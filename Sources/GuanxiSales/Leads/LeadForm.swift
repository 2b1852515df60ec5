import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The lead form, for a new lead and for changes. After a rejected save it shows what
/// was typed; after a version conflict, the saved value beside each field that differs.
package struct LeadForm {
    package let services: SalesServices

    package static let textFields = ["name", "company", "title", "phone", "email", "wechat", "province", "city", "industry", "source", "status_reason", "notes"]
    /// The owner select's value for "let the assignment rules choose".
    package static let byRules = "rules"

    package struct TextField { package let name: String; package let label: String; package let value: String; package let saved: String?; package let multiline: Bool }
    /// A choice field; `pick` names the kind a record picker searches (`RecordPicker`).
    package struct Select { package let name: String; package let label: String; package let options: [WebChoice]; package var pick: String? = nil }
    package struct Page { package let isNew: Bool; package let id: String; package let version: Int; package let title: String; package let texts: [TextField]; package let selects: [Select]; package let custom: [CustomFieldForm.Input]; package let error: String?; package let conflict: Bool }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/leads/new") { _, context in
            try services.permissions.require(context.principal, .create, on: .leads)
            return try await render(nil, context: context)
        }
        web.post("/leads/new") { request, context in
            let form = try await request.form(context: context)
            do {
                let lead = try await services.leads.create(try Self.input(form, custom: try await services.customValues.fields(of: .leads)), by: context.principal)
                return WebRenderer.redirect(LeadPages.url.appending(lead.id!).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation {
                return try await render(nil, form: form, context: context, error: error, status: .badRequest)
            }
        }
        web.get("/leads/:id/edit") { _, context in
            let lead = try await services.leads.find(try LeadPages(services: services).id(context), for: context.principal, action: .update)
            return try await render(lead, context: context)
        }
        web.post("/leads/:id/edit") { request, context in
            let principal = context.principal
            let leadID = try LeadPages(services: services).id(context)
            let form = try await request.form(context: context)
            do {
                _ = try await services.leads.update(leadID, try Self.input(form, custom: try await services.customValues.fields(of: .leads)), expectedVersion: Int(form["version"] ?? ""), by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.code == "version_conflict" {
                let current = try await services.leads.find(leadID, for: principal, action: .update)
                return try await render(current, form: form, context: context, error: error, status: error.kind == .validation ? .badRequest : .conflict)
            }
            return WebRenderer.redirect(LeadPages.url.appending(leadID).notice("saved"))
        }
    }

    package static func input(_ form: FormData, custom: [CustomField]) throws -> LeadInput {
        var input = LeadInput()
        input.customFields = CustomFieldForm.values(form, fields: custom)
        (input.name, input.company, input.title, input.phone, input.email) = (form["name"], form["company"], form["title"], form["phone"], form["email"])
        (input.wechat, input.province, input.city, input.industry, input.source) = (form["wechat"], form["province"], form["city"], form["industry"], form["source"])
        (input.status, input.statusReason, input.rating, input.notes) = (form["status"], form["status_reason"], form["rating"], form["notes"])
        if let owner = form["owner_id"] {
            input.assignment = owner == byRules ? .byRules : .owner(try Validate.uuid(owner, field: "ownerId"))
        }
        return input
    }

    package func render(_ lead: Lead?, form: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil,
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let conflict = error?.code == "version_conflict"
        let l = lead
        let saved: [String: String?] = [
            "name": l?.name, "company": l?.company, "title": l?.title, "phone": l?.phone, "email": l?.email, "wechat": l?.wechat,
            "province": l?.province, "city": l?.city, "industry": l?.industry, "source": l?.source, "status_reason": l?.statusReason, "notes": l?.notes,
        ]
        let texts = Self.textFields.map { name in
            let stored = saved[name] ?? nil
            let typed = form?[name]
            return TextField(name: name, label: t("lead_fields.\(name)"), value: typed ?? stored ?? "",
                             saved: conflict && typed != nil && typed != (stored ?? "") ? (stored ?? "—") : nil,
                             multiline: name == "notes" || name == "status_reason")
        }
        let owners = try await services.users.pickable(for: principal)
        let ownerNow = form?["owner_id"] ?? (l == nil ? principal.userID.uuidString : l?.ownerID?.uuidString ?? "")
        let ownerOptions = [WebChoice(value: Self.byRules, label: t("leads.by_rules"), selected: ownerNow == Self.byRules),
                            WebChoice(value: "", label: t("customers.pool"), selected: ownerNow.isEmpty)]
            + owners.map { WebChoice(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString == ownerNow) }
        let selects = [
            Select(name: "status", label: t("lead_fields.status"),
                   options: WebChoice.list(LeadVocabulary.editableStatuses, selected: form?["status"] ?? l?.status ?? "new", allowEmpty: false) { t("lead_statuses.\($0)") }),
            Select(name: "rating", label: t("lead_fields.rating"),
                   options: WebChoice.list(LeadVocabulary.ratings, selected: form?["rating"] ?? l?.rating) { t("lead_ratings.\($0)") }),
            Select(name: "owner_id", label: t("customer_fields.owner"), options: ownerOptions, pick: "users"),
        ]
        let page = Page(isNew: l == nil, id: l?.id?.uuidString ?? "", version: l?.version ?? 0, title: l?.name ?? t("leads.new"),
                        texts: texts, selects: selects,
                        custom: try await CustomFieldForm(services: services.customerFile).inputs(.leads, recordID: l?.id,
                                                                                      typed: form, locale: context.locale),
                        error: error.map { services.localizer.message(for: $0, context.locale) }, conflict: conflict)
        return services.renderer.render("lead-form", titleKey: l == nil ? "leads.new" : "leads.edit", page: page, context: context, status: status)
    }
}
