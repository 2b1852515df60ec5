import FluentKit
import Foundation
import SQLKit

/// What the outbox knows of one message (the list page, the API, the sender).
public struct OutboxEntry: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Waiting for its turn, or for its next try after a temporary failure.
        case queued
        /// Taken by a sender right now.
        case sending
        /// The mail server accepted it.
        case sent
        /// The server refused it for good, or every try failed.
        case failed
        /// Never sent on purpose: no consent, unsubscribed, no address that works.
        case skipped
        /// The sender stopped (a crash, a cut connection) after handing the text over and
        /// before the server confirmed: it may have arrived. Not sent again unless a person
        /// decides to, so nobody gets it twice.
        case uncertain
    }
    /// How a message travels: e-mail through the mail server, SMS through the gateway.
    public enum Channel: String, Sendable, CaseIterable, Codable { case email, sms }

    public var id: UUID
    public var channel: Channel = .email
    public var purpose: MailMessage.Purpose
    public var recipient: String
    public var recipientName: String?
    public var subject: String
    public var status: Status
    public var attempts: Int
    /// The server's last answer or the reason it was not sent.
    public var lastReply: String?
    public var createdAt: Date
    public var sentAt: Date?
    public var nextAttemptAt: Date
    public var messageID: String
    public var aboutKind: RecordKind?
    public var aboutID: UUID?
    public var batchID: UUID?
    /// Who queued it (a mail merge's starter, a colleague's test), nil for the system.
    public var createdBy: UUID?

    /// Where the next page of a list starts, after this message.
    public var cursor: String { Keyset.cursor(.time(createdAt), id: id) }
}

/// Whether one address may get a marketing message: asked of the layers that know consent.
public struct ConsentQuestion: Sendable {
    public var address: String
    /// The record the message is about (a contact, a deal).
    public var about: RecordRef?
    /// The customer `about` belongs to, when the asker knows it; with `customerKnown`
    /// false the answerer finds it.
    public var customer: UUID?
    public var customerKnown: Bool
    /// E-mail asks after the e-mail consent, SMS (`address` an `SMSNumber`, `+8613800138000`) after the SMS one.
    public var channel: OutboxEntry.Channel
    public init(address: String, about: RecordRef?, customer: UUID? = nil, customerKnown: Bool = false, channel: OutboxEntry.Channel = .email) {
        (self.address, self.about, self.customer, self.customerKnown, self.channel) = (address, about, customer, customerKnown, channel)
    }
}

/// At most `messages` marketing messages to one recipient in `days` days: more are not
/// sent (skipped, with the reason), however many campaigns want to write.
public struct MarketingCap: Sendable, Codable, Equatable {
    public var messages: Int
    public var days: Int
    static let setting = "mail.marketing_cap"

    public init(messages: Int, days: Int) { (self.messages, self.days) = (messages, days) }

    public func validate() throws {
        guard (1...100).contains(messages) else {
            throw GuanxiError.invalid("messages", "messages must be from 1 to 100.").localized("msg.range", ["field": "messages", "min": "1", "max": "100"])
        }
        guard (1...365).contains(days) else {
            throw GuanxiError.invalid("days", "days must be from 1 to 365.").localized("msg.range", ["field": "days", "min": "1", "max": "365"])
        }
    }
}

/// The database outbox: every message is stored, fully written, before anything is sent,
/// and `OutboxSender` hands it to the mail server later, from any process. Marketing is
/// checked against consent here, when it is queued and again just before it is sent, so
/// no page or client can get around it.
public struct Outbox: Sendable {
    /// Why each recipient must not get marketing mail (nil: they may), from the layers that
    /// know consent, answered for many at once; the outbox's own list of unsubscribed
    /// addresses is checked first.
    public typealias ConsentCheck = @Sendable (_ questions: [ConsentQuestion]) async throws -> [String?]

    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    package let from: MailAddress?
    package let writer = MessageWriter()
    package let consent: ConsentCheck
    /// Where Guanxi's pages are, for the unsubscribe links (`GUANXI_PUBLIC_URL`).
    package let links: String
    /// Temporary failures are retried this many times, waiting longer each time.
    package let maxAttempts = 8

    /// Where the frequency cap is kept (`MarketingCap`).
    package let settings: SettingsStore

    package init(database: DatabaseService, audit: AuditLog, clock: any Clock, settings: SettingsStore, from: MailAddress?, links: String, consent: @escaping ConsentCheck) {
        (self.database, self.audit, self.clock, self.settings, self.from, self.links, self.consent) = (database, audit, clock, settings, from, links, consent)
    }

