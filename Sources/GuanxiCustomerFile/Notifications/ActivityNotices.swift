import FluentKit
import Foundation
import GuanxiPlatform
import SQLKit

/// Who an activity's change concerns: colleagues newly added to a meeting, call or visit
/// (with an iCalendar invitation for their calendar), and colleagues named in its text
/// (`@李娜`, `@lina`) who may read it. Worked out before the change is saved, written in
/// its transaction.
extension ActivityService {
    package func notices(for a: Activity, participants: [Participant], before: [Participant], oldText: String, by actor: Principal) async throws -> [Notifications.Note] {
        let me = actor.channel == .console ? nil : actor.userID
        let link = records.url(.activities, a.id!).description
        var notes: [Notifications.Note] = []
        let added = participants.filter { $0.kind == .user && !before.contains($0) && $0.id != me }
        if ActivityVocabulary.scheduled.contains(a.kind), a.isOpen, a.startsAt != nil, !added.isEmpty {
            let invitation = try await invitation(a, participants: participants)
            notes += added.map { .init(user: $0.id, event: .meeting, title: a.subject, link: link, attachment: invitation) }
        }
        let named = Set(Self.mentions(in: Self.text(of: a))).subtracting(Self.mentions(in: oldText))
        guard !named.isEmpty else { return notes }
        let rows = try await database.sql.raw("""
            SELECT id, username, display_name FROM users
            WHERE is_active = \(bind: true) AND (username IN (\(binds: Array(named))) OR display_name IN (\(binds: Array(named))))
            """).all()
        let loader = PrincipalLoader(database: database)
        for row in rows {
            let user = try row.decode(column: "id", as: UUID.self)
            guard user != me, !notes.contains(where: { $0.user == user && $0.event == .mention }),
                  let principal = try await loader.load(userID: user, channel: .session, address: ""),
                  (try? await permissions.requireAccess(principal, .read, on: .activities, owner: a.ownerID, notFound: .notFound("Activity"))) != nil else { continue }
            notes.append(.init(user: user, event: .mention, title: a.subject, arguments: ["by": actor.displayName, "text": Self.excerpt(Self.text(of: a))], link: link))
        }
        return notes
    }

    /// The text people are named in.
    package static func text(of a: Activity) -> String { [a.details, a.outcome ?? ""].joined(separator: "\n") }

