import Foundation
import GuanxiPlatform

/// A template filled in for one real record, as its recipient would get it: the preview
/// on the template's page, the test message to oneself, and each letter of a print run.
package struct TemplatePreview: Sendable {
    package let services: CustomerFileServices

    package struct Filled: Sendable {
        package let recipient: MessageRecipient
        package let subject: String
        package let body: String
    }

    /// The kinds whose records a template can be filled in for.
    package var kinds: [RecordKind] { MailMerge.kinds(services.records) }

    /// `template` for the record `id` of `kind`, which the reader must be able to open.
    package func fill(_ template: MessageTemplate, kind: RecordKind, id: UUID, for actor: Principal) async throws -> Filled {
        guard let recipients = services.records[kind]?.messageRecipients else { throw GuanxiError.notFound("Kind of record") }
        _ = try await services.records.find(kind, id, for: actor)
        guard let recipient = try await recipients.load([id]).first else { throw GuanxiError.notFound("Record") }
        return try await fill(template, recipients: [recipient], for: actor)[0]
    }

    /// `template` for each of `recipients` (already checked against the reader's reach).
    package func fill(_ template: MessageTemplate, recipients: [MessageRecipient], for actor: Principal) async throws -> [Filled] {
        let values = try await MergeValues.load(for: recipients, sender: actor, language: template.language, database: services.database, clock: services.clock)
        let subject = try MergeText.Compiled(template.subject), body = try MergeText.Compiled(template.body)
        return recipients.map { recipient in
            let tree = values.values(for: recipient)
            return Filled(recipient: recipient, subject: MailMerge.oneLine(subject.render(tree)), body: body.render(tree))
        }
    }

    /// The first record of `kind` the reader can see, for a preview nobody has chosen a record for.
    package func firstRecord(of kind: RecordKind, for actor: Principal) async throws -> UUID? {
        guard let list = services.records[kind]?.list, actor.scope(for: .read, on: services.records.permissionKind(of: kind)) != nil else { return nil }
        return try await first(in: list, for: actor)
    }

    private func first<L: RecordList>(in list: L, for actor: Principal) async throws -> UUID? {
        try await list.page([:], cursor: nil, limit: 1, for: actor).records.first?.recordID
    }

    /// Sends the template, filled in for a record, to the reader's own address (an SMS to
    /// the number they type), marked as a test.
    package func sendTest(_ template: MessageTemplate, kind: RecordKind, id: UUID, to number: String? = nil, by actor: Principal) async throws -> OutboxEntry {
        switch template.channel {
        case .letter:
            throw GuanxiError.invalid("channel", "Letters are printed, not sent: only e-mail and SMS templates can be sent as a test.").localized("msg.test_email_only", [:])
        case .sms:
            let to = try SMSNumber(try Validate.requiredText(number, field: "test_to", max: 40), field: "test_to")
            let filled = try await fill(template, kind: kind, id: id, for: actor)
            // A test is not marketing, whatever the template is: no opt-out line, no quiet hours.
            return try await services.outbox.queue(TextMessage(to: to, name: actor.displayName, text: "[测试 Test] " + filled.body, purpose: .transactional,
                                                               language: template.language), about: (kind, id), by: actor)
        case .email:
            let address = try await services.database.sql.select().column("email").from("users").where("id", .equal, actor.userID)
                .first(decodingColumn: "email", as: String?.self) ?? nil
            guard let address, let to = try? MailAddress(address, name: actor.displayName) else {
                throw GuanxiError.invalid("email", "Your profile has no e-mail address to send the test to.").localized("msg.test_no_email", [:])
            }
            let filled = try await fill(template, kind: kind, id: id, for: actor)
            // A test goes to the sender alone: it is not marketing, whatever the template is.
            let message = MailMessage(from: services.outbox.sender, to: to, subject: "[测试 Test] " + filled.subject, text: filled.body,
                                      html: MailMerge.html(filled.body), purpose: .transactional)
            return try await services.outbox.queue(message, about: (kind, id), by: actor)
        }
    }
}
