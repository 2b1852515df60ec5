import Foundation
import Hummingbird
import GuanxiPlatform

/// The outbox on the web: what is waiting, what went, what failed and why, and sending a
/// failed or uncertain message again.
package struct OutboxPages {
    package static let menu = MenuEntry("/admin/outbox", titleKey: "nav.outbox", readers: .outbox)
    static let url = SiteURL("/admin/outbox")

    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    package struct Row { let id: String; let created: String; let channel: String; let recipient: String; let subject: String; let purpose: String
        let status: String; let statusLabel: String; let attempts: Int; let reply: String; let sent: String }
    package struct Tab { let label: String; let href: String; let count: Int; let current: Bool }
    package struct Page {
        let configured: Bool; let server: String; let textsConfigured: Bool; let tabs: [Tab]; let rows: [Row]; let empty: Bool; let next: String?
        /// The marketing frequency cap, for administrators to set.
        let canConfigure: Bool; let capOn: Bool; let capMessages: Int; let capDays: Int; let notice: String?; let error: String?
    }
    package struct Detail { let row: Row; let text: String; let canResend: Bool; let about: String?; let aboutLabel: String; let notice: String? }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/outbox") { request, context in
            _ = try services.permissions.require(context.principal, .read, on: .outbox)
            let q = request.uri.queryParameters
            let status = try q["status"].flatMap { $0.isEmpty ? nil : String($0) }.map { raw in
                guard let status = OutboxEntry.Status(rawValue: raw) else {
                    throw GuanxiError.invalid("status", "status must be one of \(OutboxEntry.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                return status
            }
            let entries = try await services.outbox.list(status: status, after: q["after"].map(String.init), limit: 51)
            let counts = try await services.outbox.counts()
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let tabs = [Tab(label: t("outbox.all"), href: Self.url.description, count: counts.values.reduce(0, +), current: status == nil)]
                + OutboxEntry.Status.allCases.map { Tab(label: t("outbox.statuses.\($0.rawValue)"), href: Self.url.with("status", $0.rawValue).description,
                                                        count: counts[$0] ?? 0, current: status == $0) }
            let shown = Array(entries.prefix(50))
            var next: String?
            if entries.count > 50, let last = shown.last {
                var link = Self.url.with("after", last.cursor)
                if let status { link = link.with("status", status.rawValue) }
                next = link.description
            }
            let cap = try await services.outbox.cap()
            let page = Page(configured: services.config.mailConfigured, server: services.config.smtp?.safeDescription ?? "",
                            textsConfigured: try await services.textGateways.current() != nil, tabs: tabs,
                            rows: shown.map { row($0, t, format) }, empty: shown.isEmpty, next: next,
                            canConfigure: (try? services.permissions.require(context.principal, .update, on: .settings)) != nil,
                            capOn: cap != nil, capMessages: cap?.messages ?? 4, capDays: cap?.days ?? 30,
                            notice: q["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }, error: nil)
            return services.renderer.render("admin-outbox", titleKey: "outbox.title", page: page, context: context)
        }
        web.post("/admin/outbox/cap") { request, context in
            _ = try services.permissions.require(context.principal, .update, on: .settings)
            let form = try await request.form(context: context)
            var cap: MarketingCap?
            if form["on"] == "1" {
                guard let messages = Int(form["messages"] ?? ""), let days = Int(form["days"] ?? "") else {
                    throw GuanxiError.invalid("messages", "Enter whole numbers.").localized("msg.whole_numbers", [:])
                }
                cap = MarketingCap(messages: messages, days: days)
            }
            try await services.outbox.setCap(cap, by: context.principal)
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
        web.get("/admin/outbox/:id") { request, context in
            _ = try services.permissions.require(context.principal, .read, on: .outbox)
            let entry = try await find(context)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            // The record it is about, linked when the reader may open it.
            var about: String?
            if let kind = entry.aboutKind, let id = entry.aboutID, services.records[kind] != nil {
                about = services.records.url(kind, id).description
            }
            let detail = Detail(row: row(entry, t, format), text: try await services.outbox.text(of: entry.id) ?? "",
                                canResend: [.failed, .uncertain].contains(entry.status) && (try? services.permissions.require(context.principal, .update, on: .outbox)) != nil,
                                about: about, aboutLabel: entry.aboutKind.map { t("kinds.\($0.rawValue)") } ?? "",
                                notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
            return services.renderer.render("admin-outbox-message", titleKey: "outbox.message", page: detail, context: context)
        }
        web.post("/admin/outbox/:id/resend") { _, context in
            _ = try services.permissions.require(context.principal, .update, on: .outbox)
            let entry = try await find(context)
            _ = try await services.outbox.resend(entry.id, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(entry.id).notice("queued"))
        }
    }

    func find(_ context: SignedInContext) async throws -> OutboxEntry {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let entry = try await services.outbox.find(id) else {
            throw GuanxiError.notFound("The message")
        }
        return entry
    }

    func row(_ e: OutboxEntry, _ t: (String) -> String, _ format: DisplayFormat) -> Row {
        Row(id: e.id.uuidString, created: format.dateTime(e.createdAt), channel: t("templates.channels.\(e.channel.rawValue)"), recipient: e.recipientName.map { "\($0) <\(e.recipient)>" } ?? e.recipient,
            subject: e.subject, purpose: t("outbox.purposes.\(e.purpose.rawValue)"), status: e.status.rawValue, statusLabel: t("outbox.statuses.\(e.status.rawValue)"),
            attempts: e.attempts, reply: e.lastReply ?? "", sent: e.sentAt.map(format.dateTime) ?? "")
    }
}