    /// The names after `@`: up to white space or punctuation, at most 40 characters.
    package static func mentions(in text: String) -> [String] {
        guard text.contains("@") else { return [] }
        let stops = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ",.;:!?，。；：！？、()（）[]【】<>《》\"'“”@"))
        var names: [String] = []
        var rest = Substring(text)
        while let at = rest.firstIndex(of: "@") {
            // An e-mail address (wang@example.cn) names nobody.
            if at > rest.startIndex, let before = rest[rest.index(before: at)].unicodeScalars.first, CharacterSet.alphanumerics.contains(before), before.isASCII {
                rest = rest[rest.index(after: at)...]
                continue
            }
            let name = rest[rest.index(after: at)...].prefix { !$0.unicodeScalars.contains(where: stops.contains) }.prefix(40)
            if !name.isEmpty { names.append(String(name)) }
            rest = rest[rest.index(after: at)...]
        }
        return names
    }

    static func excerpt(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
    }

    /// An iCalendar REQUEST for the activity, so a mail program offers to add it to the
    /// calendar: organised by its owner, with every participant who has an e-mail address.
    package func invitation(_ a: Activity, participants: [Participant]) async throws -> MailAttachment? {
        guard let event = ActivityICalendar.component(a, customer: nil, kindLabel: a.kind, zone: nil) else { return nil }
        let users = participants.filter { $0.kind == .user }.map(\.id) + (a.ownerID.map { [$0] } ?? [])
        let people = participants.filter { $0.kind == .contact }.map(\.id)
        var addresses: [UUID: (name: String, email: String)] = [:]
        if !users.isEmpty {
            for row in try await database.sql.raw("SELECT id, display_name, email FROM users WHERE id IN (\(binds: users)) AND email IS NOT NULL").all() {
                addresses[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "display_name", as: String.self), try row.decode(column: "email", as: String.self))
            }
        }
        if !people.isEmpty {
            for row in try await database.sql.raw("""
                SELECT t.id, t.name, MIN(ch.value) AS email FROM contacts t JOIN contact_channels ch ON ch.contact_id = t.id AND ch.kind = 'email'
                WHERE t.id IN (\(binds: people)) GROUP BY t.id, t.name
                """).all() {
                addresses[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "name", as: String.self), try row.decode(column: "email", as: String.self))
            }
        }
        var lines: [String] = ["SEQUENCE:\(a.version)"]
        if let owner = a.ownerID, let organiser = addresses[owner] {
            lines.append("ORGANIZER;CN=\(Self.parameter(organiser.name)):mailto:\(organiser.email)")
        }
        for participant in participants {
            guard let person = addresses[participant.id] else { continue }
            lines.append("ATTENDEE;CN=\(Self.parameter(person.name));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:\(person.email)")
        }
        let extra = lines.map(VCard.line).joined()
        let component = event.replacingOccurrences(of: "END:VEVENT\r\n", with: extra + "END:VEVENT\r\n")
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Guanxi//CRM//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:REQUEST\r\n" + component + "END:VCALENDAR\r\n"
        return MailAttachment(filename: "invite.ics", contentType: "text/calendar; method=REQUEST; charset=UTF-8", data: Data(text.utf8))
    }

    /// Invitations by e-mail to the customer's people taking part in a meeting, call or
    /// visit: one transactional message each, in both languages (their language is not
    /// known), with the iCalendar REQUEST, queued in the outbox about the activity.
    /// Returns how many were queued.
    @discardableResult
    package func invite(_ a: Activity, participants: [Participant], by actor: Principal) async throws -> Int {
        guard ActivityVocabulary.scheduled.contains(a.kind), a.isOpen, let start = a.startsAt,
              let invitation = try await invitation(a, participants: participants) else { return 0 }
        let people = participants.filter { $0.kind == .contact }.map(\.id)
        guard !people.isEmpty else { return 0 }
        let outbox = writer.notifications.outbox
        let zone = TimeZone(identifier: actor.timeZone) ?? .gmt
        // Written the same in both languages: 2026-12-06 10:00.
        let formatter = DateFormatter()
        (formatter.locale, formatter.timeZone, formatter.dateFormat) = (Locale(identifier: "en_US_POSIX"), zone, "yyyy-MM-dd HH:mm")
        let when = formatter.string(from: start)
        var queued = 0
        for row in try await database.sql.raw("""
            SELECT t.name, MIN(ch.value) AS email FROM contacts t JOIN contact_channels ch ON ch.contact_id = t.id AND ch.kind = 'email'
            WHERE t.id IN (\(binds: people)) GROUP BY t.id, t.name
            """).all() {
            guard let to = try? MailAddress(try row.decode(column: "email", as: String.self), name: try row.decode(column: "name", as: String.self)) else { continue }
            var message = MailMessage(from: outbox.sender, to: to, subject: "邀请 / Invitation: \(a.subject)",
                                      text: "\(a.subject)\n时间 / When: \(when) (\(zone.identifier))\n邀请人 / From: \(actor.displayName)\n\n\(a.details)\n",
                                      purpose: .transactional)
            message.attachments = [invitation]
            try await outbox.queue(message, about: (.activities, a.id!), by: actor)
            queued += 1
        }
        return queued
    }

    /// A parameter value (RFC 5545 §3.2): quoted, without the characters it cannot hold.
    static func parameter(_ value: String) -> String { "\"" + value.filter { $0 != "\"" && !$0.isNewline } + "\"" }
}
