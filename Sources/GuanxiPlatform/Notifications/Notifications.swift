import FluentKit
import Foundation
import SQLKit

/// One notification as its recipient sees it.
public struct NotificationEntry: Sendable, Equatable {
    public var id: UUID
    public var event: Notifications.Event
    /// What it is about in the recipient's words: the record's name in the event's line.
    public var headline: String
    /// More about it (counts of an import, the words that named you), or "".
    public var detail: String
    /// Where it leads (the record it is about), a path on this site.
    public var link: String?
    public var createdAt: Date
    public var readAt: Date?

    public var cursor: String { Keyset.cursor(.time(createdAt), id: id) }
}

/// Telling people what concerns them: in the app (the bell and its list) and by e-mail,
/// as each user chooses per kind of event. A notification is written in the transaction
/// of the change it tells of, so it exists exactly when the change does; e-mail is
/// handed to the outbox afterwards by the job worker (`deliver`), so a page never waits
/// for mail.
public struct Notifications: Sendable {
    public enum Event: String, Sendable, CaseIterable, Codable {
        /// A record was given to you.
        case assigned
        /// An activity's reminder is due.
        case reminder
        /// You were added to a meeting, call or visit (by e-mail: an iCalendar invitation).
        case meeting
        /// Someone named you (`@name`) in a note.
        case mention
        /// An import you started has finished.
        case importFinished = "import_finished"
        /// Everything a colleague owned was handed to you.
        case handedOver = "handed_over"
    }

    /// How a user wants to hear of an event.
    public enum Channel: String, Sendable, CaseIterable, Codable {
        case inApp = "in_app", email, both, none
        var inApp: Bool { self == .inApp || self == .both }
        var byEmail: Bool { self == .email || self == .both }
    }

    /// What a user hears by when they never chose: in the app, and a meeting's invitation
    /// by e-mail as well (so it lands in their calendar).
    public static func defaultChannel(_ event: Event) -> Channel { event == .meeting ? .both : .inApp }

    /// A notification to write. It is told in the recipient's language when shown or
    /// mailed: `notify.events.EVENT` with `{title}`, and `notify.details.EVENT` with
    /// `arguments` when there are any (one named `…Key` holds a locale key, told as `…`).
    public struct Note: Sendable {
        public var user: UUID
        public var event: Event
        /// The name of what it is about (a record, a file).
        public var title: String
        public var arguments: [String: String]
        public var link: String?
        /// A file for the e-mail (a meeting's `invite.ics`).
        public var attachment: MailAttachment?
        public init(user: UUID, event: Event, title: String, arguments: [String: String] = [:], link: String? = nil, attachment: MailAttachment? = nil) {
            (self.user, self.event, self.title, self.arguments, self.link, self.attachment) = (user, event, title, arguments, link, attachment)
        }
    }

    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    package let outbox: Outbox
    package let localizer: Localizer
    /// Each user's unread count as the bell last showed it (`bell`).
    private let shown: ShortLivedCache<UUID, Int>

    package init(database: DatabaseService, audit: AuditLog, clock: any Clock, outbox: Outbox, localizer: Localizer) {
        (self.database, self.audit, self.clock, self.outbox, self.localizer) = (database, audit, clock, outbox, localizer)
        shown = ShortLivedCache(clock: clock, lifetime: DefinitionCaches.lifetime)
    }

