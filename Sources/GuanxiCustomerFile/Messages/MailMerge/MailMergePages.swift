import Foundation
import Hummingbird
import GuanxiPlatform

/// Mail merges on the web: choosing a template for a list, a selection or a segment,
/// and each merge's results recipient by recipient.
package struct MailMergePages {
    package static let menu = MenuEntry("/mail-merges", titleKey: "nav.merges") { principal in
        principal.scope(for: .read, on: .outbox) != nil || principal.scope(for: .create, on: .outbox) != nil
    }
    static let url = SiteURL("/mail-merges")

    /// Where a merge to the records of `kind` that `query` selects starts (a list's
    /// filters, an analytics segment); nil when the kind has no addresses or the reader
    /// may not send.
    package static func startURL(_ kind: RecordKind, query: String, label: String? = nil, for principal: Principal, in records: RecordKinds) -> String? {
        guard records[kind]?.messageRecipients != nil, principal.scope(for: .create, on: .outbox) != nil else { return nil }
        return url.appending("new").with("kind", kind.rawValue).with("query", query).with("label", label).description
    }

    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    struct Row { let href: String; let created: String; let template: String; let recipients: String; let status: String; let statusLabel: String
        let total: Int; let queued: Int; let skipped: Int }
    struct ListPage { let rows: [Row]; let empty: Bool; let next: String? }
    struct NewPage {
        let kind: String; let kindLabel: String; let query: String?; let ids: [String]; let label: String; let count: String
        let templates: [WebChoice]; let noTemplates: Bool; let canCreateTemplate: Bool; let configured: Bool; let textsConfigured: Bool; let error: String?
    }
    struct Recipient { let name: String; let href: String?; let address: String; let status: String; let statusLabel: String; let reason: String; let message: String? }
    struct Tab { let label: String; let href: String; let count: Int; let current: Bool }
    struct DetailPage { let merge: Row; let error: String?; let running: Bool; let tabs: [Tab]; let recipients: [Recipient]; let next: String?; let kindLabel: String }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/mail-merges") { request, context in
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let merges = try await MailMerge(services: services).list(after: request.uri.queryParameters["after"].map(String.init), limit: 51, for: context.principal)
            let shown = Array(merges.prefix(50))
            let page = ListPage(rows: shown.map { row($0, t, format) }, empty: shown.isEmpty,
                                next: merges.count > 50 ? shown.last.map { Self.url.with("after", $0.cursor).description } : nil)
            return services.renderer.render("mail-merges", titleKey: "mail_merges.title", page: page, context: context)
        }
        web.get("/mail-merges/new") { request, context in
            let q = request.uri.queryParameters
            let kind = RecordKind(rawValue: q["kind"].map(String.init) ?? "")
            // One record, from its page (`?ids=`): named by its name.
            let ids = q.getAll("ids").compactMap { UUID(uuidString: String($0)) }
            if ids.count == 1, services.records[kind] != nil {
                let record = try await services.records.find(kind, ids[0], for: context.principal)
                return try await newPage(kind: kind, query: nil, ids: ids, label: record.name, context: context)
            }
            return try await newPage(kind: kind, query: q["query"].map(String.init) ?? "", ids: [], label: q["label"].map(String.init), context: context)
        }
        // From a list's selection: the bulk form posts the picked rows here.
        web.post("/mail-merges/new") { request, context in
            let form = try await request.form(context: context)
            let ids = form.values("ids").compactMap(UUID.init(uuidString:))
            guard !ids.isEmpty else { throw GuanxiError.invalid("ids", "Pick at least one record.").localized("msg.bulk_count", ["max": String(MailMerge.largest)]) }
            return try await newPage(kind: RecordKind(rawValue: form["kind"] ?? ""), query: nil, ids: ids, label: form["label"], context: context)
        }
        web.post("/mail-merges") { request, context in
            let form = try await request.form(context: context)
            let kind = RecordKind(rawValue: form["kind"] ?? "")
            let ids = form.values("ids").compactMap(UUID.init(uuidString:))
            let source: MergeSource = ids.isEmpty ? .list(kind: kind, query: form["query"] ?? "") : .records(kind: kind, ids: ids)
            let label = form["label"] ?? ""
            do {
                let template = try Validate.uuid(form["template_id"], field: "templateId").orThrow(.invalid("templateId", "Choose a template.").localized("msg.required", ["field": "templateId"]))
                let merge = try await MailMerge(services: services).start(template: template, source: source, label: label, by: context.principal)
                return WebRenderer.redirect(Self.url.appending(merge.id))
            } catch let error as GuanxiError where error.kind == .validation {
                return try await newPage(kind: kind, query: ids.isEmpty ? form["query"] ?? "" : nil, ids: ids, label: label, context: context,
                                         error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.get("/mail-merges/:id") { request, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Mail merge"))
            let merge = try await MailMerge(services: services).find(id, for: context.principal)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let q = request.uri.queryParameters
            let status = try q["status"].flatMap { $0.isEmpty ? nil : String($0) }.map { raw in
                try OutboxEntry.Status(rawValue: raw).orThrow(.invalid("status", "status must be one of \(OutboxEntry.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
                    .localized("msg.choice", ["field": "status", "choices": OutboxEntry.Status.allCases.map(\.rawValue).joined(separator: ", ")]))
            }
            let counts = try await services.outbox.counts(batch: id)
            let here = Self.url.appending(id)
            let tabs = [Tab(label: t("outbox.all"), href: here.description, count: counts.values.reduce(0, +), current: status == nil)]
                + OutboxEntry.Status.allCases.filter { counts[$0] != nil }.map {
                    Tab(label: t("outbox.statuses.\($0.rawValue)"), href: here.with("status", $0.rawValue).description, count: counts[$0] ?? 0, current: status == $0)
                }
            let entries = try await services.outbox.list(status: status, batch: id, after: q["after"].map(String.init), limit: 51)
            let shown = Array(entries.prefix(50))
            let readsOutbox = context.principal.scope(for: .read, on: .outbox) != nil
            let recipients = shown.map { e in
                Recipient(name: e.recipientName ?? "", href: e.aboutKind.flatMap { kind in e.aboutID.map { services.records.url(kind, $0).description } },
                          address: e.recipient, status: e.status.rawValue, statusLabel: t("outbox.statuses.\(e.status.rawValue)"), reason: e.lastReply ?? "",
                          message: readsOutbox && !e.recipient.isEmpty ? "/admin/outbox/\(e.id.uuidString)" : nil)
            }
            var next: String?
            if entries.count > 50, let last = shown.last { next = (status.map { here.with("status", $0.rawValue) } ?? here).with("after", last.cursor).description }
            let page = DetailPage(merge: row(merge, t, format), error: merge.error, running: [.queued, .running].contains(merge.status), tabs: tabs,
                                  recipients: recipients, next: next, kindLabel: t("kinds.\(merge.kind.rawValue)"))
            return services.renderer.render("mail-merge", titleKey: "mail_merges.title", page: page, context: context)
        }
    }

    /// Where a record's page offers to send it a message from a template; nil when its kind
    /// takes none or the reader may not send.
    package static func oneRecordHref(_ kind: RecordKind, _ id: UUID, records: RecordKinds, principal: Principal) -> String? {
        guard records[kind]?.messageRecipients != nil, principal.scope(for: .create, on: .outbox) != nil, principal.scope(for: .read, on: .templates) != nil else { return nil }
        return url.appending("new").with("kind", kind.rawValue).with("ids", id.uuidString).description
    }

    func newPage(kind: RecordKind, query: String?, ids: [UUID], label: String?, context: SignedInContext, error: String? = nil,
                 status: HTTPResponse.Status = .ok) async throws -> Response {
        _ = try services.permissions.require(context.principal, .create, on: .outbox)
        guard services.records[kind]?.messageRecipients != nil else { throw GuanxiError.notFound("Kind of record") }
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        // E-mail and text messages; letters are printed (`/print`).
        let templates = try await services.messageTemplates.list(for: context.principal).filter { $0.channel != .letter }
        let description = label ?? (ids.isEmpty
            ? t("kinds.\(kind.rawValue)") + t("punct.colon") + (Self.readable(query ?? "").isEmpty ? t("mail_merges.whole_list") : Self.readable(query ?? ""))
            : services.localizer.text("mail_merges.picked", context.locale, ["n": String(ids.count), "kind": t("kinds.\(kind.rawValue)")]))
        let page = NewPage(kind: kind.rawValue, kindLabel: t("kinds.\(kind.rawValue)"), query: query, ids: ids.map(\.uuidString), label: description,
                           count: ids.isEmpty ? "" : String(ids.count),
                           templates: templates.map { WebChoice(value: $0.id.uuidString,
                                                                 label: "\($0.name) (\(t("templates.channels.\($0.channel.rawValue)")) · \(t("outbox.purposes.\($0.purpose.rawValue)")))",
                                                                 selected: false) },
                           noTemplates: templates.isEmpty, canCreateTemplate: context.principal.scope(for: .create, on: .templates) != nil,
                           configured: services.config.mailConfigured, textsConfigured: try await services.textGateways.current() != nil, error: error)
        return services.renderer.render("mail-merge-new", titleKey: "mail_merges.new", page: page, context: context, status: status)
    }

    /// A list's query string as a person reads it: "q=杭州 · tag=VIP".
    static func readable(_ query: String) -> String {
        (URLComponents(string: "/?" + query)?.queryItems ?? []).filter { !($0.value ?? "").isEmpty && !["sort", "order"].contains($0.name) }
            // A filter by a record (owner=…) reads as its name alone: an id says nothing to a person.
            .map { UUID(uuidString: $0.value ?? "") == nil ? "\($0.name)=\($0.value ?? "")" : $0.name }.joined(separator: " · ")
    }

    func row(_ m: MailMergeRecord, _ t: (String) -> String, _ format: DisplayFormat) -> Row {
        Row(href: Self.url.appending(m.id).description, created: format.dateTime(m.createdAt), template: m.templateName, recipients: m.sourceLabel,
            status: m.status.rawValue, statusLabel: t("mail_merges.statuses.\(m.status.rawValue)"), total: m.total, queued: m.queued, skipped: m.skipped)
    }
}