    /// The sender every message carries: `GUANXI_MAIL_FROM`, or a placeholder that marks
    /// the messages as waiting for configuration.
    public var sender: MailAddress { from ?? (try! MailAddress("guanxi@localhost.invalid")) }

    /// Stores a message for sending. A marketing message to someone who has not agreed is
    /// stored as skipped with the reason, so a mail merge can report it per recipient.
    @discardableResult
    public func queue(_ message: MailMessage, about: (kind: RecordKind, id: UUID)? = nil, batch: UUID? = nil, by actor: Principal?) async throws -> OutboxEntry {
        try await queue(Outgoing(message, about: about.map { RecordRef($0.kind, $0.id) }), batch: batch, by: actor)
    }

    /// Stores a text message for sending, as `queue` does an e-mail.
    @discardableResult
    public func queue(_ text: TextMessage, about: (kind: RecordKind, id: UUID)? = nil, by actor: Principal?) async throws -> OutboxEntry {
        try await queue(Outgoing(sms: text, about: about.map { RecordRef($0.kind, $0.id) }), batch: nil, by: actor)
    }

    func queue(_ outgoing: Outgoing, batch: UUID?, by actor: Principal?) async throws -> OutboxEntry {
        let prepared = try await prepare([outgoing], batch: batch, by: actor)
        try await database.db.transaction { db in
            try await insert(prepared, on: db)
            for row in prepared {
                try await audit.record(on: db, actor: actor, action: .create, kind: .outbox, id: row.entry.id.uuidString,
                                       label: "\(row.entry.recipient): \(row.entry.subject.prefix(100))",
                                       changes: [FieldChange(field: "purpose", old: nil, new: row.entry.purpose.rawValue),
                                                 FieldChange(field: "status", old: nil, new: row.entry.status.rawValue)])
            }
        }
        return prepared[0].entry
    }

    /// Many messages of one mail merge, written out and checked against consent,
    /// suppressions and the frequency cap all at once, ready for `store`. Prepared before
    /// the caller's transaction: the checks read the database.
    public func prepare(_ items: [Outgoing], batch: UUID, by actor: Principal?) async throws -> PreparedMessages {
        PreparedMessages(rows: try await prepare(items, batch: Optional(batch), by: actor))
    }

    /// Stores prepared messages inside the caller's transaction `db` (a merge records its
    /// progress in the same one, so a merge that stops midway resumes without writing
    /// anyone twice). The merge itself is audited, not each message.
    public func store(_ prepared: PreparedMessages, on db: any Database) async throws {
        try await insert(prepared.rows, on: db)
    }

    public struct PreparedMessages: Sendable {
        let rows: [Prepared]
        public var entries: [OutboxEntry] { rows.map(\.entry) }
    }

    /// One message of many: `message` nil for a recipient who has no address (stored as
    /// skipped, so the merge's results name them); `refusal` a reason found by the caller
    /// (the same address twice in one merge).
    public struct Outgoing: Sendable {
        public var message: MailMessage?
        /// A text message instead of an e-mail.
        public var sms: TextMessage?
        public var about: RecordRef?
        /// The customer the recipient belongs to, when the caller knows it (spares the
        /// consent check a lookup per message); nil with `customerKnown` false: find it.
        public var customer: UUID?
        public var customerKnown = false
        public var refusal: String?
        /// For a recipient without an address: their name and the subject they would have got.
        public var name: String?
        public var subject: String?
        public init(_ message: MailMessage?, about: RecordRef?) { (self.message, self.about) = (message, about) }
        /// A text message, or (`sms` nil) a recipient of a text who has no mobile number.
        public init(sms: TextMessage?, about: RecordRef?) { (self.sms, self.about, self.channel) = (sms, about, .sms) }

        public private(set) var channel: OutboxEntry.Channel = .email
        var purpose: MailMessage.Purpose? { message?.purpose ?? sms?.purpose }
        /// What suppressions, consent and the cap are checked against: the e-mail address,
        /// or the number in its international form (`+8613800138000`), as it is stored.
        var address: String? { message?.to.address ?? sms?.to.international }
        var hasAddress: Bool { message != nil || sms != nil }
    }

    struct Prepared: Sendable { let entry: OutboxEntry; let sender: String; let domain: String; let body: String; let unsubscribeHash: String?; let createdBy: UUID? }

