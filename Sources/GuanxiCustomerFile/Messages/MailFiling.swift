import Foundation
import GuanxiPlatform
import SQLKit

/// Received mail onto the customer file: each message is stored as it arrived (`Inbox`),
/// then filed as an e-mail activity on the records its addresses belong to — contacts,
/// customers, leads, any kind that offers `mailAddressed` — one activity per customer, so
/// the customer's timeline shows it once. A reply to a message Guanxi sent, or to one it
/// filed, goes on the same record (a deal, later a case). Colleagues' own addresses are
/// left out of the matching, so a rep who forwards a customer's mail, or puts the dropbox
/// address in Bcc, files it on that customer. A delivery report marks the addresses it
/// names as not working (data quality) and stops marketing to them. Someone nobody knows
/// becomes a lead when the administrator has chosen so.
public struct MailFiling: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    /// Settings key: the kind made for an unknown sender ("leads"), or none.
    package static let unknownSendersSetting = "mail.unknown_senders"
    /// What filing says of a message it did not file (the API's `note`; pages tell it in
    /// the reader's language, `InboxPages.note`).
    package static let ownCopy = "A copy of a message Guanxi sent.", nobody = "Nobody it names is known.",
                       automaticStranger = "An automatic message from nobody known."
    /// More servers than this in `Received` fields is a mail loop.
    static let mostHops = 30

    /// Stores and files one raw message; the entry says what happened. A message already
    /// received is neither stored nor filed again.
    public func receive(_ raw: Data, via: String, by actor: Principal?) async throws -> (entry: InboundEntry, duplicate: Bool) {
        let (entry, mail, duplicate) = try await services.inbox.store(raw, via: via, by: actor)
        guard !duplicate, let mail else { return (entry, duplicate) }
        return (try await file(entry, mail), false)
    }

    /// Files a stored message again (one that failed, or came before its sender was known).
    public func refile(_ id: UUID, by actor: Principal) async throws -> InboundEntry {
        _ = try services.permissions.require(actor, .update, on: .inbox)
        guard let entry = try await services.inbox.find(id), let raw = try await services.inbox.raw(of: id) else { throw GuanxiError.notFound("The message") }
        guard [.failed, .unmatched].contains(entry.status) else {
            throw GuanxiError(.conflict, "Only a message that failed or matched nobody can be filed again (this one is \(entry.status.rawValue)).")
                .localized("inbox.cannot_refile", ["status": entry.status.rawValue])
        }
        let mail: ReceivedMail
        do { mail = try ReceivedMail.parse(raw) } catch {
            try await services.inbox.record(id, status: .failed, note: (error as? GuanxiError)?.message ?? "\(error)", filedOn: [])
            throw error
        }
        try await services.inbox.reopen(entry, by: actor)
        return try await file(entry, mail)
    }

    /// Files a parsed message and records the outcome; a fault is recorded as `failed`.
    func file(_ entry: InboundEntry, _ mail: ReceivedMail) async throws -> InboundEntry {
        let outcome: (InboundEntry.Status, String?, [RecordRef])
        do {
            outcome = try await decide(mail)
        } catch {
            services.logger.warning("Filing received mail failed", metadata: ["message": "\(entry.id)", "error": "\(error)"])
            outcome = (.failed, (error as? GuanxiError)?.message ?? "\(error)", [])
        }
        try await services.inbox.record(entry.id, status: outcome.0, note: outcome.1, filedOn: outcome.2)
        return try await services.inbox.find(entry.id) ?? entry
    }

    private func decide(_ mail: ReceivedMail) async throws -> (InboundEntry.Status, String?, [RecordRef]) {
        if try await services.inbox.isOwn(mail.messageID) { return (.ignored, Self.ownCopy, []) }
        if mail.hops > Self.mostHops { return (.ignored, "A mail loop: it passed \(mail.hops) mail servers.", []) }
        if !mail.deliveryFailures.isEmpty { return try await bounce(mail) }
        let colleagues = try await users(among: mail.everyone)
        let own = Set([services.outbox.sender.address.lowercased()])
        let outsiders = Array(Set(mail.everyone.map { $0.address.lowercased() }).subtracting(colleagues.keys).subtracting(own)).sorted()
        var targets = try await services.inbox.threadRecords(mail.thread)
        var matched: [FoundRecord] = []
        for address in outsiders {
            for kind in services.records.kinds(where: { $0.mailAddressed != nil }) {
                for id in try await services.records[kind]!.mailAddressed!(address) {
                    if let record = try? await services.records.find(kind, id, for: PrincipalLoader.console()), !matched.contains(record) { matched.append(record) }
                }
            }
        }
        if targets.isEmpty { targets = Self.onePerCustomer(matched) }
        var status = InboundEntry.Status.filed
        if targets.isEmpty {
            guard let sender = mail.from.first, !colleagues.keys.contains(sender.address.lowercased()), !mail.isAutomatic,
                  let kindName = try await services.settings.value(Self.unknownSendersSetting, as: String.self),
                  let make = services.records[RecordKind(rawValue: kindName)]?.fromUnknownSender else {
                return (.unmatched, mail.isAutomatic ? Self.automaticStranger : Self.nobody, [])
            }
            targets = [RecordRef(RecordKind(rawValue: kindName), try await make(sender, mail.subject))]
            status = .lead
        }
        let owner = mail.from.first.flatMap { colleagues[$0.address.lowercased()] }
        // All or nothing: a message filed halfway would be filed twice when filed again.
        var added: [UUID] = []
        do {
            for target in targets {
                added.append(try await addActivity(for: mail, on: target, owner: owner))
                try await attach(mail, to: added.last!)
            }
        } catch {
            for id in added { try? await services.activities.delete(id, expectedVersion: nil, by: PrincipalLoader.console()) }
            throw error
        }
        return (status, nil, targets)
    }

    /// The records to file on: per customer, one of its people named in the mail rather
    /// than the company itself; records of no customer (leads) each on their own.
    static func onePerCustomer(_ records: [FoundRecord]) -> [RecordRef] {
        var chosen: [String: FoundRecord] = [:]
        var order: [String] = []
        for record in records {
            let key = record.customerID?.uuidString ?? "\(record.kind.rawValue)/\(record.id)"
            if let current = chosen[key] {
                // A person beats the company: the activity names who wrote.
                if current.id == current.customerID, record.id != record.customerID { chosen[key] = record }
            } else {
                chosen[key] = record
                order.append(key)
            }
        }
        return order.map { RecordRef(chosen[$0]!.kind, chosen[$0]!.id) }
    }

    /// Colleagues among the addresses, by lower-cased address.
    private func users(among addresses: [ReceivedAddress]) async throws -> [String: UUID] {
        let keys = Array(Set(addresses.map { $0.address.lowercased() }))
        guard !keys.isEmpty else { return [:] }
        var out: [String: UUID] = [:]
        for row in try await services.database.sql.raw("""
            SELECT id, LOWER(email) AS email FROM users WHERE LOWER(email) IN (\(binds: keys)) AND is_active = \(bind: true)
            """).all() {
            out[try row.decode(column: "email", as: String.self)] = try row.decode(column: "id", as: UUID.self)
        }
        return out
    }

    /// The longest text an activity keeps; a longer message is attached whole as well.
    static let longestText = 4_000

    private func addActivity(for mail: ReceivedMail, on target: RecordRef, owner: UUID?) async throws -> UUID {
        let console = PrincipalLoader.console()
        // Who wrote to whom, each line held short: a message to 500 people stays readable.
        let line = { (name: String, people: [ReceivedAddress]) in String((name + ": " + people.map(\.description).joined(separator: ", ")).prefix(300)) }
        var lines = [line("From", mail.from)]
        if !mail.to.isEmpty { lines.append(line("To", mail.to)) }
        if !mail.cc.isEmpty { lines.append(line("Cc", mail.cc)) }
        let body = mail.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let cut = body.count > Self.longestText
        var input = ActivityInput()
        input.kind = "email"
        input.subject = mail.subject.isEmpty ? "(无主题 / no subject)" : String(mail.subject.prefix(200))
        input.description = lines.joined(separator: "\n") + "\n\n" + (cut ? String(body.prefix(Self.longestText)) + "\n…" : body)
        let now = services.clock.now()
        // A sender's clock can be wrong; a mail is never dated in the future.
        input.startsAt = .some(min(mail.date ?? now, now))
        input.status = "done"
        input.related = .some((target.kind, target.id))
        if let owner { input.ownerID = .some(owner) }
        return try await services.activities.create(input, by: console).id!
    }

    /// The mail's attachments on its activity, and the whole message when its text was cut.
    private func attach(_ mail: ReceivedMail, to activity: UUID) async throws {
        let files = AttachmentService(services: services)
        var attachments = mail.attachments
        if mail.text.trimmingCharacters(in: .whitespacesAndNewlines).count > Self.longestText, let raw = mail.raw {
            attachments.append(.init(filename: "message.eml", contentType: "message/rfc822", data: raw))
        }
        for file in attachments where file.data.count <= files.largest {
            _ = try await files.add(to: .activities, activity, filename: Self.storable(file.filename), contentType: file.contentType, data: file.data,
                                    by: PrincipalLoader.console())
        }
    }

    /// A received file name as attachments keep them: without folders, at most 200
    /// characters with its extension kept, "attachment" when nothing is left.
    package static func storable(_ name: String) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let ext = (base as NSString).pathExtension.prefix(20)
        let short = base.count <= 200 ? base : String(base.prefix(ext.isEmpty ? 200 : 199 - ext.count)) + (ext.isEmpty ? "" : ".\(ext)")
        return (try? AttachmentService.cleanName(short)) ?? "attachment"
    }

    /// A delivery report: each address it names as failed is marked bounced on every
    /// record that holds it, kept from marketing, and the message it reports is marked
    /// failed in the outbox with the remote server's words.
    private func bounce(_ mail: ReceivedMail) async throws -> (InboundEntry.Status, String?, [RecordRef]) {
        let ways = ContactWays(services: services)
        let console = PrincipalLoader.console()
        var marked: [RecordRef] = []
        for failure in mail.deliveryFailures {
            let reason = failure.diagnostic.map { "\(failure.status) \($0)" } ?? failure.status
            for kind in ContactWays.markable(services.records) {
                guard let addressed = services.records[kind]?.mailAddressed else { continue }
                for id in try await addressed(failure.address) {
                    try await ways.markInvalid(kind, id, value: failure.address, reason: "bounced", by: console)
                    marked.append(RecordRef(kind, id))
                }
            }
            try await services.outbox.suppress(failure.address, reason: "bounced", source: String(reason.prefix(500)), by: nil)
            if let reported = mail.reportedMessageID { try await services.outbox.bounced(messageID: reported, address: failure.address, reply: reason) }
        }
        return (.bounce, "Not delivered: " + mail.deliveryFailures.map(\.address).joined(separator: ", "), marked)
    }
}
