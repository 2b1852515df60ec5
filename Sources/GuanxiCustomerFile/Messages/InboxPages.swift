import Foundation
import Hummingbird
import GuanxiPlatform

/// Received mail on the web: what came in, where each message was filed (or why not),
/// filing a message again once its sender is known, and whether unknown senders become
/// leads.
package struct InboxPages {
    package static let menu = MenuEntry("/admin/inbox", titleKey: "nav.inbox", readers: .inbox)
    static let url = SiteURL("/admin/inbox")
    /// The source shown on the page; the whole message stays stored.
    static let longestSource = 200_000

    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    package struct Row { let id: String; let received: String; let sender: String; let subject: String; let status: String; let statusLabel: String; let note: String }
    package struct Tab { let label: String; let href: String; let count: Int; let current: Bool }
    package struct Filed { let label: String; let href: String? }
    package struct Page {
        let tabs: [Tab]; let rows: [Row]; let empty: Bool; let next: String?
        let canConfigure: Bool; let unknownSenders: [WebChoice]; let notice: String?
    }
    package struct Detail {
        let row: Row; let via: String; let size: String; let filed: [Filed]; let text: String; let attachments: [String]
        let source: String; let canRefile: Bool; let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/inbox") { request, context in
            _ = try services.permissions.require(context.principal, .read, on: .inbox)
            let q = request.uri.queryParameters
            let status = try q["status"].flatMap { $0.isEmpty ? nil : String($0) }.map { raw in
                guard let status = InboundEntry.Status(rawValue: raw) else {
                    throw GuanxiError.invalid("status", "status must be one of \(InboundEntry.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
                        .localized("msg.choice", ["field": "status", "choices": InboundEntry.Status.allCases.map(\.rawValue).joined(separator: ", ")])
                }
                return status
            }
            let entries = try await services.inbox.list(status: status, after: q["after"].map(String.init), limit: 51)
            let counts = try await services.inbox.counts()
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let tabs = [Tab(label: t("inbox.all"), href: Self.url.description, count: counts.values.reduce(0, +), current: status == nil)]
                + InboundEntry.Status.allCases.map { Tab(label: t("inbox.statuses.\($0.rawValue)"), href: Self.url.with("status", $0.rawValue).description,
                                                         count: counts[$0] ?? 0, current: status == $0) }
            let shown = Array(entries.prefix(50))
            var next: String?
            if entries.count > 50, let last = shown.last {
                var link = Self.url.with("after", last.cursor)
                if let status { link = link.with("status", status.rawValue) }
                next = link.description
            }
            let current = try await services.settings.value(MailFiling.unknownSendersSetting, as: String.self) ?? ""
            let choices = [WebChoice(value: "", label: t("inbox.unknown_senders_none"), selected: current.isEmpty)]
                + services.records.kinds(where: { $0.fromUnknownSender != nil }).map {
                    WebChoice(value: $0.rawValue, label: t("kinds.\($0.rawValue)"), selected: current == $0.rawValue)
                }
            let page = Page(tabs: tabs, rows: shown.map { row($0, t, format) }, empty: shown.isEmpty, next: next,
                            canConfigure: (try? services.permissions.require(context.principal, .update, on: .settings)) != nil, unknownSenders: choices,
                            notice: q["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
            return services.renderer.render("admin-inbox", titleKey: "inbox.title", page: page, context: context)
        }
        web.post("/admin/inbox/settings") { request, context in
            _ = try services.permissions.require(context.principal, .update, on: .settings)
            let form = try await request.form(context: context)
            let kind = form["unknown_senders"] ?? ""
            guard kind.isEmpty || services.records[RecordKind(rawValue: kind)]?.fromUnknownSender != nil else {
                throw GuanxiError.invalid("unknown_senders", "unknown_senders must be empty or a kind that can be made from a sender.")
                    .localized("msg.choice", ["field": "unknown_senders", "choices": services.records.kinds(where: { $0.fromUnknownSender != nil }).map(\.rawValue).joined(separator: ", ")])
            }
            try await services.settings.set(MailFiling.unknownSendersSetting, to: kind.isEmpty ? nil : kind, by: context.principal)
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
        web.get("/admin/inbox/:id") { request, context in
            _ = try services.permissions.require(context.principal, .read, on: .inbox)
            let entry = try await find(context)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            var filed: [Filed] = []
            for ref in entry.filedOn {
                // Named and linked only for a reader who may open the record.
                let found = try? await services.records.find(ref.kind, ref.id, for: context.principal)
                filed.append(Filed(label: "\(t("kinds.\(ref.kind.rawValue)"))\(found.map { t("punct.colon") + $0.name } ?? "")",
                                   href: found.map { _ in services.records.url(ref.kind, ref.id).description }))
            }
            let raw = try await services.inbox.raw(of: entry.id) ?? Data()
            let mail = try? ReceivedMail.parse(raw)
            let detail = Detail(row: row(entry, t, format), via: entry.via, size: ByteCountFormatter.string(fromByteCount: Int64(entry.size), countStyle: .file),
                                filed: filed, text: mail?.text ?? "", attachments: mail?.attachments.map(\.filename) ?? [],
                                source: String(decoding: raw.prefix(Self.longestSource), as: UTF8.self),
                                canRefile: [.failed, .unmatched].contains(entry.status) && (try? services.permissions.require(context.principal, .update, on: .inbox)) != nil,
                                notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
            return services.renderer.render("admin-inbox-message", titleKey: "inbox.message", page: detail, context: context)
        }
        web.post("/admin/inbox/:id/refile") { _, context in
            let entry = try await find(context)
            _ = try await MailFiling(services: services).refile(entry.id, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(entry.id).notice("refiled"))
        }
    }

    func find(_ context: SignedInContext) async throws -> InboundEntry {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let entry = try await services.inbox.find(id) else {
            throw GuanxiError.notFound("The message")
        }
        return entry
    }

    func row(_ e: InboundEntry, _ t: (String) -> String, _ format: DisplayFormat) -> Row {
        Row(id: e.id.uuidString, received: format.dateTime(e.receivedAt), sender: e.sender, subject: e.subject.isEmpty ? "—" : e.subject,
            status: e.status.rawValue, statusLabel: t("inbox.statuses.\(e.status.rawValue)"), note: Self.note(e, t))
    }

    /// Filing's note in the reader's language; a failure's reason as it was recorded.
    static func note(_ e: InboundEntry, _ t: (String) -> String) -> String {
        guard let note = e.note else { return "" }
        switch note {
        case MailFiling.ownCopy: return t("inbox.notes.own_copy")
        case MailFiling.nobody: return t("inbox.notes.nobody")
        case MailFiling.automaticStranger: return t("inbox.notes.automatic_stranger")
        default:
            if e.status == .bounce, note.hasPrefix("Not delivered: ") { return t("inbox.notes.bounced") + note.dropFirst("Not delivered: ".count) }
            if e.status == .ignored, note.hasPrefix("A mail loop") { return t("inbox.notes.loop") }
            return note
        }
    }
}
