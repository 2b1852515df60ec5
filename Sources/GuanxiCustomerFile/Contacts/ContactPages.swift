import Foundation
import Hummingbird
import GuanxiPlatform

/// Contacts on the web: the list, the organisation chart on a customer's page (built
/// by `orgChart`), and the contact form.
package struct ContactPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/contacts")

    package static let menu = MenuEntry("/contacts", titleKey: "nav.contacts", readers: .contacts)

    package let services: CustomerFileServices

    package struct Row {
        package let id: String; let name: String; let title: String; let department: String; let indent: String
        package let phones: String; let emails: String; let wechat: String; let age: String; let customer: String; let customerID: String
    }
    package struct ListPage {
        package let next: String?; let q: String; let cf: String; let sorts: [WebChoice]; let descending: Bool; let table: ListTable.Part
    }
    package typealias Field = WebField
    package struct DetailPage {
        package let id: String; let name: String; let version: Int; let header: RecordHeader
        package let groups: [WebFieldGroup]; let notes: String; let hasNotes: Bool; let canEdit: Bool; let canDelete: Bool; let timeline: TimelineView.Part; let attachments: AttachmentPages.Part; let ways: DataQualityPages.WaysPart
        /// Sections other areas show on a contact's page, as HTML.
        package let panels: [String]; let notice: String?
    }
    package typealias Choice = WebChoice
    package struct FormPage {
        package let isNew: Bool; let id: String; let customerID: String; let customerName: String; let version: Int
        package let name: String; let title: String; let department: String; let wechat: String; let birthday: String; let notes: String
        package let emails: String; let phones: String; let addresses: String; let managers: [Choice]; let custom: [CustomFieldForm.Input]; let error: String?
        /// Probable duplicates when a create was refused for them.
        package let duplicates: DuplicateWarning.Part?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/contacts") { request, context in try await list(request, context) }
        // The address of the vCard download before all exports moved to `/contacts/export?format=`.
        web.get("/contacts/vcard") { request, _ in
            let version = request.uri.queryParameters["version"] == "3.0" ? "vcard3" : "vcard4"
            return WebRenderer.redirect(Self.url.appending("export").with("format", version).with(rawQuery: request.uri.query))
        }
        web.get("/customers/:id/contacts/new") { _, context in
            let customer = try await services.customers.find(try id(context), for: context.principal)
            try services.permissions.require(context.principal, .create, on: .contacts)
            return try await form(nil, customer: customer, context: context)
        }
        web.post("/customers/:id/contacts/new") { request, context in
            let principal = context.principal
            let customer = try await services.customers.find(try id(context), for: principal)
            let form = try await request.form(context: context)
            do {
                var input = try Self.input(form, custom: try await services.customValues.fields(of: .contacts))
                input.customerID = .some(customer.id)
                input.checkDuplicates = form["allow_duplicates"] != "on"
                _ = try await services.contacts.create(input, by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.code == "probable_duplicate" {
                return try await self.form(nil, customer: customer, typed: form, context: context, error: error)
            }
            return WebRenderer.redirect(CustomerPages.url.appending(customer.id!).notice("saved"))
        }
        web.get("/contacts/:id") { request, context in
            try await detail(try id(context), context: context,
                             notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        inlineRoute.register("/contacts", notFound: "Contact", on: web, localizer: services.localizer)
        web.get("/contacts/:id/edit") { _, context in
            let principal = context.principal
            let contact = try await services.contacts.find(try id(context), for: principal, action: .update)
            return try await form(contact, customer: try await customer(of: contact, principal), context: context)
        }
        web.post("/contacts/:id/edit") { request, context in
            let principal = context.principal
            let contactID = try id(context)
            let form = try await request.form(context: context)
            do {
                let contact = try await services.contacts.update(contactID, try Self.input(form, custom: try await services.customValues.fields(of: .contacts)), expectedVersion: Int(form["version"] ?? ""), by: principal)
                return WebRenderer.redirect(contact.customerID.map { CustomerPages.url.appending($0).notice("saved") } ?? Self.url)
            } catch let error as GuanxiError where error.kind == .validation || error.code == "version_conflict" {
                let current = try await services.contacts.find(contactID, for: principal, action: .update)
                return try await self.form(current, customer: try await customer(of: current, principal), typed: form, context: context, error: error)
            }
        }
        DeletionQuestion(services: services).register(.contacts, on: web)
        web.post("/contacts/:id/delete") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            let contact = try await services.contacts.find(try id(context), for: principal, action: .delete)
            try await services.contacts.delete(contact.id!, expectedVersion: Int(form["version"] ?? ""), by: principal)
            return WebRenderer.redirect(contact.customerID.map { CustomerPages.url.appending($0) } ?? Self.url)
        }
    }

    /// A contact's page: details, ways to reach them, and their history.
    package func detail(_ contactID: UUID, context: SignedInContext, notice: String? = nil) async throws -> Response {
        let principal = context.principal
        let c = try await services.contacts.find(contactID, for: principal)
        let may = { (action: PermissionAction) async -> Bool in
            (try? await services.permissions.requireAccess(principal, action, on: .contacts, owner: c.ownerID, notFound: .notFound("Contact"))) != nil
        }
        let canEdit = await may(.update)
        // The reader may see the contact: the page's parts are read side by side, each on
        // a read connection of its own, rather than one after another.
        async let channelsRead = services.contacts.channels(of: contactID)
        async let customValues = services.customValues.values(of: .contacts, id: contactID)
        async let timelineRead = TimelineView(services: services).part(of: .contacts, id: contactID, principal: principal, locale: context.locale)
        async let attachmentsRead = AttachmentPages(services: services).part(.contacts, contactID, principal: principal, locale: context.locale, canAdd: canEdit)
        async let panelsRead = services.records.drawnPanels(on: .contacts, contactID, context: context, localizer: services.localizer)
        async let waysRead = DataQualityPages(services: services).part(.contacts, contactID, principal: principal, locale: context.locale)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let channels = try await channelsRead
        func join(_ kind: ContactChannel.Kind) -> String {
            services.localizer.list(channels.filter { $0.kind == kind }.map { way in way.label.map { services.localizer.labelled($0, way.value, context.locale) } ?? way.value }, context.locale)
        }
        let customer = try await customer(of: c, principal)
        var boss = Field(label: t("contact_fields.reports_to"), value: "")
        if let bossID = c.reportsToID, let found = try? await services.contacts.find(bossID, for: principal) {
            boss = Field(label: boss.label, value: found.name, href: Self.url.appending(bossID).description)
        }
        // Each phone and e-mail on a row of its own, under its own label (手机, 工作 …),
        // that dials or writes when tapped.
        func ways(_ kind: ContactChannel.Kind, _ label: String, link: (String, String) -> WebField) -> [Field] {
            channels.filter { $0.kind == kind }.map { way in
                Field(label: way.label ?? label, value: way.value, href: link(label, way.value).href)
            }
        }
        let age = c.age(on: services.clock.now(), timeZone: TimeZone(identifier: principal.timeZone) ?? .current).map(String.init) ?? ""
        let edit = InlineEditor(record: Self.url.appending(contactID), version: c.version, enabled: canEdit)
        func text(_ name: String, _ value: String?, type: String = "text") -> Field {
            Field(label: t("contact_fields.\(name)"), value: value ?? "").editable(edit.text(name, value, type: type))
        }
        let phones = ways(.phone, t("contact_fields.phones"), link: { WebField.phone(label: $0, value: $1) })
        let emails = ways(.email, t("contact_fields.emails"), link: { WebField.email(label: $0, value: $1) })
        let role = [text("title", c.title), text("department", c.department), boss]
        let reach = phones + emails + [Field(label: t("contact_fields.addresses"), value: join(.address)), text("wechat", c.wechat)]
        let custom = try await CustomFieldForm(services: services).display(.contacts, values: try await customValues, locale: context.locale)
        let groups = [
            WebFieldGroup.shown(t("record_page.overview"), role),
            WebFieldGroup.shown(t("record_page.reach"), reach),
            WebFieldGroup.shown(t("record_page.dates"), [text("birthday", c.birthday, type: "date"), Field(label: t("contact_fields.age"), value: age)]),
            WebFieldGroup.shown(t("record_page.custom"), custom),
        ].compactMap { $0 }
        let (timeline, attachments, panels) = try await (timelineRead, attachmentsRead, panelsRead)
        let customerLink = customer.map { Field(label: t("kinds.customers"), value: $0.name, href: CustomerPages.url.appending($0.id!).description) }
        var crumbs = [RecordHeader.Crumb(label: t("contacts.title"), href: Self.url.description)]
        if let customerLink { crumbs.append(.init(label: customerLink.value, href: customerLink.href!)) }
        let header = RecordHeader(
            crumbs: crumbs, title: c.name,
            facts: [customerLink, role[0], role[1], phones.first, emails.first].compactMap { $0 },
            sections: [.init(anchor: "details", label: t("record_page.details"), count: "")] + panels.index + [
                .init(anchor: "attachments", label: t("attachments.title"), count: String(attachments.rows.count)),
            ] + timeline.sections(t))
        let page = DetailPage(
            id: contactID.uuidString, name: c.name, version: c.version, header: header, groups: groups,
            notes: c.notes, hasNotes: !c.notes.isEmpty, canEdit: canEdit, canDelete: await may(.delete),
            timeline: timeline, attachments: attachments,
            ways: try await waysRead, panels: panels.html, notice: notice)
        return services.renderer.render("contact", titleKey: "contacts.title", page: page, context: context)
    }

    /// The in-place edits of the contact page (named as in the contact form).
    var inlineRoute: InlineFieldRoute {
        InlineFieldRoute(fields: ["title", "department", "wechat", "birthday"], save: { id, form, version, context in
            try await services.contacts.update(id, try Self.input(form, custom: []), expectedVersion: version, by: context.principal).version
        }, page: { Self.url.appending($0) }, refused: { id, form, error, context in
            let current = try await services.contacts.find(id, for: context.principal, action: .update)
            return try await self.form(current, customer: try await customer(of: current, context.principal), typed: form, context: context, error: error)
        })
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Contact"))
    }

    package func customer(of contact: Contact, _ principal: Principal) async throws -> Customer? {
        guard let id = contact.customerID else { return nil }
        return try? await services.customers.find(id, for: principal)
    }

    /// How many of a customer's people its page lists.
    package static let orgChartLimit = 500

    /// A customer's people as an organisation chart: each under the one they report to.
    package func orgChart(of customerID: UUID, principal: Principal) async throws -> [Row] {
        var filter = ContactFilter()
        filter.customerID = customerID
        filter.limit = Self.orgChartLimit
        return try await rows(try await services.contactQuery.list(filter, for: principal).contacts, principal: principal, tree: true)
    }

    package func list(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let table = ListTable(services: services)
        if let view = q["view"], q["opened"] == nil { return try await table.open(String(view), path: Self.url.description, context: context) }
        let list = ContactList(services: services)
        var filter = try list.filter(q)
        filter.cursor = q["after"].map(String.init)
        let sort = q["sort"].map(String.init) ?? "name"
        // Counted on a read connection of its own while the page is read.
        async let total = services.contactQuery.count(filter, for: principal, cap: ListTable.countLimit(request))
        let page = try await services.contactQuery.list(filter, for: principal)
        let columns = try await list.columns(for: page.contacts, principal: principal, locale: context.locale)
        let model = ListPage(
            next: page.next, q: filter.search ?? "",
            cf: q.getAll("cf").first.map { String($0) } ?? "", sorts: try await table.sorts(.contacts, builtIn: ["name", "updated"], selected: sort, locale: context.locale),
            descending: filter.customSortDescending,
            table: try await table.part(.contacts, path: Self.url.description, records: page.contacts, title: \.name, builtIn: columns,
                                        defaults: list.defaultColumns, next: page.next, sorts: ["name", "updated"], total: try await total, request: request, context: context))
        return services.renderer.render("contacts", titleKey: "contacts.title", page: model, context: context)
    }

    package func rows(_ contacts: [Contact.Values], principal: Principal, tree: Bool) async throws -> [Row] {
        let channels = try await services.contactQuery.channels(of: contacts.map { $0.id! })
        let zone = TimeZone(identifier: principal.timeZone) ?? .current
        let customerNames = tree ? [:] : try await services.customerQuery.names(of: contacts.compactMap(\.customerID), for: principal)
        func row(_ c: Contact.Values, depth: Int) -> Row {
            let list = channels[c.id!] ?? []
            func join(_ kind: ContactChannel.Kind) -> String {
                services.localizer.list(list.filter { $0.kind == kind }.map { way in way.label.map { services.localizer.labelled($0, way.value, principal.locale) } ?? way.value }, principal.locale)
            }
            return Row(id: c.id!.text, name: c.name, title: c.title ?? "", department: c.department ?? "",
                       indent: String(repeating: "— ", count: depth), phones: join(.phone), emails: join(.email), wechat: c.wechat ?? "",
                       age: c.age(on: services.clock.now(), timeZone: zone).map(String.init) ?? "",
                       customer: c.customerID.flatMap { customerNames[$0] } ?? "", customerID: c.customerID?.text ?? "")
        }
        guard tree else { return contacts.map { row($0, depth: 0) } }
        let ids = Set(contacts.map { $0.id! })
        var out: [Row] = []
        var placed: Set<UUID> = []
        func walk(_ boss: UUID?, depth: Int) {
            for c in contacts where (boss == nil ? (c.reportsToID.map { !ids.contains($0) } ?? true) : c.reportsToID == boss) && !placed.contains(c.id!) {
                placed.insert(c.id!)
                out.append(row(c, depth: depth))
                walk(c.id, depth: depth + 1)
            }
        }
        walk(nil, depth: 0)
        return out
    }

    /// One entry a line, optionally labelled: `工作: li@example.cn`.
    package static func channels(_ text: String?, kind: ContactChannel.Kind) -> [ContactChannel]? {
        guard let text else { return nil }
        // One way without a label — most of what an import reads — holds no line break
        // and no colon: none of their bytes (nor the lead bytes of U+0085, U+2028/9 and
        // `：`) means no line to split and no label to look for.
        if !text.utf8.contains(where: { (0x0A...0x0D).contains($0) || $0 == 0x3A || $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF }) {
            let value = text.trimmed
            return value.isEmpty ? [] : [ContactChannel(kind: kind, value: value)]
        }
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmed
            guard !trimmed.isEmpty else { return nil }
            if let colon = trimmed.firstIndex(where: { $0 == ":" || $0 == "：" }), kind != .address || trimmed.distance(from: trimmed.startIndex, to: colon) <= 20,
               !trimmed[..<colon].contains(Character("@")), !trimmed[trimmed.index(after: colon)...].trimmed.isEmpty,
               trimmed[..<colon].allSatisfy({ !$0.isNumber }) {
                return ContactChannel(kind: kind, value: trimmed[trimmed.index(after: colon)...].trimmed,
                                      label: trimmed[..<colon].trimmed)
            }
            return ContactChannel(kind: kind, value: trimmed)
        }
    }

    package static func input(_ form: FormData, custom: [CustomField]) throws -> ContactInput {
        var input = ContactInput()
        input.customFields = CustomFieldForm.values(form, fields: custom)
        input.name = form["name"]
        input.title = form["title"]
        input.department = form["department"]
        input.wechat = form["wechat"]
        input.birthday = form["birthday"]
        input.notes = form["notes"]
        if let boss = form["reports_to_id"] { input.reportsToID = .some(try Validate.uuid(boss, field: "reportsToId")) }
        input.emails = channels(form["emails"], kind: .email)
        input.phones = channels(form["phones"], kind: .phone)
        input.addresses = channels(form["addresses"], kind: .address)
        return input
    }

    package func form(_ contact: Contact?, customer: Customer?, typed: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil) async throws -> Response {
        let principal = context.principal
        var channels: [ContactChannel] = []
        if let id = contact?.id { channels = try await services.contacts.channels(of: id) }
        func lines(_ kind: ContactChannel.Kind) -> String {
            typed?["\(kind.rawValue)s"] ?? channels.filter { $0.kind == kind }.map { ($0.label.map { "\($0): " } ?? "") + $0.value }.joined(separator: "\n")
        }
        // The manager is a colleague at the same customer, found by typing among all of them.
        let managers = try await RecordPicker(services: services).choices(.contacts, chosen: typed?["reports_to_id"] ?? contact?.reportsToID?.uuidString,
                                                                          for: principal, excluding: contact?.id, atCustomer: customer?.id, narrowed: true)
        let page = FormPage(
            isNew: contact == nil, id: contact?.id?.uuidString ?? "", customerID: customer?.id?.uuidString ?? "", customerName: customer?.name ?? "",
            version: contact?.version ?? 0, name: typed?["name"] ?? contact?.name ?? "", title: typed?["title"] ?? contact?.title ?? "",
            department: typed?["department"] ?? contact?.department ?? "", wechat: typed?["wechat"] ?? contact?.wechat ?? "",
            birthday: typed?["birthday"] ?? contact?.birthday ?? "", notes: typed?["notes"] ?? contact?.notes ?? "",
            emails: lines(.email), phones: lines(.phone), addresses: lines(.address), managers: managers,
            custom: try await CustomFieldForm(services: services).inputs(.contacts, recordID: contact?.id,
                                                                          typed: typed, locale: context.locale),
            error: error.map { services.localizer.message(for: $0, context.locale) },
            duplicates: DuplicateWarning.part(error, localizer: services.localizer, locale: context.locale))
        let status: HTTPResponse.Status = error == nil ? .ok : ["version_conflict", "probable_duplicate"].contains(error?.code ?? "") ? .conflict : .badRequest
        return services.renderer.render("contact-form", titleKey: contact == nil ? "contacts.new" : "contacts.edit", page: page, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
