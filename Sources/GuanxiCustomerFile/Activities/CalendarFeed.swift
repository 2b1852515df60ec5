import FluentKit
import Foundation
import Hummingbird
import SQLKit
import GuanxiPlatform

/// A user's activities as a calendar feed that Outlook, Apple Calendar or Google Calendar
/// subscribe to: an address holding a secret, which the user can replace (the old one then
/// stops working) or turn off. The feed reads as the user — their permissions as they are
/// now — from 90 days back to a year ahead; a disabled user's feed is gone.
package struct CalendarFeed: Sendable {
    package let services: CustomerFileServices

    /// A new secret for the user's feed address, replacing any earlier one; returned once.
    package func issue(by actor: Principal) async throws -> String {
        let secret = Secrets.randomToken()
        try await save(Secrets.sha256Hex(secret), by: actor, action: .tokenIssue)
        return secret
    }

    package func revoke(by actor: Principal) async throws {
        try await save(nil, by: actor, action: .tokenRevoke)
    }

    package func isOn(for actor: Principal) async throws -> Bool {
        try await services.database.sql.select().column("calendar_feed_hash").from("users").where("id", .equal, actor.userID).first()?
            .decode(column: "calendar_feed_hash", as: String?.self) != nil
    }

    private func save(_ hash: String?, by actor: Principal, action: AuditAction) async throws {
        try await services.database.db.transaction { tx in
            try await (tx as! any SQLDatabase).update("users").set("calendar_feed_hash", to: hash).where("id", .equal, actor.userID).run()
            try await services.audit.record(on: tx, actor: actor, action: action, kind: .users, id: actor.userID.uuidString, label: "calendar feed")
        }
    }

    /// The calendar behind a feed secret; not found for an unknown or replaced secret.
    package func calendar(secret: String) async throws -> String {
        guard secret.count <= 100,
              let row = try await services.database.sql.select().column("id").from("users").where("calendar_feed_hash", .equal, Secrets.sha256Hex(secret)).first(),
              let actor = try await services.principals.load(userID: try row.decode(column: "id", as: UUID.self), channel: .session, address: "calendar feed")
        else { throw GuanxiError.notFound("Calendar") }
        let now = services.clock.now()
        let activities = try await services.activityQuery.calendar(from: now.addingTimeInterval(-90 * 86_400), to: now.addingTimeInterval(366 * 86_400),
                                                                   people: [actor.userID], for: actor)
        let customers = try await services.customerQuery.names(of: activities.compactMap(\.customerID), for: actor)
        return ActivityICalendar.calendar(activities, name: "Guanxi · \(actor.displayName)", timeZone: actor.timeZone, customers: customers,
                                          kindLabel: { services.localizer.text("activity_kinds.\($0)", actor.locale) }, now: now)
    }

    /// `GET /calendar/feed/SECRET.ics`: no session — the secret is the key.
    package func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/calendar/feed/:secret") { _, context in
            let secret = try context.parameters.require("secret")
            let text = try await calendar(secret: secret.hasSuffix(".ics") ? String(secret.dropLast(4)) : secret)
            var headers = HTTPFields()
            headers[.contentType] = "text/calendar; charset=utf-8"
            headers[.cacheControl] = "private, max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
