import FluentKit
import Foundation
import SQLKit

/// What the inbox knows of one received message (its list page, the API, the filing).
public struct InboundEntry: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Stored; not yet filed (filing runs right after, so this is seldom seen).
        case received
        /// On the timelines of the records its addresses or its thread belong to.
        case filed
        /// From someone nobody knew: a new lead was made for them and it was filed there.
        case lead
        /// A delivery report: the addresses it names were marked as not working.
        case bounce
        /// Nobody it names is known, and unknown senders do not become leads.
        case unmatched
        /// Not filed on purpose: a copy of Guanxi's own mail, or a mail loop.
        case ignored
        /// It could not be read or filed; the reason is kept and it can be filed again.
        case failed
    }

    public var id: UUID
    public var messageID: String?
    public var sender: String
    public var subject: String
    public var status: Status
    /// What filing did (or why it failed), in words for the inbox page.
    public var note: String?
    /// The records it was filed on.
    public var filedOn: [RecordRef]
    public var via: String
    public var size: Int
    public var receivedAt: Date

    public var cursor: String { Keyset.cursor(.time(receivedAt), id: id) }
}

/// A record by kind and id, as the mail features keep it.
public struct RecordRef: Sendable, Hashable {
    public var kind: RecordKind
    public var id: UUID
    public init(_ kind: RecordKind, _ id: UUID) { (self.kind, self.id) = (kind, id) }
    var text: String { "\(kind.rawValue)/\(id.uuidString)" }
    init?(text: Substring) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        (kind, self.id) = (RecordKind(rawValue: String(parts[0])), id)
    }
}

/// Received mail, kept as it arrived: each message is stored before anything else is done
/// with it, so a fault while filing loses nothing (the message waits as `failed`, with the
/// reason, to be filed again). A message already received — same Message-ID, as when a
/// mail server delivers twice — is not stored or filed a second time.
public struct Inbox: Sendable {
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    /// The largest message taken; a bigger one is refused, so the mail server returns it
    /// to its sender instead of Guanxi dropping it.
    public let largest: Int

    package init(database: DatabaseService, audit: AuditLog, clock: any Clock, largest: Int) {
        (self.database, self.audit, self.clock, self.largest) = (database, audit, clock, largest)
    }

    /// Stores a raw message. Returns the entry and the parsed mail (nil when it could not be
    /// read: the entry is then `failed` with the reason), or the earlier entry of a
    /// message received before (`duplicate`).
    public func store(_ raw: Data, via: String, by actor: Principal?) async throws -> (entry: InboundEntry, mail: ReceivedMail?, duplicate: Bool) {
        guard !raw.isEmpty else { throw GuanxiError.invalid("message", "The message is empty.").localized("msg.empty_file", [:]) }
        guard raw.count <= largest else {
            throw GuanxiError(.payloadTooLarge, "The message is larger than \(largest / 1_048_576) MB.", field: "message")
                .localized("msg.file_too_large", ["max": String(largest / 1_048_576)])
        }
        var mail: ReceivedMail?
        var problem: String?
        do { mail = try ReceivedMail.parse(raw) } catch { problem = (error as? GuanxiError)?.message ?? "\(error)" }
        if let messageID = mail?.messageID, let earlier = try await find(messageID: messageID) { return (earlier, mail, true) }
        let entry = InboundEntry(id: UUID(), messageID: mail?.messageID, sender: (mail?.from.first?.description ?? "").prefixed(500),
                                 subject: (mail?.subject ?? "").prefixed(500), status: mail == nil ? .failed : .received, note: problem, filedOn: [],
                                 via: via, size: raw.count, receivedAt: clock.now())
        try await database.db.transaction { db in
            try await (db as! any SQLDatabase).insert(into: "inbound_messages")
                .columns("id", "message_id", "sender", "subject", "status", "note", "filed_on", "via", "size", "received_at", "raw")
                .values(SQLBind(entry.id), SQLBind(entry.messageID), SQLBind(entry.sender), SQLBind(entry.subject), SQLBind(entry.status.rawValue),
                        SQLBind(entry.note), SQLBind(""), SQLBind(via), SQLBind(raw.count), SQLBind(entry.receivedAt), SQLBind(raw)).run()
            try await audit.record(on: db, actor: actor, action: .create, kind: .inbox, id: entry.id.uuidString, label: "\(entry.sender): \(entry.subject.prefix(100))",
                                   changes: [FieldChange(field: "status", old: nil, new: entry.status.rawValue)])
        }
        return (entry, mail, false)
    }

    /// What filing did with the message.
    public func record(_ id: UUID, status: InboundEntry.Status, note: String?, filedOn: [RecordRef]) async throws {
        try await database.sql.update("inbound_messages").set("status", to: status.rawValue).set("note", to: note?.prefixed(2000))
            .set("filed_on", to: filedOn.map(\.text).joined(separator: " ")).where("id", .equal, id).run()
    }

