import Foundation
import Logging
import SQLKit

/// Somewhere mail can be handed to: the SMTP client, in production and in the tests
/// against a real server.
public protocol MailTransport: Sendable {
    /// One connection's worth of work: `body` sends messages one after another.
    func withSession(_ body: (any MailSession) async throws -> Void) async throws
}

public protocol MailSession: AnyObject {
    func send(from: String, to: String, message: String) async throws -> SMTPReply
}

extension SMTPSession: MailSession {}

extension SMTPClient: MailTransport {
    public func withSession(_ body: (any MailSession) async throws -> Void) async throws {
        try await withSession { (session: SMTPSession) in try await body(session) }
    }
}

/// Hands queued messages to the mail server, run by the job worker of every process.
/// A message is marked `sending` (one statement, so two processes never take the same
/// one) before it is handed over, and `sent` as soon as the server takes it: a sender
/// that dies in between leaves it `sending`, and the next round records it as
/// `uncertain` instead of sending it a second time.
public struct OutboxSender: Sendable {
    package let outbox: Outbox
    package let transport: (any MailTransport)?
    /// At most this many messages a minute go to one receiving domain, so a large mail
    /// merge does not get Guanxi's server throttled or listed as a spammer.
    package let perDomainPerMinute: Int
    package let logger: Logger
    /// A message `sending` for longer than this was interrupted.
    package let interruptedAfter: TimeInterval = 600
    package let worker = "outbox-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    /// The text-message gateway, as the administrator set it up (or none yet).
    package let texts: SMSGateways

    package init(outbox: Outbox, transport: (any MailTransport)?, texts: SMSGateways, perDomainPerMinute: Int, logger: Logger) {
        (self.outbox, self.transport, self.texts, self.perDomainPerMinute, self.logger) = (outbox, transport, texts, perDomainPerMinute, logger)
    }

    var database: DatabaseService { outbox.database }
    var clock: any Clock { outbox.clock }

    /// Sends what is due, a batch per connection, until nothing is; returns how many were
    /// handed over. Without a configured server (or gateway) nothing leaves the queue.
    @discardableResult
    public func run(batchSize: Int = 200) async throws -> Int {
        try await recordInterrupted()
        var total = try await sendTexts(batchSize: batchSize)
        guard let transport else { return total }
        while true {
            let batch = try await claim(batchSize, channel: .email)
            if batch.isEmpty { return total }
            total += try await send(batch, over: transport)
        }
    }

    struct Claimed { let id: UUID; let purpose: MailMessage.Purpose; let sender: String; let recipient: String; let domain: String
        let body: String; let attempts: Int; let aboutKind: RecordKind?; let aboutID: UUID? }