    func prepare(_ items: [Outgoing], batch: UUID?, by actor: Principal?) async throws -> [Prepared] {
        let now = clock.now()
        let marketing = items.indices.filter { items[$0].purpose == .marketing && items[$0].refusal == nil }
        var reasons = [String?](repeating: nil, count: items.count)
        for index in items.indices { reasons[index] = items[index].refusal ?? (items[index].hasAddress ? nil : "no address") }
        if !marketing.isEmpty {
            let answers = try await refusals(for: marketing.map { ConsentQuestion(address: items[$0].address!, about: items[$0].about, customer: items[$0].customer,
                                                                                  customerKnown: items[$0].customerKnown, channel: items[$0].channel) })
            for (index, answer) in zip(marketing, answers) { reasons[index] = answer }
            let open = marketing.filter { reasons[$0] == nil }
            let capped = try await capped(open.map { items[$0].address! })
            for (index, reason) in zip(open, capped) { reasons[index] = reason }
        }
        // The console is nobody in the users table.
        let createdBy = actor.flatMap { $0.channel == .console ? nil : $0.userID }
        let refusals = reasons
        @Sendable func written(_ index: Int) -> Prepared {
            let item = items[index]
            let id = UUID.timeOrdered(at: now)
            let refusal = refusals[index]
            if let sms = item.sms {
                // A text goes as it is; a marketing one ends with how to opt out by reply.
                let entry = OutboxEntry(id: id, channel: .sms, purpose: sms.purpose, recipient: sms.to.international, recipientName: sms.name,
                                        subject: String(sms.text.prefix(100)), status: refusal == nil ? .queued : .skipped, attempts: 0, lastReply: refusal,
                                        createdAt: now, sentAt: nil, nextAttemptAt: now, messageID: "sms-\(id.uuidString.lowercased())",
                                        aboutKind: item.about?.kind, aboutID: item.about?.id, batchID: batch, createdBy: createdBy)
                return Prepared(entry: entry, sender: "", domain: "sms", body: sms.body, unsubscribeHash: nil, createdBy: createdBy)
            }
            guard var outgoing = item.message else {
                let entry = OutboxEntry(id: id, channel: item.channel, purpose: .marketing, recipient: "", recipientName: item.name, subject: String((item.subject ?? "").prefix(500)),
                                        status: .skipped, attempts: 0, lastReply: refusal, createdAt: now, sentAt: nil, nextAttemptAt: now,
                                        messageID: "", aboutKind: item.about?.kind, aboutID: item.about?.id, batchID: batch, createdBy: createdBy)
                return Prepared(entry: entry, sender: sender.address, domain: "", body: "", unsubscribeHash: nil, createdBy: createdBy)
            }
            var unsubscribeHash: String?
            if outgoing.purpose == .marketing, outgoing.unsubscribeURL == nil {
                // Every marketing message can be refused in one click, in the mail program
                // (List-Unsubscribe) and in its text.
                let (token, hash) = Self.unsubscribeToken(for: id)
                unsubscribeHash = hash
                let url = links + "/unsubscribe/" + token
                outgoing.unsubscribeURL = url
                outgoing.text += "\n\n—\n退订 / Unsubscribe: \(url)\n"
                let footer = "<p style=\"font-size:12px;color:#666\">—<br><a href=\"\(url)\">退订 / Unsubscribe</a></p>"
                outgoing.html = outgoing.html.map { html in
                    guard let end = html.range(of: "</body>", options: .backwards) else { return html + footer }
                    return html.replacingCharacters(in: end.lowerBound..<end.lowerBound, with: footer)
                }
            }
            let text = writer.write(outgoing, id: id, date: now)
            let entry = OutboxEntry(id: id, purpose: outgoing.purpose, recipient: outgoing.to.address, recipientName: outgoing.to.name, subject: String(outgoing.subject.prefix(500)),
                                    status: refusal == nil ? .queued : .skipped, attempts: 0, lastReply: refusal, createdAt: now, sentAt: nil, nextAttemptAt: now,
                                    messageID: text.messageID, aboutKind: item.about?.kind, aboutID: item.about?.id, batchID: batch, createdBy: createdBy)
            return Prepared(entry: entry, sender: outgoing.from.address, domain: outgoing.to.domain, body: text.text, unsubscribeHash: unsubscribeHash, createdBy: createdBy)
        }
        // A mail merge's batch is written out on every core: writing the text is most of its work.
        guard items.count >= 100 else { return items.indices.map(written) }
        let halves = Array(items.indices).chunked((items.count + 1) / 2)
        return await withTaskGroup(of: (Int, [Prepared]).self) { group in
            for (n, half) in halves.enumerated() { group.addTask { (n, half.map(written)) } }
            var parts = [[Prepared]](repeating: [], count: halves.count)
            for await (n, rows) in group { parts[n] = rows }
            return parts.flatMap { $0 }
        }
    }