    /// Writes a notification inside the caller's transaction, by the user's choice for its
    /// event (nothing at all for "none").
    public func add(_ note: Note, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let chosen = try await sql.select().column("channel").from("notification_preferences").where("user_id", .equal, note.user)
            .where("event", .equal, note.event.rawValue).first(decodingColumn: "channel", as: String.self)
        let channel = chosen.flatMap(Channel.init(rawValue:)) ?? Self.defaultChannel(note.event)
        guard channel != .none else { return }
        shown.forget(note.user)
        try await sql.insert(into: "notifications")
            .columns("id", "user_id", "event", "title", "body", "link", "in_app", "email_state", "attachment_name", "attachment", "created_at")
            .values(SQLBind(UUID()), SQLBind(note.user), SQLBind(note.event.rawValue), SQLBind(String(note.title.prefix(300))),
                    SQLBind(String(decoding: try JSONEncoder.sorted.encode(note.arguments.mapValues { String($0.prefix(500)) }), as: UTF8.self)),
                    SQLBind(note.link), SQLBind(channel.inApp), SQLBind(channel.byEmail ? "pending" : "none"), SQLBind(note.attachment?.filename),
                    SQLBind(note.attachment.map { String(decoding: $0.data, as: UTF8.self) }), SQLBind(clock.now())).run()
    }

    /// Writes notifications in a transaction of their own.
    public func add(_ notes: [Note]) async throws {
        guard !notes.isEmpty else { return }
        try await database.db.transaction { db in for note in notes { try await add(note, on: db) } }
    }

    /// How many notifications the user has not read (the bell's number).
    /// The number on the bell of every page: `unread`, as counted in the last moments.
    /// Notifications written or read in this process show at once; another process's
    /// within `DefinitionCaches.lifetime`.
    public func bell(_ user: UUID) async throws -> Int {
        if let count = shown.value(for: user) { return count }
        let count = try await unread(user)
        shown.store(count, for: user)
        return count
    }

    public func unread(_ user: UUID) async throws -> Int {
        try await database.sql.raw("""
            SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: user) AND in_app = \(bind: true) AND read_at IS NULL
            """).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// The user's notifications newest first; `after` is the last one's `cursor`.
    public func list(_ user: UUID, locale: String, unreadOnly: Bool = false, after cursor: String? = nil, limit: Int = 50) async throws -> [NotificationEntry] {
        let query = database.sql.select().columns("id", "event", "title", "body", "link", "created_at", "read_at").from("notifications")
            .where("user_id", .equal, user).where("in_app", .equal, true)
        if unreadOnly { query.where("read_at", .is, SQLLiteral.null) }
        return try await Keyset.time("created_at").apply(to: query, cursor: cursor).limit(limit).all().map { try entry($0, locale: locale) }
    }

    /// Marks one of the user's notifications read; another's is not found.
    @discardableResult
    public func markRead(_ id: UUID, user: UUID, locale: String) async throws -> NotificationEntry {
        let row = try await database.sql.select().columns("id", "event", "title", "body", "link", "created_at", "read_at").from("notifications")
            .where("id", .equal, id).where("user_id", .equal, user).where("in_app", .equal, true).first()
        guard var entry = try row.map({ try entry($0, locale: locale) }) else { throw GuanxiError.notFound("The notification") }
        if entry.readAt == nil {
            entry.readAt = clock.now()
            try await database.sql.update("notifications").set("read_at", to: entry.readAt).where("id", .equal, id).run()
            shown.forget(user)
        }
        return entry
    }

    /// Marks all of the user's notifications read; returns how many were unread.
    @discardableResult
    public func markAllRead(_ user: UUID) async throws -> Int {
        let count = try await unread(user)
        try await database.sql.update("notifications").set("read_at", to: clock.now()).where("user_id", .equal, user).where("read_at", .is, SQLLiteral.null).run()
        shown.forget(user)
        return count
    }

    /// The user's choice for every event (the default where they made none).
    public func preferences(_ user: UUID) async throws -> [Event: Channel] {
        var out = Dictionary(uniqueKeysWithValues: Event.allCases.map { ($0, Self.defaultChannel($0)) })
        for row in try await database.sql.select().columns("event", "channel").from("notification_preferences").where("user_id", .equal, user).all() {
            if let event = Event(rawValue: try row.decode(column: "event", as: String.self)),
               let channel = Channel(rawValue: try row.decode(column: "channel", as: String.self)) { out[event] = channel }
        }
        return out
    }

    /// Saves the user's choices (audited on the user).
    public func setPreferences(_ choices: [Event: Channel], of user: UUID, label: String, by actor: Principal) async throws {
        let old = try await preferences(user)
        let changes = Event.allCases.compactMap { event in
            choices[event].flatMap { $0 == old[event] ? nil : FieldChange(field: "notify.\(event.rawValue)", old: old[event]?.rawValue, new: $0.rawValue) }
        }
        guard !changes.isEmpty else { return }
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            for (event, channel) in choices {
                try await sql.delete(from: "notification_preferences").where("user_id", .equal, user).where("event", .equal, event.rawValue).run()
                try await sql.insert(into: "notification_preferences").columns("user_id", "event", "channel")
                    .values(SQLBind(user), SQLBind(event.rawValue), SQLBind(channel.rawValue)).run()
            }
            try await audit.record(on: db, actor: actor, action: .update, kind: .users, id: user.uuidString, label: label, changes: changes)
        }
    }

