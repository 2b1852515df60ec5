import Foundation
import GuanxiAPI
import GuanxiPlatform

/// The caller's own notifications and choices over the REST API: nobody reads another's.
extension CustomerFileAPI {
    package func listNotifications(_ input: Operations.listNotifications.Input) async throws -> Operations.listNotifications.Output {
        let principal = try RequestPrincipal.require()
        let limit = try Self.limit(input.query.limit)
        let entries = try await services.notifications.list(principal.userID, locale: principal.locale, unreadOnly: input.query.unread == true,
                                                            after: input.query.cursor, limit: limit + 1)
        let page = entries.prefix(limit)
        return .ok(.init(body: .json(.init(items: page.map(Self.apiNotification), unread: try await services.notifications.unread(principal.userID),
                                           nextCursor: entries.count > limit ? page.last?.cursor : nil))))
    }

    package func readNotification(_ input: Operations.readNotification.Input) async throws -> Operations.readNotification.Output {
        let principal = try RequestPrincipal.require()
        let entry = try await services.notifications.markRead(try Self.id(input.path.notificationId, field: "notificationId"), user: principal.userID, locale: principal.locale)
        return .ok(.init(body: .json(Self.apiNotification(entry))))
    }

    package func readAllNotifications(_ input: Operations.readAllNotifications.Input) async throws -> Operations.readAllNotifications.Output {
        try await services.notifications.markAllRead(try RequestPrincipal.require().userID)
        return .noContent(.init())
    }

    package func getNotificationPreferences(_ input: Operations.getNotificationPreferences.Input) async throws -> Operations.getNotificationPreferences.Output {
        .ok(.init(body: .json(Self.apiPreferences(try await services.notifications.preferences(try RequestPrincipal.require().userID)))))
    }

    package func setNotificationPreferences(_ input: Operations.setNotificationPreferences.Input) async throws -> Operations.setNotificationPreferences.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError.invalid("body", "Send JSON.") }
        let sent: [Notifications.Event: Components.Schemas.NotificationChannel?] = [.assigned: body.assigned, .reminder: body.reminder, .meeting: body.meeting,
                                                                                   .mention: body.mention, .importFinished: body.import_finished,
                                                                                   .handedOver: body.handed_over]
        let choices = try NotificationPages.choices { name in Notifications.Event(rawValue: name).flatMap { sent[$0] ?? nil }?.rawValue }
        try await services.notifications.setPreferences(choices, of: principal.userID, label: principal.username, by: principal)
        return .ok(.init(body: .json(Self.apiPreferences(try await services.notifications.preferences(principal.userID)))))
    }

    static func apiNotification(_ e: NotificationEntry) -> Components.Schemas.Notification {
        .init(id: e.id.uuidString, event: .init(rawValue: e.event.rawValue)!, headline: e.headline, detail: e.detail, link: e.link, createdAt: e.createdAt, readAt: e.readAt)
    }

    static func apiPreferences(_ p: [Notifications.Event: Notifications.Channel]) -> Components.Schemas.NotificationPreferences {
        let c = { (event: Notifications.Event) in p[event].flatMap { Components.Schemas.NotificationChannel(rawValue: $0.rawValue) } }
        return .init(assigned: c(.assigned), reminder: c(.reminder), meeting: c(.meeting), mention: c(.mention), import_finished: c(.importFinished),
                     handed_over: c(.handedOver))
    }
}
