import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The conversion page: the lead's probable matches are offered first, so the person
/// converting picks the existing customer and contact instead of creating duplicates.
package struct LeadConvertPage {
    package let services: SalesServices

    package struct Option { package let value: String; package let label: String; package let detail: String; package let checked: Bool }
    package struct Page {
        package let id: String; let name: String; let version: Int; let customers: [Option]; let contacts: [Option]; let customerName: String
        package let createOpportunity: Bool; let opportunityName: String; let amount: String; let expectedClose: String; let pipelines: [WebChoice]
        /// The new customer's custom fields (the `custom-inputs` partial reads `custom`).
        package let custom: [CustomFieldForm.Input]
        package let error: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/leads/:id/convert") { _, context in try await render(try LeadPages(services: services).id(context), context: context) }
        web.post("/leads/:id/convert") { request, context in
            let principal = context.principal
            let leadID = try LeadPages(services: services).id(context)
            let form = try await request.form(context: context)
            do {
                let result = try await services.leadConversion.convert(leadID, try Self.input(form, customerFields: try await services.customValues.fields(of: .customers)), expectedVersion: Int(form["version"] ?? ""), by: principal)
                return WebRenderer.redirect(CustomerPages.url.appending(result.customerID).notice("converted"))
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await render(leadID, form: form, context: context, error: error, status: error.kind == .validation ? .badRequest : .conflict)
            }
        }
    }

    package static func input(_ form: FormData, customerFields: [CustomField]) throws -> LeadConversionInput {
        var input = LeadConversionInput()
        input.customerCustomFields = CustomFieldForm.values(form, fields: customerFields)
        switch form["customer"] ?? "new" {
        case "new": input.customerName = form["customer_name"]
        case let id: input.customerID = try Validate.uuid(id, field: "customerId")
        }
        switch form["contact"] ?? "new" {
        case "new": input.createContact = true
        case "none": input.createContact = false
        case let id: input.contactID = try Validate.uuid(id, field: "contactId")
        }
        if form["create_opportunity"] == "on" {
            var o = OpportunityInput()
            o.name = form["opportunity_name"].flatMap { $0.isEmpty ? nil : $0 }
            o.amount = form["amount"]
            o.expectedClose = form["expected_close"]
            o.pipelineID = try Validate.uuid(form["pipeline_id"], field: "pipelineId")
            input.opportunity = o
        }
        return input
    }

    package func render(_ leadID: UUID, form: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil,
                status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let lead = try await services.leads.find(leadID, for: principal, action: .update)
        guard !lead.isConverted else { throw LeadService.converted }
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let matches = try await services.leadConversion.matches(for: leadID, by: principal)
        let reasons = { (m: LeadMatches.Match) in m.reasons.map { t("leads.match_\($0)") }.joined(separator: ", ") }
        // With a match on offer the match is pre-selected: reusing is the safe default.
        let customerChoice = form?["customer"] ?? matches.customers.first?.id.uuidString ?? "new"
        let contactChoice = form?["contact"] ?? matches.contacts.first?.id.uuidString ?? "new"
        let customers = matches.customers.map { Option(value: $0.id.uuidString, label: $0.name, detail: reasons($0), checked: customerChoice == $0.id.uuidString) }
            + [Option(value: "new", label: t("leads.new_customer"), detail: "", checked: customerChoice == "new")]
        var workplaces: [UUID: String] = [:]
        for id in Set(matches.contacts.compactMap(\.customerID)) { workplaces[id] = try? await services.customers.find(id, for: principal).name }
        let contacts = matches.contacts.map { m in
            Option(value: m.id.uuidString, label: m.name, detail: ([m.customerID.flatMap { workplaces[$0] }].compactMap { $0 } + [reasons(m)]).joined(separator: " · "),
                   checked: contactChoice == m.id.uuidString)
        }
            + [Option(value: "new", label: t("leads.new_contact"), detail: "", checked: contactChoice == "new"),
               Option(value: "none", label: t("leads.no_contact"), detail: "", checked: contactChoice == "none")]
        let pipelines = try await services.pipelines.list()
        let page = Page(
            id: leadID.uuidString, name: lead.name, version: lead.version, customers: customers, contacts: contacts,
            customerName: form?["customer_name"] ?? lead.company ?? lead.name,
            createOpportunity: form.map { $0["create_opportunity"] == "on" } ?? true,
            opportunityName: form?["opportunity_name"] ?? lead.company ?? lead.name, amount: form?["amount"] ?? "", expectedClose: form?["expected_close"] ?? "",
            pipelines: WebChoice.list(pipelines.map { $0.pipeline.id!.uuidString }, selected: form?["pipeline_id"] ?? pipelines.first?.pipeline.id?.uuidString,
                                      allowEmpty: false) { id in pipelines.first { $0.pipeline.id?.uuidString == id }?.pipeline.name ?? id },
            custom: try await CustomFieldForm(services: services.customerFile).inputs(.customers, recordID: nil, typed: form, locale: context.locale),
            error: error.map { services.localizer.message(for: $0, context.locale) })
        return services.renderer.render("lead-convert", titleKey: "leads.convert", page: page, context: context, status: status)
    }
}