    /// Writes prepared messages, a few hundred rows per statement.
    func insert(_ prepared: [Prepared], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in prepared.chunked(200) {
            let query = sql.insert(into: "outbox_messages")
                .columns("id", "purpose", "sender", "recipient", "recipient_name", "domain", "subject", "body", "message_id", "status", "attempts",
                         "next_attempt_at", "last_reply", "about_kind", "about_id", "batch_id", "created_by", "created_at", "unsubscribe_hash", "channel")
            for row in chunk {
                let e = row.entry
                query.values(SQLBind(e.id), SQLBind(e.purpose.rawValue), SQLBind(row.sender), SQLBind(e.recipient), SQLBind(e.recipientName),
                             SQLBind(row.domain), SQLBind(e.subject), SQLBind(row.body), SQLBind(e.messageID), SQLBind(e.status.rawValue), SQLBind(0),
                             SQLBind(e.nextAttemptAt), SQLBind(e.lastReply), SQLBind(e.aboutKind?.rawValue), SQLBind(e.aboutID), SQLBind(e.batchID),
                             SQLBind(row.createdBy), SQLBind(e.createdAt), SQLBind(row.unsubscribeHash), SQLBind(e.channel.rawValue))
            }
            try await query.run()
        }
    }

    /// An unsubscribe link's token and what the outbox keeps of it: the message's id (time
    /// ordered, so a large merge adds to the end of the index) and the hash of a secret.
    /// The id alone opens nothing; the secret is never stored.
    package static func unsubscribeToken(for id: UUID) -> (token: String, hash: String) {
        let prefix = Self.hex(id)
        let secret = Secrets.randomToken()
        return (prefix + secret, prefix + Secrets.sha256Hex(secret))
    }

