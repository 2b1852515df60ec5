import Foundation
import Hummingbird
import GuanxiPlatform

/// Message templates on the web: the list, the editor with its merge fields, a preview
/// filled in for a real record the reader picks, and a test message to oneself.
package struct TemplatePages {
    package static let menu = MenuEntry("/templates", titleKey: "nav.templates", readers: .templates)
    static let url = SiteURL("/templates")

    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    struct Row { let href: String; let name: String; let channel: String; let language: String; let purpose: String; let updated: String }
    struct ListPage { let rows: [Row]; let empty: Bool; let canCreate: Bool; let tabs: [Tab]; let notice: String?
        /// Mail merges are linked only for those who may see them.
        let canMerge: Bool }
    struct Tab { let label: String; let href: String; let current: Bool }
    struct FieldGroup { let label: String; let fields: [String] }
    struct Form {
        let action: String; let isNew: Bool; let canEdit: Bool; let canDelete: Bool; let id: String; let version: Int
        let name: String; let subject: String; let body: String; let channels: [WebChoice]; let purposes: [WebChoice]; let languages: [WebChoice]
        let groups: [FieldGroup]; let error: String?; let notice: String?
        let preview: Preview?
    }
    struct Preview {
        let kinds: [WebChoice]; let kind: String; let records: [WebChoice]; let to: String; let subject: String; let body: String
        let isSMS: Bool; let characters: Int; let parts: Int; let canTest: Bool; let error: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/templates") { request, context in
            let channel = try request.uri.queryParameters["channel"].map { raw in
                try MessageTemplate.Channel(rawValue: String(raw)).orThrow(.invalid("channel", "channel must be email, sms or letter."))
            }
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let templates = try await services.messageTemplates.list(channel: channel, for: context.principal)
            let rows = templates.map { Row(href: Self.url.appending($0.id).description, name: $0.name, channel: t("templates.channels.\($0.channel.rawValue)"),
                                           language: t("language.\($0.language)"), purpose: t("outbox.purposes.\($0.purpose.rawValue)"), updated: format.dateTime($0.updatedAt)) }
            let tabs = [Tab(label: t("outbox.all"), href: Self.url.description, current: channel == nil)]
                + MessageTemplate.Channel.allCases.map { Tab(label: t("templates.channels.\($0.rawValue)"), href: Self.url.with("channel", $0.rawValue).description, current: channel == $0) }
            let page = ListPage(rows: rows, empty: rows.isEmpty, canCreate: context.principal.scope(for: .create, on: .templates) != nil, tabs: tabs,
                                notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) },
                                canMerge: MailMergePages.menu.shows(context.principal))
            return services.renderer.render("templates", titleKey: "templates.title", page: page, context: context)
        }
        web.get("/templates/new") { request, context in
            _ = try services.permissions.require(context.principal, .create, on: .templates)
            var input = MessageTemplateInput()
            (input.channel, input.language, input.purpose) = (request.uri.queryParameters["channel"].map(String.init) ?? "email", context.locale, "marketing")
            return try await form(nil, typed: input, request: request, context: context)
        }
        web.post("/templates") { request, context in
            let form = try await request.form(context: context)
            let input = Self.input(form)
            do {
                let template = try await services.messageTemplates.create(input, by: context.principal)
                return WebRenderer.redirect(Self.url.appending(template.id).notice("saved"))
            } catch let error as GuanxiError where [.validation, .conflict].contains(error.kind) {
                return try await self.form(nil, typed: input, request: request, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.get("/templates/:id") { request, context in
            try await form(try await find(context), typed: nil, request: request, context: context)
        }
        web.post("/templates/:id") { request, context in
            let template = try await find(context)
            let form = try await request.form(context: context)
            let input = Self.input(form)
            do {
                _ = try await services.messageTemplates.update(template.id, input, by: context.principal)
                return WebRenderer.redirect(Self.url.appending(template.id).notice("saved"))
            } catch let error as GuanxiError where [.validation, .conflict].contains(error.kind) {
                return try await self.form(template, typed: input, request: request, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.post("/templates/:id/delete") { request, context in
            let template = try await find(context)
            _ = try await request.form(context: context)
            try await services.messageTemplates.delete(template.id, by: context.principal)
            return WebRenderer.redirect(Self.url.notice("deleted"))
        }
        web.post("/templates/:id/test") { request, context in
            let template = try await find(context)
            let form = try await request.form(context: context)
            let kind = RecordKind(rawValue: form["preview_kind"] ?? "")
            let id = try Validate.uuid(form["preview_id"], field: "preview_id").orThrow(.invalid("preview_id", "Choose a record to fill the template in for."))
            _ = try await TemplatePreview(services: services).sendTest(template, kind: kind, id: id, to: form["test_to"], by: context.principal)
            return WebRenderer.redirect(Self.url.appending(template.id).with("preview_kind", kind.rawValue).with("preview_id", id.uuidString).notice("test_queued"))
        }
    }

    func find(_ context: SignedInContext) async throws -> MessageTemplate {
        let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Template"))
        return try await services.messageTemplates.find(id, for: context.principal)
    }

    static func input(_ form: FormData) -> MessageTemplateInput {
        var input = MessageTemplateInput()
        (input.name, input.channel, input.purpose, input.language) = (form["name"], form["channel"], form["purpose"], form["language"])
        (input.subject, input.body, input.version) = (form["subject"], form["body"], form["version"].flatMap { Int($0) })
        return input
    }

    func form(_ template: MessageTemplate?, typed: MessageTemplateInput?, request: Request, context: SignedInContext, error: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let principal = context.principal
        let channel = typed?.channel ?? template?.channel.rawValue ?? "email"
        let purpose = typed?.purpose ?? template?.purpose.rawValue ?? "marketing"
        let language = typed?.language ?? template?.language ?? context.locale
        let canEdit = principal.scope(for: template == nil ? .create : .update, on: .templates) != nil
        let groups = MergeValues.catalogue(services.records).map { group in
            FieldGroup(label: t("templates.groups.\(group.group)"), fields: group.fields.isEmpty ? ["{{\(group.group)}}"] : group.fields.map { "{{\(group.group).\($0)}}" })
        }
        var preview: Preview?
        if let template, error == nil { preview = try await self.preview(template, request: request, context: context) }
        let page = Form(action: template.map { Self.url.appending($0.id).description } ?? Self.url.description, isNew: template == nil, canEdit: canEdit,
                        canDelete: template != nil && principal.scope(for: .delete, on: .templates) != nil, id: template?.id.uuidString ?? "",
                        version: typed?.version ?? template?.version ?? 0, name: typed?.name ?? template?.name ?? "", subject: typed?.subject ?? template?.subject ?? "",
                        body: typed?.body ?? template?.body ?? "",
                        channels: MessageTemplate.Channel.allCases.map { WebChoice(value: $0.rawValue, label: t("templates.channels.\($0.rawValue)"), selected: $0.rawValue == channel) },
                        purposes: ["marketing", "transactional"].map { WebChoice(value: $0, label: t("outbox.purposes.\($0)"), selected: $0 == purpose) },
                        languages: Localizer.supported.map { WebChoice(value: $0, label: t("language.\($0)"), selected: $0 == language) },
                        groups: groups, error: error,
                        notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }, preview: preview)
        return services.renderer.render("template", titleKey: template == nil ? "templates.new" : "templates.title", page: page, context: context, status: status)
    }

    /// The template filled in for the record the reader picked, or for the first they can see.
    func preview(_ template: MessageTemplate, request: Request, context: SignedInContext) async throws -> Preview {
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let previews = TemplatePreview(services: services)
        let q = request.uri.queryParameters
        let kinds = previews.kinds.filter { context.principal.scope(for: .read, on: services.records.permissionKind(of: $0)) != nil }
        let kind = kinds.first { $0.rawValue == q["preview_kind"].map(String.init) } ?? kinds.first
        var chosen = try Validate.uuid(q["preview_id"].map(String.init), field: "preview_id")
        if chosen == nil, let kind { chosen = try await previews.firstRecord(of: kind, for: context.principal) }
        var filled: TemplatePreview.Filled?, problem: String?
        if let kind, let chosen {
            do { filled = try await previews.fill(template, kind: kind, id: chosen, for: context.principal) }
            catch let error as GuanxiError { problem = services.localizer.message(for: error, context.locale) }
        }
        var records: [WebChoice] = []
        if let kind { records = try await RecordPicker(services: services).choices(kind, chosen: chosen?.uuidString, for: context.principal) }
        var body = filled?.body ?? ""
        if template.channel == .sms, filled != nil {
            // As the phone shows it: the gateway's signature in front, a marketing text's
            // opt-out line behind — both count towards the parts the provider bills.
            let text = TextMessage.body(body, purpose: template.purpose, language: template.language)
            body = try await services.textGateways.current()?.signed(text) ?? text
        }
        let to = filled.map { r in template.channel == .sms ? (r.recipient.phone ?? t("templates.no_phone")) : template.channel == .email
                                ? (r.recipient.email.map { "\(r.recipient.name) <\($0)>" } ?? t("templates.no_email")) : r.recipient.name } ?? ""
        return Preview(kinds: kinds.map { WebChoice(value: $0.rawValue, label: t("kinds.\($0.rawValue)"), selected: $0 == kind) }, kind: kind?.rawValue ?? "",
                       records: records, to: to, subject: filled?.subject ?? "", body: body, isSMS: template.channel == .sms,
                       characters: body.count, parts: SMSLength.parts(body), canTest: template.channel != .letter && filled != nil, error: problem)
    }
}

/// How many messages an SMS text takes: 70 characters in one when it holds Chinese
/// (UCS-2), 67 per part when longer; 160 and 153 for plain ASCII text.
package enum SMSLength {
    package static func parts(_ text: String) -> Int {
        guard !text.isEmpty else { return 0 }
        let wide = text.unicodeScalars.contains { $0.value > 0x7E }
        let count = wide ? text.utf16.count : text.count
        let (single, multi) = wide ? (70, 67) : (160, 153)
        return count <= single ? 1 : (count + multi - 1) / multi
    }
}
