import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The opportunity form. The stage select lists every pipeline's stages ("pipeline ›
/// stage"), so choosing a stage also chooses the pipeline.
package struct OpportunityForm {
    package let services: SalesServices

    package static let textFields = ["name", "amount", "currency", "expected_close", "probability", "source", "loss_reason", "notes"]

    package struct TextField { package let name: String; package let label: String; package let value: String; package let saved: String?; package let multiline: Bool; package let type: String }
    /// A choice field; `pick` names the kind a record picker searches (`RecordPicker`),
    /// `pickCustomer` the field whose customer narrows it.
    package struct Select {
        package let name: String; let label: String; let options: [WebChoice]; var pick: String? = nil; var pickCustomer: String? = nil
    }
    package struct Check { package let value: String; package let label: String; package let checked: Bool }
    package struct Page {
        package let isNew: Bool; let id: String; let version: Int; let title: String; let texts: [TextField]; let selects: [Select]
        package let competitors: [Check]; let custom: [CustomFieldForm.Input]; let error: String?; let conflict: Bool
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/opportunities/new") { request, context in
            try services.permissions.require(context.principal, .create, on: .opportunities)
            let customer = try Validate.uuid(request.uri.queryParameters["customer"].map(String.init), field: "customerId")
            return try await render(nil, customerID: customer, context: context)
        }
        web.post("/opportunities/new") { request, context in
            let form = try await request.form(context: context)
            do {
                let o = try await services.opportunities.create(try Self.input(form, custom: try await services.customValues.fields(of: .opportunities)), by: context.principal)
                return WebRenderer.redirect(OpportunityPages.url.appending(o.id!).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation {
                return try await render(nil, customerID: try? Validate.uuid(form["customer_id"], field: "customerId"), form: form, context: context,
                                        error: error, status: .badRequest)
            }
        }
        web.get("/opportunities/:id/edit") { _, context in
            let o = try await services.opportunities.find(try OpportunityPages(services: services).id(context), for: context.principal, action: .update)
            return try await render(o, customerID: o.customerID, context: context)
        }
        web.post("/opportunities/:id/edit") { request, context in
            let principal = context.principal
            let dealID = try OpportunityPages(services: services).id(context)
            let form = try await request.form(context: context)
            do {
                var input = try Self.input(form, custom: try await services.customValues.fields(of: .opportunities))
                // A stage change with the probability left as it was takes the new stage's default.
                let before = try await services.opportunities.find(dealID, for: principal, action: .update)
                if let stage = input.stageID, stage != before.stageID, input.probability == before.probability { input.probability = nil }
                _ = try await services.opportunities.update(dealID, input, expectedVersion: Int(form["version"] ?? ""), by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.code == "version_conflict" {
                let current = try await services.opportunities.find(dealID, for: principal, action: .update)
                return try await render(current, customerID: current.customerID, form: form, context: context, error: error,
                                        status: error.kind == .validation ? .badRequest : .conflict)
            }
            return WebRenderer.redirect(OpportunityPages.url.appending(dealID).notice("saved"))
        }
    }

    package static func input(_ form: FormData, custom: [CustomField]) throws -> OpportunityInput {
        var input = OpportunityInput()
        input.customFields = CustomFieldForm.values(form, fields: custom)
        (input.name, input.amount, input.currency, input.expectedClose) = (form["name"], form["amount"], form["currency"], form["expected_close"])
        (input.source, input.lossReason, input.notes) = (form["source"], form["loss_reason"], form["notes"])
        if let p = form["probability"], !p.isEmpty {
            guard let value = Int(p) else {
                throw GuanxiError.invalid("probability", "probability must be from 0 to 100.").localized("msg.range", ["field": "probability", "min": "0", "max": "100"])
            }
            input.probability = value
        }
        if let v = form["customer_id"] { input.customerID = .some(try Validate.uuid(v, field: "customerId")) }
        if let v = form["contact_id"] { input.contactID = .some(try Validate.uuid(v, field: "contactId")) }
        if let v = form["owner_id"] { input.ownerID = .some(try Validate.uuid(v, field: "ownerId")) }
        input.stageID = try Validate.uuid(form["stage_id"], field: "stageId")
        input.competitorIDs = try form.values("competitor").compactMap { try Validate.uuid($0, field: "competitorIds") }
        return input
    }

    package func render(_ o: Opportunity?, customerID: UUID?, form: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil,
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let conflict = error?.code == "version_conflict"
        let saved: [String: String?] = [
            "name": o?.name, "amount": o.map { $0.amount.decimalText }, "currency": o?.currency ?? "CNY", "expected_close": o?.expectedClose,
            "probability": o.map { String($0.probability) }, "source": o?.source, "loss_reason": o?.lossReason, "notes": o?.notes,
        ]
        let texts = Self.textFields.map { name in
            let stored = saved[name] ?? nil
            let typed = form?[name]
            return TextField(name: name, label: t("opportunity_fields.\(name)"), value: typed ?? stored ?? "",
                             saved: conflict && typed != nil && typed != (stored ?? "") ? (stored ?? "—") : nil,
                             multiline: name == "notes", type: name == "expected_close" ? "date" : "text")
        }
        let customers = try await RecordPicker(services: services.customerFile).choices(.customers, chosen: form?["customer_id"] ?? customerID?.uuidString, for: principal)
        // Someone who may not read contacts still makes deals, without naming a contact.
        let readsContacts = principal.scope(for: .read, on: .contacts) != nil
        let contacts = readsContacts
            ? try await RecordPicker(services: services.customerFile).choices(.contacts, chosen: form?["contact_id"] ?? o?.contactID?.uuidString, for: principal,
                                                                          atCustomer: customerID, narrowed: true)
            : [WebChoice(value: "", label: "—", selected: true)]
        let owners = try await services.users.pickable(for: principal)
        let pipelines = try await services.pipelines.list()
        let stageNow = form?["stage_id"] ?? o?.stageID.uuidString ?? ""
        let stageOptions = [WebChoice(value: "", label: t("opportunities.first_stage"), selected: stageNow.isEmpty)] + pipelines.flatMap { p in
            p.stages.map { WebChoice(value: $0.id!.uuidString, label: "\(p.pipeline.name) › \($0.name) (\($0.probability) %)", selected: $0.id!.uuidString == stageNow) }
        }
        let selects = [
            Select(name: "customer_id", label: t("kinds.customers"), options: customers, pick: "customers"),
            Select(name: "contact_id", label: t("kinds.contacts"), options: contacts,
                   pick: readsContacts ? "contacts" : nil, pickCustomer: readsContacts ? "customer_id" : nil),
            Select(name: "stage_id", label: t("opportunity_fields.stage"), options: stageOptions),
            Select(name: "owner_id", label: t("customer_fields.owner"),
                   options: WebChoice.list(owners.map { $0.id!.uuidString }, selected: form?["owner_id"] ?? (o == nil ? principal.userID.uuidString : o?.ownerID?.uuidString)) { id in
                       owners.first { $0.id?.uuidString == id }?.displayName ?? id
                   }, pick: "users"),
        ]
        var savedCompetitors: [String] = []
        if let id = o?.id { savedCompetitors = try await services.opportunities.competitorIDs(of: id).map(\.uuidString) }
        let chosen = Set(form?.values("competitor") ?? savedCompetitors)
        let competitors = (try? await services.competitors.list(for: principal)) ?? []
        let page = Page(isNew: o == nil, id: o?.id?.uuidString ?? "", version: o?.version ?? 0, title: o?.name ?? t("opportunities.new"),
                        texts: texts, selects: selects,
                        competitors: competitors.map { Check(value: $0.id!.uuidString, label: $0.name, checked: chosen.contains($0.id!.uuidString)) },
                        custom: try await CustomFieldForm(services: services.customerFile).inputs(.opportunities, recordID: o?.id,
                                                                                      typed: form, locale: context.locale),
                        error: error.map { services.localizer.message(for: $0, context.locale) }, conflict: conflict)
        return services.renderer.render("opportunity-form", titleKey: o == nil ? "opportunities.new" : "opportunities.edit", page: page, context: context, status: status)
    }
}
