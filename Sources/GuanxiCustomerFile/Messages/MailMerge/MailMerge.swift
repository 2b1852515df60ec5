import Foundation
import GuanxiPlatform
import Hummingbird
import HummingbirdCore
import SQLKit

/// One mail merge: a template sent as one personal message to every recipient of a list,
/// a selection or a segment. Its recipients' results are its outbox messages
/// (`batch_id`): queued, then sent or failed; skipped with the reason (no consent, the
/// frequency cap, no address, the same address twice).
package struct MailMergeRecord: Sendable, Equatable {
    package enum Status: String, Sendable, CaseIterable { case queued, running, done, failed }
    package var id: UUID
    package var templateID: UUID?
    package var templateName: String
    package var kind: RecordKind
    /// What it was sent to, as the sender described it ("Contacts: 杭州, tag VIP").
    package var sourceLabel: String
    package var status: Status
    /// Recipients handled so far; of them, queued for sending and skipped.
    package var total: Int
    package var queued: Int
    package var skipped: Int
    package var error: String?
    package var createdBy: UUID?
    package var createdAt: Date
    package var finishedAt: Date?

    package var cursor: String { Keyset.cursor(.time(createdAt), id: id) }
}

/// Who a merge goes to: the records of a list as its filters select them (a saved view's
/// or the page's query string), or records picked by id (a list selection, a segment).
package enum MergeSource: Codable, Sendable, Equatable {
    case list(kind: RecordKind, query: String)
    case records(kind: RecordKind, ids: [UUID])

    package var kind: RecordKind {
        switch self {
        case .list(let kind, _), .records(let kind, _): kind
        }
    }
}

