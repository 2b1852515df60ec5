import FluentKit
import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// Leads on the web: the list (with the pool), the lead page, claim, release and delete.
package struct LeadPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/leads")

    package static let menu = MenuEntry("/leads", titleKey: "nav.leads", readers: .leads)

    package let services: SalesServices

    package struct ListPage {
        package let next: String?; let q: String; let canCreate: Bool
        package let statuses: [WebChoice]; let ratings: [WebChoice]; let pool: Bool
        package let cf: String; let sorts: [WebChoice]; let descending: Bool; let table: ListTable.Part
    }
    package struct Link { package let label: String; package let href: String }
    package struct DetailPage {
        package let id: String; let name: String; let version: Int; let header: RecordHeader; let groups: [WebFieldGroup]; let notes: String; let hasNotes: Bool
        package let canEdit: Bool; let canDelete: Bool; let canConvert: Bool; let inPool: Bool; let converted: [Link]; let isConverted: Bool
        package let timeline: TimelineView.Part; let attachments: AttachmentPages.Part; let ways: DataQualityPages.WaysPart; let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/leads") { request, context in try await list(request, context) }
        web.get("/leads/:id") { request, context in
            try await detail(try id(context), context: context,
                             notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/leads/:id/claim") { _, context in
            let leadID = try id(context)
            do {
                _ = try await services.leadPool.claim(leadID, by: context.principal)
            } catch let error as GuanxiError where error.kind == .conflict {
                return try await detail(leadID, context: context, notice: services.localizer.message(for: error, context.locale))
            }
            return WebRenderer.redirect(Self.url.appending(leadID).notice("claimed"))
        }
        web.post("/leads/:id/release") { _, context in
            let leadID = try id(context)
            _ = try await services.leadPool.release(leadID, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(leadID).notice("released"))
        }
        inlineRoute.register("/leads", notFound: "Lead", on: web, localizer: services.localizer)
        DeletionQuestion(services: services.customerFile).register(.leads, on: web)
        web.post("/leads/:id/delete") { request, context in
            let form = try await request.form(context: context)
            try await services.leads.delete(try id(context), expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            return WebRenderer.redirect(Self.url)
        }
        LeadForm(services: services).register(on: web)
        LeadConvertPage(services: services).register(on: web)
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Lead"))
    }

    package func list(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let table = ListTable(services: services.customerFile)
        if let view = q["view"], q["opened"] == nil { return try await table.open(String(view), path: Self.url.description, context: context) }
        let list = LeadList(services: services)
        var filter = try list.filter(q)
        filter.cursor = q["after"].map(String.init)
        let sort = q["sort"].map(String.init) ?? "created"
        // Counted on a read connection of its own while the page is read.
        async let total = services.leadQuery.count(filter, for: principal, cap: ListTable.countLimit(request))
        let page = try await services.leadQuery.list(filter, for: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let columns = try await list.columns(for: page.leads, principal: principal, locale: context.locale)
        let model = ListPage(
            next: page.next, q: filter.search ?? "",
            canCreate: principal.scope(for: .create, on: .leads) != nil,
            statuses: WebChoice.list(LeadVocabulary.statuses, selected: filter.status) { t("lead_statuses.\($0)") },
            ratings: WebChoice.list(LeadVocabulary.ratings, selected: filter.rating) { t("lead_ratings.\($0)") }, pool: filter.inPool,
            cf: q.getAll("cf").first.map { String($0) } ?? "", sorts: try await table.sorts(.leads, builtIn: ["created", "updated", "name"], selected: sort, locale: context.locale),
            descending: filter.customSortDescending,
            table: try await table.part(.leads, path: Self.url.description, records: page.leads, title: \.name, builtIn: columns,
                                        defaults: list.defaultColumns, next: page.next, sorts: ["created", "name", "updated"], total: try await total, request: request, context: context))
        return services.renderer.render("leads", titleKey: "leads.title", page: model, context: context)
    }

    package func detail(_ id: UUID, context: SignedInContext, notice: String?) async throws -> Response {
        let principal = context.principal
        let l = try await services.leads.find(id, for: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let owners = try await services.users.names(of: l.ownerID.map { [$0] } ?? [])
        let owner = l.ownerID.map { owners[$0] ?? "" } ?? t("customers.pool")
        let may = { (action: PermissionAction) async -> Bool in
            (try? await services.permissions.requireAccess(principal, action, on: .leads, owner: l.ownerID, notFound: .notFound("Lead"))) != nil
        }
        let canEdit = await may(.update)
        // A converted lead is a record of what happened: it changes no more.
        let edit = InlineEditor(record: Self.url.appending(id), version: l.version, enabled: canEdit && !l.isConverted)
        func text(_ name: String, _ label: String, _ value: String?, type: String = "text") -> WebField {
            WebField(label: t(label), value: value ?? "").editable(edit.text(name, value, type: type))
        }
        let status = WebField(label: t("lead_fields.status"), value: t("lead_statuses.\(l.status)") + (l.statusReason.map { " · \($0)" } ?? ""))
        let rating = WebField(label: t("lead_fields.rating"), value: l.rating.map { t("lead_ratings.\($0)") } ?? "")
            .editable(edit.select("rating", l.rating, WebChoice.list(LeadVocabulary.ratings, selected: l.rating) { t("lead_ratings.\($0)") }))
        let company = text("company", "lead_fields.company", l.company)
        let ownerField = WebField(label: t("customer_fields.owner"), value: owner)
        let phone = WebField.phone(label: t("customer_fields.phone"), value: l.phone).editable(edit.text("phone", l.phone, type: "tel"))
        let email = WebField.email(label: t("customer_fields.email"), value: l.email).editable(edit.text("email", l.email, type: "email"))
        let fields = [
            company, text("title", "lead_fields.title", l.title), status, rating, ownerField, phone, email,
            text("wechat", "contact_fields.wechat", l.wechat),
            WebField(label: t("customer_fields.region"), value: [l.province, l.city].compactMap { $0 }.joined(separator: " ")),
            text("industry", "customer_fields.industry", l.industry), text("source", "customer_fields.source", l.source),
            WebField(label: t("lead_fields.created"), value: format.dateTime(l.createdAt)),
            WebField(label: t("lead_fields.converted_at"), value: l.convertedAt.map(format.dateTime) ?? ""),
        ]
        var converted: [Link] = []
        if let c = l.convertedCustomerID { converted.append(Link(label: t("kinds.customers"), href: CustomerPages.url.appending(c).description)) }
        if let c = l.convertedContactID { converted.append(Link(label: t("kinds.contacts"), href: ContactPages.url.appending(c).description)) }
        if let o = l.convertedOpportunityID { converted.append(Link(label: t("kinds.opportunities"), href: OpportunityPages.url.appending(o).description)) }
        let timeline = try await TimelineView(services: services.customerFile).part(of: .leads, id: id, principal: principal, locale: context.locale)
        let custom = try await CustomFieldForm(services: services.customerFile).display(.leads, values: try await services.customValues.values(of: .leads, id: id), locale: context.locale)
        let attachments = try await AttachmentPages(services: services.customerFile).part(.leads, id, principal: principal, locale: context.locale, canAdd: canEdit)
        let header = RecordHeader(
            crumbs: [.init(label: t("leads.title"), href: Self.url.description)], title: l.name,
            badges: [t("lead_statuses.\(l.status)"), l.ownerID == nil ? t("customers.pool") : ""],
            facts: [company, status, rating, ownerField, phone, email],
            sections: [.init(anchor: "details", label: t("record_page.details"), count: ""),
                       .init(anchor: "attachments", label: t("attachments.title"), count: String(attachments.rows.count))] + timeline.sections(t))
        let page = DetailPage(
            id: id.uuidString, name: l.name, version: l.version, header: header,
            groups: [WebFieldGroup.shown(t("record_page.overview"), fields), WebFieldGroup.shown(t("record_page.custom"), custom)].compactMap { $0 },
            notes: l.notes, hasNotes: !l.notes.isEmpty,
            canEdit: canEdit && !l.isConverted, canDelete: await may(.delete), canConvert: canEdit && !l.isConverted, inPool: l.ownerID == nil,
            converted: converted, isConverted: l.isConverted, timeline: timeline, attachments: attachments,
                              ways: try await DataQualityPages(services: services.customerFile).part(.leads, id, principal: principal, locale: context.locale),
            notice: notice)
        return services.renderer.render("lead", titleKey: "leads.title", page: page, context: context)
    }

    /// The in-place edits of the lead page (named as in `LeadForm`).
    var inlineRoute: InlineFieldRoute {
        InlineFieldRoute(fields: ["company", "title", "rating", "phone", "email", "wechat", "industry", "source"], save: { id, form, version, context in
            try await services.leads.update(id, try LeadForm.input(form, custom: []), expectedVersion: version, by: context.principal).version
        }, page: { Self.url.appending($0) }, refused: { id, form, error, context in
            let current = try await services.leads.find(id, for: context.principal, action: .update)
            return try await LeadForm(services: services).render(current, form: form, context: context, error: error,
                                                                 status: error.kind == .validation ? .badRequest : .conflict)
        })
    }

    package init(services: SalesServices) { self.services = services }
}
