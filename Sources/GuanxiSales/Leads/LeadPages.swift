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
        package let id: String; let name: String; let version: Int; let fields: [WebField]; let notes: String; let hasNotes: Bool
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
                                        defaults: list.defaultColumns, next: page.next, sorts: ["created", "name", "updated"], request: request, context: context))
        return services.renderer.render("leads", titleKey: "leads.title", page: model, context: context)
    }

    package func detail(_ id: UUID, context: SignedInContext, notice: String?) async throws -> Response {
        let principal = context.principal
        let l = try await services.leads.find(id, for: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let owners = try await services.users.names(of: l.ownerID.map { [$0] } ?? [])
        let owner = l.ownerID.map { owners[$0] ?? "" } ?? t("customers.pool")
        let fields = [
            WebField(label: t("lead_fields.company"), value: l.company ?? ""),
            WebField(label: t("lead_fields.title"), value: l.title ?? ""),
            WebField(label: t("lead_fields.status"), value: t("lead_statuses.\(l.status)") + (l.statusReason.map { " · \($0)" } ?? "")),
            WebField(label: t("lead_fields.rating"), value: l.rating.map { t("lead_ratings.\($0)") } ?? ""),
            WebField(label: t("customer_fields.owner"), value: owner),
            .phone(label: t("customer_fields.phone"), value: l.phone),
            .email(label: t("customer_fields.email"), value: l.email),
            WebField(label: t("contact_fields.wechat"), value: l.wechat ?? ""),
            WebField(label: t("customer_fields.region"), value: [l.province, l.city].compactMap { $0 }.joined(separator: " ")),
            WebField(label: t("customer_fields.industry"), value: l.industry ?? ""),
            WebField(label: t("customer_fields.source"), value: l.source ?? ""),
            WebField(label: t("lead_fields.created"), value: format.dateTime(l.createdAt)),
            WebField(label: t("lead_fields.converted_at"), value: l.convertedAt.map(format.dateTime) ?? ""),
        ]
        var converted: [Link] = []
        if let c = l.convertedCustomerID { converted.append(Link(label: t("kinds.customers"), href: CustomerPages.url.appending(c).description)) }
        if let c = l.convertedContactID { converted.append(Link(label: t("kinds.contacts"), href: ContactPages.url.appending(c).description)) }
        if let o = l.convertedOpportunityID { converted.append(Link(label: t("kinds.opportunities"), href: OpportunityPages.url.appending(o).description)) }
        let may = { (action: PermissionAction) async -> Bool in
            (try? await services.permissions.requireAccess(principal, action, on: .leads, owner: l.ownerID, notFound: .notFound("Lead"))) != nil
        }
        let canEdit = await may(.update)
        let timeline = try await TimelineView(services: services.customerFile).part(of: .leads, id: id, principal: principal, locale: context.locale)
        let custom = try await CustomFieldForm(services: services.customerFile).display(.leads, values: try await services.customValues.values(of: .leads, id: id), locale: context.locale)
        let page = DetailPage(
            id: id.uuidString, name: l.name, version: l.version, fields: (fields + custom).filter { !$0.value.isEmpty }, notes: l.notes, hasNotes: !l.notes.isEmpty,
            canEdit: canEdit && !l.isConverted, canDelete: await may(.delete), canConvert: canEdit && !l.isConverted, inPool: l.ownerID == nil,
            converted: converted, isConverted: l.isConverted, timeline: timeline, attachments: try await AttachmentPages(services: services.customerFile).part(.leads, id, principal: principal, locale: context.locale),
                              ways: try await DataQualityPages(services: services.customerFile).part(.leads, id, principal: principal, locale: context.locale),
            notice: notice)
        return services.renderer.render("lead", titleKey: "leads.title", page: page, context: context)
    }

    package init(services: SalesServices) { self.services = services }
}
