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

    /// Sends the template, filled in for a record, to the reader's own address, marked as a test.
    package func sendTest(_ template: MessageTemplate, kind: RecordKind, id: UUID, by actor: Principal) async throws -> OutboxEntry {
        guard template.channel == .email else {
            throw GuanxiError.invalid("channel", "Only e-mail templates can be sent as a test message.").localized("msg.test_email_only", [:])
        }
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