/// Starts mail merges and runs them in the background worker, as the user who started
/// them with their permissions as they are then: a recipient the sender may not read is
/// left out. Each batch of messages is stored in one transaction with the merge's
/// progress, and a merge resumed after a crash skips those already written, so nobody
/// gets the message twice.
package struct MailMerge: Sendable {
    package static let jobKind = "mail_merge"
    /// The most recipients one merge takes.
    package static let largest = 200_000
    package let services: CustomerFileServices

    package init(services: CustomerFileServices) { self.services = services }

    /// Checks the request and queues the merge; the worker writes the messages.
    package func start(template id: UUID, source: MergeSource, label: String, by actor: Principal) async throws -> MailMergeRecord {
        _ = try services.permissions.require(actor, .create, on: .outbox)
        let template = try await services.messageTemplates.find(id, for: actor)
        guard template.channel != .letter else {
            throw GuanxiError.invalid("templateId", "A mail merge sends e-mail or text messages: choose an e-mail or SMS template (letters are printed).")
                .localized("msg.merge_channel", [:])
        }
        let kind = source.kind
        guard let descriptor = services.records[kind], descriptor.messageRecipients != nil else {
            throw GuanxiError.invalid("kind", "\(kind.rawValue) records cannot receive messages.")
                .localized("msg.choice", ["field": "kind", "choices": Self.kinds(services.records).map(\.rawValue).joined(separator: ", ")])
        }
        _ = try services.permissions.require(actor, .read, on: descriptor.permissionKind)
        switch source {
        case .list:
            guard descriptor.list != nil else { throw GuanxiError.invalid("query", "\(kind.rawValue) has no list to send to.") }
        case .records(_, let ids):
            guard (1...Self.largest).contains(ids.count) else {
                throw GuanxiError.invalid("ids", "Pick 1 to \(Self.largest) records.").localized("msg.bulk_count", ["max": String(Self.largest)])
            }
        }
        let now = services.clock.now()
        let merge = MailMergeRecord(id: UUID(), templateID: template.id, templateName: template.name, kind: kind,
                                    sourceLabel: String(label.prefix(300)), status: .queued, total: 0, queued: 0, skipped: 0, error: nil,
                                    createdBy: actor.channel == .console ? nil : actor.userID, createdAt: now, finishedAt: nil)
        let sourceText = String(decoding: try JSONEncoder().encode(source), as: UTF8.self)
        try await services.database.db.transaction { db in
            try await (db as! any SQLDatabase).insert(into: "mail_merges")
                .columns("id", "template_id", "template_name", "record_kind", "source", "source_label", "status", "total", "queued", "skipped", "created_by", "created_at")
                .values(SQLBind(merge.id), SQLBind(template.id), SQLBind(template.name), SQLBind(kind.rawValue), SQLBind(sourceText), SQLBind(merge.sourceLabel),
                        SQLBind(merge.status.rawValue), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(merge.createdBy), SQLBind(now))
                .run()
            try await services.audit.record(on: db, actor: actor, action: .create, kind: .outbox, id: merge.id.uuidString,
                                            label: "\(template.name) → \(merge.sourceLabel)",
                                            changes: [FieldChange(field: "mail_merge", old: nil, new: template.name),
                                                      FieldChange(field: "recipients", old: nil, new: merge.sourceLabel)])
        }
        try await services.jobs.enqueue(kind: Self.jobKind, payload: String(decoding: try JSONEncoder().encode(Payload(merge: merge.id, user: actor.userID)), as: UTF8.self),
                                        maxAttempts: 3)
        return merge
    }

    /// The kinds a merge can go to.
    package static func kinds(_ records: RecordKinds) -> [RecordKind] {
        records.all.filter { $0.messageRecipients != nil }.map(\.kind)
    }

    package struct Payload: Codable { package let merge: UUID; package let user: UUID }

    /// The worker's side.
    package func runQueued(_ payload: String) async throws {
        let p = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8))
        guard let merge = try await find(p.merge), [.queued, .running].contains(merge.status) else { return }
        guard let actor = try await services.principals.load(userID: p.user, channel: .session, address: "mail merge") else {
            return try await finish(p.merge, .failed, error: "The user who started the merge is disabled.")
        }
        do {
            try await run(p.merge, by: actor)
        } catch {
            try await finish(p.merge, .failed, error: String(describing: (error as? GuanxiError)?.message ?? "\(error)").prefix(500).description)
            throw error
        }
    }

    /// Writes the merge's messages, a batch at a time; resumes where a previous run stopped.
    package func run(_ id: UUID, by actor: Principal) async throws {
        guard let merge = try await find(id) else { throw GuanxiError.notFound("Mail merge") }
        let sourceText = try await services.database.sql.select().column("source").from("mail_merges").where("id", .equal, id)
            .first(decodingColumn: "source", as: String.self) ?? ""
        let source = try JSONDecoder().decode(MergeSource.self, from: Data(sourceText.utf8))
        guard let templateID = merge.templateID, let template = try? await services.messageTemplates.find(templateID, for: actor) else {
            return try await finish(id, .failed, error: "The template was deleted before the merge ran.")
        }
        guard let descriptor = services.records[merge.kind], let recipients = descriptor.messageRecipients else {
            return try await finish(id, .failed, error: "\(merge.kind.rawValue) records cannot receive messages.")
        }
        try await services.database.sql.update("mail_merges").set("status", to: MailMergeRecord.Status.running.rawValue).where("id", .equal, id).run()
        let readable = try await services.permissions.ownerFilter(actor, .read, on: descriptor.permissionKind)
        // What an earlier, interrupted run already wrote.
        var done = Set<UUID>(), addresses = Set<String>()
        for row in try await services.database.sql.select().columns("about_id", "recipient").from("outbox_messages").where("batch_id", .equal, id).all() {
            if let about = try row.decode(column: "about_id", as: UUID?.self) { done.insert(about) }
            let address = try row.decode(column: "recipient", as: String.self)
            if !address.isEmpty { addresses.insert(address.lowercased()) }
        }
        let compiled = (subject: try MergeText.Compiled(template.subject), body: try MergeText.Compiled(template.body))
        /// One batch read, filled in, checked and written out, ready to store; `seen` are
        /// the addresses of the batches before it (each address gets the message once).
        @Sendable func prepare(_ chunk: [UUID], seen: Set<String>) async throws -> (Outbox.PreparedMessages, Set<String>) {
            var seen = seen
            // In the order of the list: of two recipients with one address, the first gets it.
            let order = Dictionary(chunk.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
            let found = try await recipients.load(chunk).filter { readable.allows($0.ownerID) }.sorted { order[$0.id, default: 0] < order[$1.id, default: 0] }
            let values = try await MergeValues.load(for: found, sender: actor, language: template.language, database: services.database, clock: services.clock)
            // Filled in on both cores, then checked in order for addresses met before.
            let halves = found.chunked(max(1, (found.count + 1) / 2))
            var items = await withTaskGroup(of: (Int, [Outbox.Outgoing]).self) { group in
                for (n, half) in halves.enumerated() {
                    group.addTask { (n, half.map { compose($0, of: merge.kind, template: template, compiled: compiled, values: values) }) }
                }
                var parts = [[Outbox.Outgoing]](repeating: [], count: halves.count)
                for await (n, part) in group { parts[n] = part }
                return parts.flatMap { $0 }
            }
            for index in items.indices {
                if let address = items[index].message?.to.address.lowercased() ?? items[index].sms?.to.international, !seen.insert(address).inserted {
                    items[index].refusal = "the same address as another recipient of this merge"
                }
            }
            return (try await services.outbox.prepare(items, batch: id, by: actor), seen)
        }
        // The ids first (the list read page by page before any write: reading it while the
        // merge writes was a quarter slower), then each batch prepared while the one before
        // is stored, so both cores work.
        let ids = try await self.ids(of: source, by: actor).filter { !done.contains($0) }
        @Sendable func following(_ start: Int, seen: Set<String>) async throws -> (Outbox.PreparedMessages, Set<String>, Int?) {
            let end = min(start + 1000, ids.count)
            let (prepared, seen) = try await prepare(Array(ids[start..<end]), seen: seen)
            return (prepared, seen, end < ids.count ? end : nil)
        }
        let first = addresses
        var next: Task<(Outbox.PreparedMessages, Set<String>, Int?), any Error>? = ids.isEmpty ? nil : Task { try await following(0, seen: first) }
        defer { next?.cancel() }
        while let pending = next {
            let (prepared, seen, position) = try await pending.value
            next = position.map { start in Task { try await following(start, seen: seen) } }
            let written = prepared.entries
            guard !written.isEmpty else { continue }
            try await services.database.db.transaction { db in
                try await services.outbox.store(prepared, on: db)
                let queued = written.filter { $0.status == .queued }.count
                try await (db as! any SQLDatabase).update("mail_merges")
                    .set(SQLIdentifier("total"), to: SQLRaw("total + \(written.count)"))
                    .set(SQLIdentifier("queued"), to: SQLRaw("queued + \(queued)"))
                    .set(SQLIdentifier("skipped"), to: SQLRaw("skipped + \(written.count - queued)"))
                    .where("id", .equal, id).run()
            }
        }
        try await finish(id, .done, error: nil)
    }

    /// One recipient's message, or the reason they cannot get one.
    func compose(_ recipient: MessageRecipient, of kind: RecordKind, template: MessageTemplate, compiled: (subject: MergeText.Compiled, body: MergeText.Compiled),
                 values: MergeValues) -> Outbox.Outgoing {
        let tree = values.values(for: recipient)
        let subject = Self.oneLine(compiled.subject.render(tree))
        let about = RecordRef(kind, recipient.id)
        if template.channel == .sms { return text(to: recipient, about: about, template: template, body: compiled.body.render(tree)) }
        guard let email = recipient.email, let to = try? MailAddress(email, name: recipient.name.isEmpty ? nil : recipient.name) else {
            var item = Outbox.Outgoing(nil, about: about)
            (item.name, item.subject, item.refusal) = (recipient.name, subject, recipient.email == nil ? "no e-mail address" : "not a valid e-mail address")
            return item
        }
        let text = compiled.body.render(tree)
        var message = MailMessage(from: services.outbox.sender, to: to, subject: subject, text: text, html: Self.html(text), purpose: template.purpose)
        message.replyTo = nil
        var item = Outbox.Outgoing(message, about: about)
        (item.customer, item.customerKnown) = (recipient.customerID, true)
        return item
    }

    /// One recipient's text message: to their mobile number.
    func text(to recipient: MessageRecipient, about: RecordRef, template: MessageTemplate, body: String) -> Outbox.Outgoing {
        guard let phone = recipient.phone, let number = try? SMSNumber(phone) else {
            var item = Outbox.Outgoing(sms: nil, about: about)
            (item.name, item.subject, item.refusal) = (recipient.name, String(body.prefix(100)), recipient.phone == nil ? "no mobile number" : "not a phone number")
            return item
        }
        var item = Outbox.Outgoing(sms: TextMessage(to: number, name: recipient.name.isEmpty ? nil : recipient.name, text: body,
                                                    purpose: template.purpose, language: template.language), about: about)
        (item.customer, item.customerKnown) = (recipient.customerID, true)
        return item
    }

    /// A merged subject on one line (a value holding a line break cannot split the header).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// The HTML part of a merged text: the text escaped, paragraphs at blank lines, line
    /// breaks kept.
    static func html(_ text: String) -> String {
        var out = "<!DOCTYPE html><html><body><p>"
        out.reserveCapacity(text.utf8.count * 2 + 64)
        // One pass over the escaped text: a blank line closes a paragraph, a single line break is <br>.
        var breaks = 0, started = false
        for line in HTMLEscaping.escape(text).split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy(\.isWhitespace) { breaks += 1; continue }
            if started { out += breaks > 0 ? "</p><p>" : "<br>" }
            out += trimmed
            (breaks, started) = (0, true)
        }
        return out + "</p></body></html>"
    }

    /// The ids the source names, through the permission check of the kind's list.
    func ids(of source: MergeSource, by actor: Principal) async throws -> [UUID] {
        switch source {
        case .records(_, let ids):
            return Array(NSOrderedSet(array: ids).array as! [UUID])
        case .list(let kind, let query):
            guard let list = services.records[kind]?.list else { return [] }
            return try await ids(in: list, query: URI("/?" + query).queryParameters, by: actor)
        }
    }

    private func ids<L: RecordList>(in list: L, query: Parameters, by actor: Principal) async throws -> [UUID] {
        let out = try await list.ids(query, limit: Self.largest + 1, for: actor)
        guard out.count <= Self.largest else {
            throw GuanxiError.invalid("query", "The list holds more than \(Self.largest) records; narrow it first.")
                .localized("msg.batch_too_large", ["max": String(Self.largest)])
        }
        return out
    }

    /// Merges newest first; `after` is the `cursor` of the last of the previous page.
    /// Readers of the outbox see every merge; whoever may start one sees their own.
    package func list(after cursor: String? = nil, limit: Int = 50, for actor: Principal) async throws -> [MailMergeRecord] {
        let query = services.database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("mail_merges")
        if actor.scope(for: .read, on: .outbox) == nil {
            _ = try services.permissions.require(actor, .create, on: .outbox)
            query.where("created_by", .equal, actor.userID)
        }
        return try await Keyset.time("created_at").apply(to: query, cursor: cursor).limit(limit).all().map(Self.record)
    }

    /// One merge, for those who read the outbox or started it.
    package func find(_ id: UUID, for actor: Principal) async throws -> MailMergeRecord {
        guard let merge = try await find(id), merge.createdBy == actor.userID || actor.scope(for: .read, on: .outbox) != nil else {
            throw GuanxiError.notFound("Mail merge")
        }
        return merge
    }

    func find(_ id: UUID) async throws -> MailMergeRecord? {
        try await services.database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("mail_merges").where("id", .equal, id).first().map(Self.record)
    }

    static let columns = ["id", "template_id", "template_name", "record_kind", "source_label", "status", "total", "queued", "skipped", "error",
                          "created_by", "created_at", "finished_at"]

    static func record(_ row: any SQLRow) throws -> MailMergeRecord {
        MailMergeRecord(id: try row.decode(column: "id", as: UUID.self), templateID: try row.decode(column: "template_id", as: UUID?.self),
                        templateName: try row.decode(column: "template_name", as: String.self),
                        kind: RecordKind(rawValue: try row.decode(column: "record_kind", as: String.self)),
                        sourceLabel: try row.decode(column: "source_label", as: String.self),
                        status: MailMergeRecord.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                        total: try row.decode(column: "total", as: Int.self), queued: try row.decode(column: "queued", as: Int.self),
                        skipped: try row.decode(column: "skipped", as: Int.self), error: try row.decode(column: "error", as: String?.self),
                        createdBy: try row.decode(column: "created_by", as: UUID?.self), createdAt: try row.decode(column: "created_at", as: Date.self),
                        finishedAt: try row.decode(column: "finished_at", as: Date?.self))
    }

    func finish(_ id: UUID, _ status: MailMergeRecord.Status, error: String?) async throws {
        try await services.database.sql.update("mail_merges").set("status", to: status.rawValue).set("error", to: error)
            .set("finished_at", to: services.clock.now()).where("id", .equal, id).run()
    }
}