    /// The records a thread is filed on: those of the nearest message it answers that
    /// Guanxi sent (about a record) or received (and filed).
    public func threadRecords(_ messageIDs: [String]) async throws -> [RecordRef] {
        let ids = Array(messageIDs.prefix(50))
        guard !ids.isEmpty else { return [] }
        var found: [String: [RecordRef]] = [:]
        for row in try await database.sql.select().columns("message_id", "about_kind", "about_id").from("outbox_messages")
            .where("message_id", .in, ids).where("about_id", .isNot, SQLLiteral.null).all() {
            let ref = RecordRef(RecordKind(rawValue: try row.decode(column: "about_kind", as: String.self)), try row.decode(column: "about_id", as: UUID.self))
            found[try row.decode(column: "message_id", as: String.self), default: []].append(ref)
        }
        for row in try await database.sql.select().columns("message_id", "filed_on").from("inbound_messages").where("message_id", .in, ids).all() {
            let refs = try row.decode(column: "filed_on", as: String.self).split(separator: " ").compactMap(RecordRef.init(text:))
            found[try row.decode(column: "message_id", as: String.self), default: []] += refs
        }
        return ids.lazy.compactMap { found[$0] }.first { !$0.isEmpty } ?? []
    }

    /// Sets a message back to `received` before it is filed again, on a person's decision.
    public func reopen(_ entry: InboundEntry, by actor: Principal) async throws {
        try await database.db.transaction { db in
            try await (db as! any SQLDatabase).update("inbound_messages").set("status", to: InboundEntry.Status.received.rawValue).where("id", .equal, entry.id).run()
            try await audit.record(on: db, actor: actor, action: .update, kind: .inbox, id: entry.id.uuidString, label: "\(entry.sender): \(entry.subject.prefix(100))",
                                   changes: [FieldChange(field: "status", old: entry.status.rawValue, new: InboundEntry.Status.received.rawValue)])
        }
    }

    /// Whether a Message-ID is one of the messages Guanxi sent (its own mail come back).
    public func isOwn(_ messageID: String?) async throws -> Bool {
        guard let messageID else { return false }
        return try await database.sql.select().column("id").from("outbox_messages").where("message_id", .equal, messageID).first() != nil
    }

    /// Messages newest first, optionally of one status; `after` is the `cursor` of the
    /// last message of the previous page.
    public func list(status: InboundEntry.Status? = nil, after cursor: String? = nil, limit: Int = 50) async throws -> [InboundEntry] {
        let query = database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("inbound_messages")
        if let status { query.where("status", .equal, status.rawValue) }
        return try await Keyset.time("received_at").apply(to: query, cursor: cursor).limit(limit).all().map(Self.entry)
    }

    public func find(_ id: UUID) async throws -> InboundEntry? {
        try await database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("inbound_messages").where("id", .equal, id).first().map(Self.entry)
    }

    func find(messageID: String) async throws -> InboundEntry? {
        try await database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("inbound_messages").where("message_id", .equal, messageID)
            .orderBy("received_at").limit(1).first().map(Self.entry)
    }

    /// The message as it arrived.
    public func raw(of id: UUID) async throws -> Data? {
        try await database.sql.select().column("raw").from("inbound_messages").where("id", .equal, id).first(decodingColumn: "raw", as: Data.self)
    }

    public func counts() async throws -> [InboundEntry.Status: Int] {
        var out: [InboundEntry.Status: Int] = [:]
        for row in try await database.sql.raw("SELECT status, COUNT(*) AS n FROM inbound_messages GROUP BY status").all() {
            if let status = InboundEntry.Status(rawValue: try row.decode(column: "status", as: String.self)) { out[status] = try row.decode(column: "n", as: Int.self) }
        }
        return out
    }

    static let columns = ["id", "message_id", "sender", "subject", "status", "note", "filed_on", "via", "size", "received_at"]

    static func entry(_ row: any SQLRow) throws -> InboundEntry {
        InboundEntry(id: try row.decode(column: "id", as: UUID.self), messageID: try row.decode(column: "message_id", as: String?.self),
                     sender: try row.decode(column: "sender", as: String.self), subject: try row.decode(column: "subject", as: String.self),
                     status: InboundEntry.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                     note: try row.decode(column: "note", as: String?.self),
                     filedOn: try row.decode(column: "filed_on", as: String.self).split(separator: " ").compactMap(RecordRef.init(text:)),
                     via: try row.decode(column: "via", as: String.self), size: try row.decode(column: "size", as: Int.self),
                     receivedAt: try row.decode(column: "received_at", as: Date.self))
    }
}

private extension String {
    func prefixed(_ count: Int) -> String { String(prefix(count)) }
}
