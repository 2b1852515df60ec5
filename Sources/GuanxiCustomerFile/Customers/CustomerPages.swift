import FluentKit
import Foundation
import Hummingbird
import GuanxiPlatform

/// The customer list, the customer page (details, history) and the customer form.
package struct CustomerPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/customers")

    /// The main menu's entry for the customer list.
    package static let menu = MenuEntry("/customers", titleKey: "nav.customers", readers: .customers)

    package let services: CustomerFileServices

    package typealias Choice = WebChoice
    package struct ListPage {
        package let next: String?; let q: String; let canCreate: Bool
        package let stages: [Choice]; let tiers: [Choice]; let segments: [Choice]; let relationships: [Choice]; let grades: [Choice]; let pool: Bool; let tag: String
        package let cf: String; let sorts: [WebChoice]; let descending: Bool; let table: ListTable.Part
    }
    package typealias Field = WebField
    package struct DetailPage {
        package let id: String; let name: String; let version: Int; let header: RecordHeader; let groups: [WebFieldGroup]; let notes: String; let hasNotes: Bool
        package let canEdit: Bool; let canDelete: Bool; let timeline: TimelineView.Part; let attachments: AttachmentPages.Part; let ways: DataQualityPages.WaysPart; let notice: String?
        package let contacts: [ContactPages.Row]; let showContacts: Bool; let canAddContact: Bool; let inPool: Bool
        /// Sections other areas show here (the customer's deals, their value), as HTML.
        package let panels: [String]
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/customers") { request, context in try await list(request, context) }
        web.get("/customers/new") { _, context in
            try services.permissions.require(context.principal, .create, on: .customers)
            return try await CustomerForm(services: services).render(nil, context: context)
        }
        web.post("/customers/new") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            do {
                var input = try CustomerForm.input(form, custom: try await services.customValues.fields(of: .customers))
                input.checkDuplicates = form["allow_duplicates"] != "on"
                let customer = try await services.customers.create(input, by: principal)
                return WebRenderer.redirect(Self.url.appending(customer.id!).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation || error.code == "probable_duplicate" {
                return try await CustomerForm(services: services).render(nil, form: form, context: context, error: error,
                                                                         status: error.kind == .validation ? .badRequest : .conflict)
            }
        }
        web.get("/customers/:id") { request, context in
            try await detail(try id(context), context: context,
                             notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.get("/customers/:id/edit") { _, context in
            let customer = try await services.customers.find(try id(context), for: context.principal, action: .update)
            return try await CustomerForm(services: services).render(customer, context: context)
        }
        web.post("/customers/:id/edit") { request, context in
            let principal = context.principal
            let customerID = try id(context)
            let form = try await request.form(context: context)
            do {
                _ = try await services.customers.update(customerID, try CustomerForm.input(form, custom: try await services.customValues.fields(of: .customers)), expectedVersion: Int(form["version"] ?? ""), by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.code == "version_conflict" {
                // On a conflict the form keeps what this user typed and shows the saved values beside it.
                let current = try await services.customers.find(customerID, for: principal, action: .update)
                return try await CustomerForm(services: services).render(current, form: form, context: context, error: error,
                                                                         status: error.kind == .validation ? .badRequest : .conflict)
            }
            return WebRenderer.redirect(Self.url.appending(customerID).notice("saved"))
        }
        web.post("/customers/:id/claim") { _, context in
            let customerID = try id(context)
            do {
                _ = try await services.customerPool.claim(customerID, by: context.principal)
            } catch let error as GuanxiError where error.kind == .conflict {
                return try await detail(customerID, context: context, notice: services.localizer.message(for: error, context.locale))
            }
            return WebRenderer.redirect(Self.url.appending(customerID).notice("claimed"))
        }
        web.post("/customers/:id/release") { _, context in
            let customerID = try id(context)
            _ = try await services.customerPool.release(customerID, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(customerID).notice("released"))
        }
        inlineRoute.register("/customers", notFound: "Customer", on: web, localizer: services.localizer)
        DeletionQuestion(services: services).register(.customers, on: web)
        web.post("/customers/:id/delete") { request, context in
            let form = try await request.form(context: context)
            try await services.customers.delete(try id(context), expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            return WebRenderer.redirect(Self.url)
        }
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Customer"))
    }

    package func list(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let table = ListTable(services: services)
        if let view = q["view"], q["opened"] == nil { return try await table.open(String(view), path: Self.url.description, context: context) }
        let list = CustomerList(services: services)
        var filter = try list.filter(q)
        filter.cursor = q["after"].map(String.init)
        let sort = q["sort"].map(String.init) ?? "name"
        // Counted on a read connection of its own while the page is read.
        async let total = services.customerQuery.count(filter, for: principal, cap: ListTable.countLimit(request))
        let page = try await services.customerQuery.list(filter, for: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let columns = try await list.columns(for: page.customers, principal: principal, locale: context.locale)
        func choices(_ values: [String], prefix: String, selected: String?) -> [Choice] {
            WebChoice.list(values, selected: selected) { t("\(prefix).\($0)") }
        }
        let grades = try await services.settings.customerGrades()
        let model = ListPage(
            next: page.next, q: filter.search ?? "", canCreate: principal.scope(for: .create, on: .customers) != nil,
            stages: choices(CustomerVocabulary.lifecycleStages, prefix: "lifecycle", selected: filter.lifecycleStage),
            tiers: choices(CustomerVocabulary.valueTiers, prefix: "value_tiers", selected: filter.valueTier),
            segments: choices(CustomerSegments.all, prefix: "rfm_segments", selected: filter.segment),
            relationships: choices(CustomerVocabulary.relationships, prefix: "relationships", selected: filter.relationship),
            grades: WebChoice.list(grades, selected: filter.grade) { $0 },
            pool: filter.inPool, tag: filter.tag ?? "",
            cf: q.getAll("cf").first.map { String($0) } ?? "", sorts: try await table.sorts(.customers, builtIn: ["name", "updated", "created"], selected: sort, locale: context.locale),
            descending: filter.customSortDescending,
            table: try await table.part(.customers, path: Self.url.description, records: page.customers, title: \.name, builtIn: columns,
                                        defaults: list.defaultColumns, next: page.next, sorts: ["name", "updated", "created"], total: try await total, request: request, context: context))
        return services.renderer.render("customers", titleKey: "customers.title", page: model, context: context)
    }

    /// The fields a customer's page changes in place (named as in `CustomerForm`).
    static let inlineFields: Set<String> = ["kind", "relationship", "grade", "value_tier", "lifecycle_stage", "industry", "size", "source", "external_id",
                                            "phone", "email", "website", "address", "postcode", "birthday", "anniversary"]

    /// The in-place edits of the customer page: each saves one field through `CustomerForm.input`
    /// and `CustomerService.update`, as the edit form does.
    var inlineRoute: InlineFieldRoute {
        InlineFieldRoute(fields: Self.inlineFields, save: { id, form, version, context in
            let input = try CustomerForm.input(form, custom: [])
            return try await services.customers.update(id, input, expectedVersion: version, by: context.principal).version
        }, page: { Self.url.appending($0) }, refused: { id, form, error, context in
            let current = try await services.customers.find(id, for: context.principal, action: .update)
            return try await CustomerForm(services: services).render(current, form: form, context: context, error: error,
                                                                     status: error.kind == .validation ? .badRequest : .conflict)
        })
    }

    package func detail(_ id: UUID, context: SignedInContext, notice: String?) async throws -> Response {
        let principal = context.principal
        let c = try await services.customers.find(id, for: principal)
        let canEdit = (try? await services.permissions.requireAccess(principal, .update, on: .customers, owner: c.ownerID, notFound: .notFound("Customer"))) != nil
        // The reader may see the customer: the page's parts are read side by side, each on
        // a read connection of its own, rather than one after another.
        async let customValues = services.customValues.values(of: .customers, id: id)
        async let tags = services.customers.tags(of: id)
        async let timelineRead = TimelineView(services: services).part(of: .customers, id: id, principal: principal, locale: context.locale)
        async let attachmentsRead = AttachmentPages(services: services).part(.customers, id, principal: principal, locale: context.locale, canAdd: canEdit)
        async let contactsRead = principal.scope(for: .read, on: .contacts) == nil ? nil : ContactPages(services: services).orgChart(of: id, principal: principal)
        async let panelsRead = services.records.drawnPanels(on: .customers, id, context: context, localizer: services.localizer)
        async let waysRead = DataQualityPages(services: services).part(.customers, id, principal: principal, locale: context.locale)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        var owner = t("customers.pool")
        if let ownerID = c.ownerID, let name = try await services.users.names(of: [ownerID])[ownerID] { owner = name }
        let related = { (label: String, id: UUID?) async throws -> Field in
            guard let id, let other = try? await services.customers.find(id, for: principal) else { return Field(label: label, value: "") }
            return Field(label: label, value: other.name, href: Self.url.appending(id).description)
        }
        let canDelete = (try? await services.permissions.requireAccess(principal, .delete, on: .customers, owner: c.ownerID, notFound: .notFound("Customer"))) != nil
        let edit = InlineEditor(record: Self.url.appending(id), version: c.version, enabled: canEdit)
        func choices(_ values: [String], _ prefix: String?, _ current: String?, allowEmpty: Bool = true) -> [WebChoice] {
            WebChoice.list(values, selected: current, allowEmpty: allowEmpty) { value in prefix.map { t("\($0).\(value)") } ?? value }
        }
        func text(_ name: String, _ value: String?, type: String = "text") -> Field {
            Field(label: t("customer_fields.\(name)"), value: value ?? "").editable(edit.text(name, value, type: type))
        }
        let grades = try await services.settings.customerGrades()
        let phone = Field.phone(label: t("customer_fields.phone"), value: c.phone).editable(edit.text("phone", c.phone, type: "tel"))
        let email = Field.email(label: t("customer_fields.email"), value: c.email).editable(edit.text("email", c.email, type: "email"))
        let lifecycle = Field(label: t("customer_fields.lifecycle_stage"), value: c.lifecycleStage.map { t("lifecycle.\($0)") } ?? "")
            .editable(edit.select("lifecycle_stage", c.lifecycleStage, choices(CustomerVocabulary.lifecycleStages, "lifecycle", c.lifecycleStage)))
        let tier = Field(label: t("customer_fields.value_tier"), value: c.valueTier.map { t("value_tiers.\($0)") } ?? "")
            .editable(edit.select("value_tier", c.valueTier, choices(CustomerVocabulary.valueTiers, "value_tiers", c.valueTier)))
        let grade = Field(label: t("customer_fields.grade"), value: c.grade ?? "").editable(edit.select("grade", c.grade, choices(grades, nil, c.grade)))
        let ownerField = Field(label: t("customer_fields.owner"), value: owner)
        let overview = [
            Field(label: t("customer_fields.kind"), value: t("customer_kinds.\(c.kind)"))
                .editable(edit.select("kind", c.kind, choices(CustomerVocabulary.kinds, "customer_kinds", c.kind, allowEmpty: false))),
            Field(label: t("customer_fields.relationship"), value: t("relationships.\(c.relationship)"))
                .editable(edit.select("relationship", c.relationship, choices(CustomerVocabulary.relationships, "relationships", c.relationship, allowEmpty: false))),
            ownerField, grade, tier, lifecycle, text("industry", c.industry),
            Field(label: t("customer_fields.size"), value: c.size.map { t("sizes.\($0)") } ?? "")
                .editable(edit.select("size", c.size, choices(CustomerVocabulary.sizes, "sizes", c.size))),
            text("source", c.source), text("external_id", c.externalID),
        ]
        let reach = [
            phone, email, Field.website(label: t("customer_fields.website"), value: c.website).editable(edit.text("website", c.website, type: "url")),
            Field(label: t("customer_fields.region"), value: [c.province, c.city, c.district].compactMap { $0 }.joined(separator: " ")),
            text("address", c.address), text("postcode", c.postcode),
        ]
        let consents = Consent.Channel.allCases.map { channel in
            let consent = c.consent(channel)
            let when = consent.at.map { " · " + format.dateTime($0) } ?? ""
            return Field(label: t("audit_fields.consent_\(channel.rawValue)"), value: t("consent.\(consent.status.rawValue)") + (consent.via.map { " (\($0))" } ?? "") + when)
        }
        let parent = try await related(t("customer_fields.parent"), c.parentID)
        let custom = try await CustomFieldForm(services: services).display(.customers, values: try await customValues, locale: context.locale)
        let groups = [
            WebFieldGroup.shown(t("record_page.overview"), overview),
            WebFieldGroup.shown(t("record_page.reach"), reach),
            WebFieldGroup.shown(t("record_page.relations"), [parent, try await related(t("customer_fields.referred_by"), c.referredByID)]),
            WebFieldGroup.shown(t("record_page.dates"), [text("birthday", c.birthday, type: "date"), text("anniversary", c.anniversary, type: "date")]),
            WebFieldGroup.shown(t("record_page.custom"), custom),
            WebFieldGroup.shown(t("record_page.consent"), consents),
        ].compactMap { $0 }

        let (timeline, attachments, contacts, panels) = try await (timelineRead, attachmentsRead, contactsRead, panelsRead)
        var sections = [RecordHeader.Section(anchor: "details", label: t("record_page.details"), count: "")]
        if let contacts { sections.append(.init(anchor: "contacts", label: t("kinds.contacts"), count: RecordHeader.count(contacts.count, limit: ContactPages.orgChartLimit))) }
        sections += panels.index
        sections.append(.init(anchor: "attachments", label: t("attachments.title"), count: String(attachments.rows.count)))
        sections += timeline.sections(t)
        var crumbs = [RecordHeader.Crumb(label: t("customers.title"), href: Self.url.description)]
        if parent.href != nil { crumbs.append(.init(label: parent.value, href: parent.href!)) }
        let header = RecordHeader(
            crumbs: crumbs, title: c.name,
            badges: [t("customer_kinds.\(c.kind)"), t("relationships.\(c.relationship)"), c.ownerID == nil ? t("customers.pool") : ""] + (try await tags),
            facts: [ownerField, lifecycle, tier, grade, phone, email], sections: sections)
        let page = DetailPage(id: id.uuidString, name: c.name, version: c.version, header: header, groups: groups,
                              notes: c.notes, hasNotes: !c.notes.isEmpty, canEdit: canEdit, canDelete: canDelete,
                              timeline: timeline, attachments: attachments,
                              ways: try await waysRead,
                              notice: notice, contacts: contacts ?? [], showContacts: contacts != nil,
                              canAddContact: principal.scope(for: .create, on: .contacts) != nil, inPool: c.ownerID == nil,
                              panels: panels.html)
        return services.renderer.render("customer", titleKey: "customers.title", page: page, context: context)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