    /// The id's 32 lower-case hex digits, without dashes (written directly: one per message of a merge).
    static func hex(_ id: UUID) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        withUnsafeBytes(of: id.uuid) { bytes in for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) } }
        return String(decoding: out, as: UTF8.self)
    }

    /// The stored form of a token: id and hashed secret, or (links sent before ids were
    /// part of them) the hash of the whole token.
    package static func unsubscribeHash(of token: String) -> String {
        let prefix = token.prefix(32)
        guard token.count > 32, prefix.allSatisfy(\.isHexDigit), prefix.lowercased() == prefix else { return Secrets.sha256Hex(token) }
        return prefix + Secrets.sha256Hex(String(token.dropFirst(32)))
    }

    /// Why `address` must not get marketing now, or nil.
    package func refusal(for address: String, about: RecordRef?, channel: OutboxEntry.Channel = .email) async throws -> String? {
        try await refusals(for: [ConsentQuestion(address: address, about: about, channel: channel)])[0]
    }

    /// Why each must not get marketing now: suppressed addresses first, then consent.
    func refusals(for questions: [ConsentQuestion]) async throws -> [String?] {
        var suppressed: [String: String] = [:]
        for chunk in Array(Set(questions.map { $0.address.lowercased() })).chunked(500) {
            for row in try await database.sql.select().columns("address", "reason").from("mail_suppressions").where("address", .in, chunk).all() {
                suppressed[try row.decode(column: "address", as: String.self)] = try row.decode(column: "reason", as: String.self)
            }
        }
        let open = questions.indices.filter { suppressed[questions[$0].address.lowercased()] == nil }
        let answers = open.isEmpty ? [] : try await consent(open.map { questions[$0] })
        var out = questions.map { question in suppressed[question.address.lowercased()].map { "suppressed: \($0)" } }
        for (index, answer) in zip(open, answers) { out[index] = answer }
        return out
    }

    /// The administrator's limit on marketing per recipient, if any.
    public func cap() async throws -> MarketingCap? {
        try await settings.value(MarketingCap.setting, as: MarketingCap.self)
    }

    public func setCap(_ cap: MarketingCap?, by actor: Principal) async throws {
        try cap?.validate()
        try await settings.set(MarketingCap.setting, to: cap, by: actor)
    }

    /// Why another marketing message to each address would pass the cap, or nil: counted
    /// over the messages queued for it in the period, sent or still waiting (not those
    /// skipped or failed), and over the earlier ones of `addresses`. Decided when a message
    /// is queued, so a mail merge reports it.
    func capped(_ addresses: [String]) async throws -> [String?] {
        guard let cap = try await cap(), !addresses.isEmpty else { return addresses.map { _ in nil } }
        let since = clock.now().addingTimeInterval(-Double(cap.days) * 86_400)
        var counts: [String: Int] = [:]
        for chunk in Array(Set(addresses)).chunked(500) {
            for row in try await database.sql.select().column("recipient").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("outbox_messages")
                .where("recipient", .in, chunk).where("purpose", .equal, "marketing").where("status", .in, ["queued", "sending", "sent", "uncertain"])
                .where("created_at", .greaterThan, since).groupBy("recipient").all() {
                counts[try row.decode(column: "recipient", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
        }
        return addresses.map { address in
            defer { counts[address, default: 0] += 1 }
            return counts[address, default: 0] >= cap.messages ? "frequency cap: \(cap.messages) marketing messages in \(cap.days) days" : nil
        }
    }

    /// The message an unsubscribe link came in: to whom it went and what about.
    public func unsubscribing(token: String) async throws -> (address: String, about: (kind: RecordKind, id: UUID)?, subject: String)? {
        guard token.count >= 40, token.count <= 80 else { return nil }
        guard let row = try await database.sql.raw("""
            SELECT recipient, about_kind, about_id, subject FROM outbox_messages WHERE unsubscribe_hash = \(bind: Self.unsubscribeHash(of: token))
            """).first() else { return nil }
        let kind = try row.decode(column: "about_kind", as: String?.self), id = try row.decode(column: "about_id", as: UUID?.self)
        return (try row.decode(column: "recipient", as: String.self), kind.flatMap { kind in id.map { (RecordKind(rawValue: kind), $0) } },
                try row.decode(column: "subject", as: String.self))
    }

    /// Whether the address is on the list that never gets marketing.
    public func isSuppressed(_ address: String) async throws -> Bool {
        try await database.sql.raw("SELECT reason FROM mail_suppressions WHERE address = \(bind: address.lowercased())").first() != nil
    }

    /// Adds an address to the list that never gets marketing (an unsubscribe, a complaint).
    public func suppress(_ address: String, reason: String, source: String?, by actor: Principal?, from requester: String? = nil) async throws {
        let key = address.lowercased()
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM mail_suppressions WHERE address = \(bind: key)").run()
            try await sql.insert(into: "mail_suppressions").columns("address", "reason", "source", "at")
                .values(SQLBind(key), SQLBind(reason), SQLBind(source), SQLBind(clock.now())).run()
            try await audit.record(on: db, actor: actor, action: .update, kind: .outbox, id: key, label: key,
                                   changes: [FieldChange(field: "suppressed", old: nil, new: reason)], address: requester)
        }
    }

    /// A delivery report came back for a message the server had accepted: it did not
    /// arrive after all, and the report's words say why.
    public func bounced(messageID: String, address: String, reply: String) async throws {
        let rows = try await database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("outbox_messages").where("message_id", .equal, messageID)
            .where(SQLFunction("LOWER", args: SQLColumn("recipient")), .equal, SQLBind(address.lowercased())).all().map(Self.entry)
        for entry in rows where [.sent, .uncertain].contains(entry.status) {
            try await database.db.transaction { db in
                try await (db as! any SQLDatabase).update("outbox_messages").set("status", to: OutboxEntry.Status.failed.rawValue)
                    .set("last_reply", to: String("bounced: \(reply)".prefix(1000))).where("id", .equal, entry.id).run()
                try await audit.record(on: db, actor: nil, action: .update, kind: .outbox, id: entry.id.uuidString, label: "\(entry.recipient): \(entry.subject.prefix(100))",
                                       changes: [FieldChange(field: "status", old: entry.status.rawValue, new: OutboxEntry.Status.failed.rawValue)])
            }
        }
    }

    /// Messages newest first, optionally of one status or one mail merge; `after` is the
    /// `cursor` of the last message of the previous page.
    public func list(status: OutboxEntry.Status? = nil, batch: UUID? = nil, after cursor: String? = nil, limit: Int = 50) async throws -> [OutboxEntry] {
        let query = database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("outbox_messages")
        if let status { query.where("status", .equal, status.rawValue) }
        if let batch { query.where("batch_id", .equal, batch) }
        return try await Keyset.time("created_at").apply(to: query, cursor: cursor).limit(limit).all().map(Self.entry)
    }

    /// The messages about one record, newest first (its timeline shows them).
    public func messages(about record: RecordRef, limit: Int) async throws -> [OutboxEntry] {
        try await database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("outbox_messages").where("about_kind", .equal, record.kind.rawValue)
            .where("about_id", .equal, record.id).orderBy("created_at", .descending).limit(limit).all().map(Self.entry)
    }

    public func find(_ id: UUID) async throws -> OutboxEntry? {
        try await database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("outbox_messages").where("id", .equal, id).first().map(Self.entry)
    }

    /// The message as it goes over the wire.
    public func text(of id: UUID) async throws -> String? {
        try await database.sql.raw("SELECT body FROM outbox_messages WHERE id = \(bind: id)").first(decodingColumn: "body", as: String.self)
    }

    /// Counts by status, for the status page and `/metrics`, or of one mail merge's messages.
    public func counts(batch: UUID? = nil) async throws -> [OutboxEntry.Status: Int] {
        var out: [OutboxEntry.Status: Int] = [:]
        let query = database.sql.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("outbox_messages")
        if let batch { query.where("batch_id", .equal, batch) }
        for row in try await query.groupBy("status").all() {
            if let status = OutboxEntry.Status(rawValue: try row.decode(column: "status", as: String.self)) { out[status] = try row.decode(column: "n", as: Int.self) }
        }
        return out
    }

    /// Puts a failed, skipped-for-a-fault or uncertain message back in the queue, on a
    /// person's decision. Marketing is checked against consent again when it is sent.
    public func resend(_ id: UUID, by actor: Principal) async throws -> OutboxEntry {
        guard let entry = try await find(id) else { throw GuanxiError.notFound("The message") }
        guard [.failed, .uncertain].contains(entry.status) else {
            throw GuanxiError(.conflict, "Only a failed or uncertain message can be sent again (this one is \(entry.status.rawValue)).")
                .localized("outbox.cannot_resend", ["status": entry.status.rawValue])
        }
        try await database.db.transaction { db in
            try await (db as! any SQLDatabase).update("outbox_messages").set("status", to: OutboxEntry.Status.queued.rawValue).set("attempts", to: 0)
                .set("next_attempt_at", to: clock.now()).where("id", .equal, id).run()
            try await audit.record(on: db, actor: actor, action: .update, kind: .outbox, id: id.uuidString, label: "\(entry.recipient): \(entry.subject.prefix(100))",
                                   changes: [FieldChange(field: "status", old: entry.status.rawValue, new: OutboxEntry.Status.queued.rawValue)])
        }
        return try await find(id)!
    }

    static let columns = ["id", "purpose", "recipient", "recipient_name", "subject", "status", "attempts", "last_reply", "created_at", "sent_at",
                          "next_attempt_at", "message_id", "about_kind", "about_id", "batch_id", "channel", "created_by"]

    static func entry(_ row: any SQLRow) throws -> OutboxEntry {
        OutboxEntry(id: try row.decode(column: "id", as: UUID.self),
                    channel: OutboxEntry.Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
                    purpose: MailMessage.Purpose(rawValue: try row.decode(column: "purpose", as: String.self)) ?? .transactional,
                    recipient: try row.decode(column: "recipient", as: String.self), recipientName: try row.decode(column: "recipient_name", as: String?.self),
                    subject: try row.decode(column: "subject", as: String.self),
                    status: OutboxEntry.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                    attempts: try row.decode(column: "attempts", as: Int.self), lastReply: try row.decode(column: "last_reply", as: String?.self),
                    createdAt: try row.decode(column: "created_at", as: Date.self), sentAt: try row.decode(column: "sent_at", as: Date?.self),
                    nextAttemptAt: try row.decode(column: "next_attempt_at", as: Date.self), messageID: try row.decode(column: "message_id", as: String.self),
                    aboutKind: try row.decode(column: "about_kind", as: String?.self).map(RecordKind.init(rawValue:)),
                    aboutID: try row.decode(column: "about_id", as: UUID?.self), batchID: try row.decode(column: "batch_id", as: UUID?.self),
                    createdBy: try row.decode(column: "created_by", as: UUID?.self))
    }
}