    /// Hands the e-mails of new notifications to the outbox (the job worker, every poll).
    /// A user without an e-mail address gets none. Returns how many were queued.
    @discardableResult
    public func deliver(limit: Int = 200) async throws -> Int {
        let rows = try await database.sql.raw("""
            SELECT n.id, n.event, n.title, n.body, n.link, n.created_at, n.read_at, n.attachment_name, n.attachment, u.email, u.display_name, u.locale
            FROM notifications n JOIN users u ON u.id = n.user_id
            WHERE n.email_state = 'pending' ORDER BY n.created_at LIMIT \(literal: limit)
            """).all()
        var queued = 0
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            // Claimed first, so two workers never mail the same notification.
            let claimed = try await database.sql.raw("UPDATE notifications SET email_state = 'queued' WHERE id = \(bind: id) AND email_state = 'pending' RETURNING id").all()
            guard !claimed.isEmpty else { continue }
            guard let email = try row.decode(column: "email", as: String?.self), let to = try? MailAddress(email, name: try row.decode(column: "display_name", as: String.self)) else {
                try await database.sql.update("notifications").set("email_state", to: "none").where("id", .equal, id).run()
                continue
            }
            let told = try entry(row, locale: try row.decode(column: "locale", as: String.self))
            var message = MailMessage(from: outbox.sender, to: to, subject: told.headline,
                                      text: [told.detail, told.link.map { outbox.links + $0 } ?? ""].filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n", purpose: .automatic)
            if let name = try row.decode(column: "attachment_name", as: String?.self), let text = try row.decode(column: "attachment", as: String?.self) {
                message.attachments = [MailAttachment(filename: name, contentType: "text/calendar; method=REQUEST; charset=UTF-8", data: Data(text.utf8))]
            }
            try await outbox.queue(message, by: nil)
            queued += 1
        }
        return queued
    }

    /// A stored notification told in `locale`.
    func entry(_ row: any SQLRow, locale: String) throws -> NotificationEntry {
        let event = Event(rawValue: try row.decode(column: "event", as: String.self)) ?? .assigned
        var arguments = (try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "body", as: String.self).utf8))) ?? [:]
        // `kindKey: kinds.customers` is told as `kind: 客户` in the reader's language.
        for (name, key) in arguments where name.hasSuffix("Key") { arguments[String(name.dropLast(3))] = localizer.text(key, locale) }
        return NotificationEntry(id: try row.decode(column: "id", as: UUID.self), event: event,
                                 headline: localizer.text("notify.events.\(event.rawValue)", locale, ["title": try row.decode(column: "title", as: String.self)]),
                                 detail: arguments.isEmpty ? "" : localizer.text("notify.details.\(event.rawValue)", locale, arguments),
                                 link: try row.decode(column: "link", as: String?.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                                 readAt: try row.decode(column: "read_at", as: Date?.self))
    }
}
