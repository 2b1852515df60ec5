import Foundation
import GuanxiPlatform
import SQLKit

/// A reply to a text message, as the gateway's hook handed it over.
package struct TextReply: Sendable, Equatable {
    package enum Outcome: String, Sendable, CaseIterable {
        /// Filed on the timelines of the records the number belongs to.
        case filed
        /// "T", "退订", "STOP" …: the number gets no marketing texts any more (and it is filed too).
        case optedOut = "opted_out"
        /// Nobody in the file has the number: kept here for a person to look at.
        case unmatched
    }
    package var id: UUID
    package var number: String
    package var text: String
    package var receivedAt: Date
    package var outcome: Outcome
    package var filedOn: [RecordRef]
    package var cursor: String { Keyset.cursor(.time(receivedAt), id: id) }
}

/// Replies to text messages: each is kept, filed as an SMS activity on the timeline of
/// every record the number belongs to (one per customer, a person before the company),
/// and an opt-out word stops marketing texts to the number for good — on the outbox's
/// list and, for a customer whose own number it is, as their SMS consent (audited).
package struct TextReplies: Sendable {
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    /// The words that mean "no more texts", as Chinese operators and carriers elsewhere
    /// use them; a reply that is one of them (any case, punctuation around it ignored).
    package static let optOutWords: Set<String> = ["t", "td", "n", "退订", "退", "取消", "stop", "unsubscribe", "cancel", "end", "quit", "stopall"]
    package static let longestText = 2000

    package func receive(from: String, text: String, by actor: Principal?) async throws -> TextReply {
        let number = try SMSNumber(from, field: "from")
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw GuanxiError.invalid("text", "text is required.").localized("msg.required", ["field": "text"]) }
        guard body.count <= Self.longestText else {
            throw GuanxiError.invalid("text", "text must be at most \(Self.longestText) characters.").localized("msg.too_long", ["field": "text", "max": String(Self.longestText)])
        }
        var matched: [FoundRecord] = []
        for kind in services.records.kinds(where: { $0.phoneNumbered != nil }) {
            for id in try await services.records[kind]!.phoneNumbered!(number.storedForms) {
                if let record = try? await services.records.find(kind, id, for: PrincipalLoader.console()), !matched.contains(record) { matched.append(record) }
            }
        }
        let targets = MailFiling.onePerCustomer(matched)
        let stop = Self.isOptOut(body)
        var outcome: TextReply.Outcome = targets.isEmpty ? .unmatched : .filed
        if stop {
            try await services.outbox.suppress(number.international, reason: "replied \(body.prefix(20))", source: "text reply", by: actor)
            try await MarketingConsent.optOut(number, services: services)
            outcome = .optedOut
        }
        var added: [UUID] = []
        do {
            for target in targets { added.append(try await addActivity(body, from: number, on: target)) }
        } catch {
            for id in added { try? await services.activities.delete(id, expectedVersion: nil, by: PrincipalLoader.console()) }
            throw error
        }
        let reply = TextReply(id: UUID.timeOrdered(at: services.clock.now()), number: number.international, text: body, receivedAt: services.clock.now(),
                              outcome: outcome, filedOn: targets)
        try await services.database.sql.insert(into: "sms_replies").columns("id", "number", "text", "received_at", "outcome", "filed_on")
            .values(SQLBind(reply.id), SQLBind(reply.number), SQLBind(reply.text), SQLBind(reply.receivedAt), SQLBind(outcome.rawValue),
                    SQLBind(targets.isEmpty ? nil : targets.map { "\($0.kind.rawValue):\($0.id.uuidString)" }.joined(separator: ",")))
            .run()
        return reply
    }

    static func isOptOut(_ text: String) -> Bool {
        let word = text.lowercased().trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters).union(.symbols))
        return optOutWords.contains(word)
    }

    private func addActivity(_ text: String, from number: SMSNumber, on target: RecordRef) async throws -> UUID {
        var input = ActivityInput()
        input.kind = "sms"
        input.subject = String(text.split(whereSeparator: \.isNewline).first.map(String.init)?.prefix(100) ?? "")
        input.description = "From: \(number.international)\n\n\(text)"
        input.startsAt = .some(services.clock.now())
        input.status = "done"
        input.related = .some((target.kind, target.id))
        return try await services.activities.create(input, by: PrincipalLoader.console()).id!
    }

    /// Replies newest first, optionally of one outcome; `after` is the last one's `cursor`.
    package func list(outcome: TextReply.Outcome? = nil, after cursor: String? = nil, limit: Int = 50) async throws -> [TextReply] {
        let query = services.database.sql.select().columns("id", "number", "text", "received_at", "outcome", "filed_on").from("sms_replies")
        if let outcome { query.where("outcome", .equal, outcome.rawValue) }
        return try await Keyset.time("received_at").apply(to: query, cursor: cursor).limit(limit).all().map { row in
            TextReply(id: try row.decode(column: "id", as: UUID.self), number: try row.decode(column: "number", as: String.self),
                      text: try row.decode(column: "text", as: String.self), receivedAt: try row.decode(column: "received_at", as: Date.self),
                      outcome: TextReply.Outcome(rawValue: try row.decode(column: "outcome", as: String.self)) ?? .unmatched,
                      filedOn: (try row.decode(column: "filed_on", as: String?.self) ?? "").split(separator: ",").compactMap { part in
                          let bits = part.split(separator: ":")
                          return bits.count == 2 ? UUID(uuidString: String(bits[1])).map { RecordRef(RecordKind(rawValue: String(bits[0])), $0) } : nil
                      })
        }
    }
}
