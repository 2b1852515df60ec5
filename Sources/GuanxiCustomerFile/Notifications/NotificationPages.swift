import Foundation
import Hummingbird
import GuanxiPlatform

/// The notification centre: the bell's list (all or unread), opening one (which marks it
/// read and goes to what it is about), marking all read, and each user's choice of how to
/// hear of each kind of event.
package struct NotificationPages {
    static let url = SiteURL("/notifications")

    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    package struct Row { let id: String; let headline: String; let detail: String; let at: String; let unread: Bool }
    package struct Preference { let event: String; let label: String; let choices: [WebChoice] }
    package struct Page {
        let rows: [Row]; let empty: Bool; let unreadOnly: Bool; let hasUnread: Bool; let next: String?
        let preferences: [Preference]; let mailConfigured: Bool; let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/notifications") { request, context in
            let q = request.uri.queryParameters
            let unreadOnly = q["unread"] == "1"
            let user = context.principal.userID
            let entries = try await services.notifications.list(user, locale: context.locale, unreadOnly: unreadOnly, after: q["after"].map(String.init), limit: 51)
            let shown = Array(entries.prefix(50))
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            var next: String?
            if entries.count > 50, let last = shown.last {
                next = Self.url.with("after", last.cursor).with("unread", unreadOnly ? "1" : nil).description
            }
            let chosen = try await services.notifications.preferences(user)
            let preferences = Notifications.Event.allCases.map { event in
                Preference(event: event.rawValue, label: t("notify.event_names.\(event.rawValue)"),
                           choices: Notifications.Channel.allCases.map { WebChoice(value: $0.rawValue, label: t("notify.channels.\($0.rawValue)"), selected: chosen[event] == $0) })
            }
            let page = Page(rows: shown.map { Row(id: $0.id.uuidString, headline: $0.headline, detail: $0.detail, at: format.dateTime($0.createdAt), unread: $0.readAt == nil) },
                            empty: shown.isEmpty, unreadOnly: unreadOnly, hasUnread: context.unreadNotifications > 0, next: next, preferences: preferences,
                            mailConfigured: services.config.mailConfigured,
                            notice: q["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
            return services.renderer.render("notifications", titleKey: "notify.title", page: page, context: context)
        }
        // Opening a notification reads it; only its recipient can.
        web.get("/notifications/:id/open") { _, context in
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw GuanxiError.notFound("The notification") }
            let entry = try await services.notifications.markRead(id, user: context.principal.userID, locale: context.locale)
            return WebRenderer.redirect(entry.link.flatMap { SiteURL(local: $0) } ?? Self.url)
        }
        web.post("/notifications/read-all") { _, context in
            try await services.notifications.markAllRead(context.principal.userID)
            return WebRenderer.redirect(Self.url)
        }
        web.post("/notifications/preferences") { request, context in
            let form = try await request.form(context: context)
            let choices = try Self.choices(from: { form[$0] })
            try await services.notifications.setPreferences(choices, of: context.principal.userID, label: context.principal.username, by: context.principal)
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
    }

    /// Each event's channel as sent (`assigned=both`…); an event left out keeps its choice.
    package static func choices(from value: (String) -> String?) throws -> [Notifications.Event: Notifications.Channel] {
        var out: [Notifications.Event: Notifications.Channel] = [:]
        for event in Notifications.Event.allCases {
            guard let sent = value(event.rawValue) else { continue }
            guard let channel = Notifications.Channel(rawValue: sent) else {
                let names = Notifications.Channel.allCases.map(\.rawValue).joined(separator: ", ")
                throw GuanxiError.invalid(event.rawValue, "\(event.rawValue) must be one of \(names).")
                    .localized("msg.choice", ["field": event.rawValue, "choices": names])
            }
            out[event] = channel
        }
        return out
    }
}