    func claim(_ limit: Int, channel: OutboxEntry.Channel) async throws -> [Claimed] {
        let now = clock.now()
        let lock = database.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await database.sql.raw("""
            UPDATE outbox_messages SET status = 'sending', locked_by = \(bind: worker), locked_at = \(bind: now)
            WHERE id IN (SELECT id FROM outbox_messages WHERE channel = \(bind: channel.rawValue) AND status = 'queued' AND next_attempt_at <= \(bind: now)
                         ORDER BY next_attempt_at, created_at LIMIT \(bind: limit)\(unsafeRaw: lock))
            RETURNING id, purpose, sender, recipient, domain, body, attempts, about_kind, about_id, next_attempt_at, created_at
            """).all()
        // RETURNING keeps no order on PostgreSQL: first in, first out, by sorting here.
        let ordered = try rows.map { row in (row, try row.decode(column: "next_attempt_at", as: Date.self), try row.decode(column: "created_at", as: Date.self)) }
            .sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
        return try ordered.map { row in
            Claimed(id: try row.decode(column: "id", as: UUID.self),
                    purpose: MailMessage.Purpose(rawValue: try row.decode(column: "purpose", as: String.self)) ?? .transactional,
                    sender: try row.decode(column: "sender", as: String.self), recipient: try row.decode(column: "recipient", as: String.self),
                    domain: try row.decode(column: "domain", as: String.self), body: try row.decode(column: "body", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    aboutKind: try row.decode(column: "about_kind", as: String?.self).map(RecordKind.init(rawValue:)),
                    aboutID: try row.decode(column: "about_id", as: UUID?.self))
        }
    }

    func send(_ batch: [Claimed], over transport: any MailTransport) async throws -> Int {
        var handled = Set<UUID>()
        var sent = 0
        var perDomain = try await sentLastMinute(Set(batch.map(\.domain)))
        do {
            try await transport.withSession { session in
                for message in batch {
                    handled.insert(message.id)
                    if message.purpose == .marketing, let refusal = try await outbox.refusal(for: message.recipient, about: message.aboutKind.flatMap { kind in message.aboutID.map { RecordRef(kind, $0) } }) {
                        try await finish(message.id, .skipped, reply: refusal)
                        continue
                    }
                    if perDomain[message.domain, default: 0] >= perDomainPerMinute {
                        try await release(message.id, until: clock.now().addingTimeInterval(60), reply: "waiting: \(perDomainPerMinute) a minute to \(message.domain)")
                        continue
                    }
                    do {
                        let reply = try await session.send(from: message.sender, to: message.recipient, message: message.body)
                        if reply.code == 250 {
                            try await finish(message.id, .sent, reply: reply.description)
                            perDomain[message.domain, default: 0] += 1
                            sent += 1
                        } else if reply.isTemporary {
                            try await retry(message, reply: reply.description)
                        } else {
                            try await finish(message.id, .failed, reply: reply.description, attempt: true)
                        }
                    } catch let error as SMTPError where error.afterText {
                        // The text went over and no answer came: it may have arrived.
                        try await finish(message.id, .uncertain, reply: error.message, attempt: true)
                        throw error
                    }
                }
            }
        } catch let error as SMTPError {
            logger.warning("Sending mail failed: \(error.message)")
            if handled.isEmpty {
                // No conversation at all (server down, password refused, no TLS): the
                // messages are not at fault; they wait, showing why, without using a try.
                for message in batch { try await release(message.id, until: clock.now().addingTimeInterval(300), reply: error.message) }
                return sent
            }
            // The connection broke midway: what was not handed over goes back for a later try.
            for message in batch {
                if handled.contains(message.id), try await outbox.find(message.id)?.status != .sending { continue }
                if error.temporary { try await retry(message, reply: error.message) } else { try await finish(message.id, .failed, reply: error.message, attempt: true) }
            }
        }
        return sent
    }

    /// Back-off after a temporary failure: 1, 5, 15 and 30 minutes, then hours; failed
    /// when the tries are used up.
    func retry(_ message: Claimed, reply: String) async throws {
        let attempt = message.attempts + 1
        guard attempt < outbox.maxAttempts else { return try await finish(message.id, .failed, reply: reply, attempt: true) }
        let waits: [TimeInterval] = [60, 300, 900, 1800, 3600, 7200, 14_400]
        try await database.sql.update("outbox_messages").set("status", to: "queued").set("attempts", to: attempt).set("last_reply", to: String(reply.prefix(1000)))
            .set("next_attempt_at", to: clock.now().addingTimeInterval(waits[min(attempt - 1, waits.count - 1)]))
            .set("locked_by", to: SQLLiteral.null).where("id", .equal, message.id).run()
    }

    func release(_ id: UUID, until: Date, reply: String) async throws {
        try await database.sql.update("outbox_messages").set("status", to: "queued").set("next_attempt_at", to: until).set("last_reply", to: reply)
            .set("locked_by", to: SQLLiteral.null).where("id", .equal, id).run()
    }

    func finish(_ id: UUID, _ status: OutboxEntry.Status, reply: String, attempt: Bool = false) async throws {
        let query = database.sql.update("outbox_messages").set("status", to: status.rawValue).set("last_reply", to: String(reply.prefix(1000)))
            .set("locked_by", to: SQLLiteral.null)
        if status == .sent { query.set("sent_at", to: clock.now()) }
        if status == .sent || attempt { query.set(SQLIdentifier("attempts"), to: SQLRaw("attempts + 1")) }
        try await query.where("id", .equal, id).run()
    }

    /// Messages a sender took and never finished: recorded, not sent again.
    func recordInterrupted() async throws {
        try await database.sql.update("outbox_messages").set("status", to: OutboxEntry.Status.uncertain.rawValue)
            .set("last_reply", to: "The sender stopped while handing this message over; it may or may not have arrived.")
            .where("status", .equal, OutboxEntry.Status.sending.rawValue)
            .where("locked_at", .lessThan, clock.now().addingTimeInterval(-interruptedAfter)).run()
    }

    func sentLastMinute(_ domains: Set<String>) async throws -> [String: Int] {
        guard !domains.isEmpty else { return [:] }
        var out: [String: Int] = [:]
        for row in try await database.sql.select().column("domain").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("outbox_messages")
            .where("domain", .in, Array(domains)).where("sent_at", .greaterThan, clock.now().addingTimeInterval(-60)).groupBy("domain").all() {
            out[try row.decode(column: "domain", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return out
    }
}
