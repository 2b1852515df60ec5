import Foundation
import GuanxiAPI
import GuanxiPlatform

/// The outbox over the REST API, with the same permission checks as its page.
extension CustomerFileAPI {
    package func listOutboxMessages(_ input: Operations.listOutboxMessages.Input) async throws -> Operations.listOutboxMessages.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .read, on: .outbox)
        let q = input.query
        let limit = try Self.limit(q.limit)
        let entries = try await services.outbox.list(status: q.status.flatMap { OutboxEntry.Status(rawValue: $0.rawValue) },
                                                     batch: try q.batchId.map { try Self.id($0, field: "batchId") }, after: q.cursor, limit: limit + 1)
        let page = entries.prefix(limit)
        return .ok(.init(body: .json(.init(items: page.map { Self.apiOutboxMessage($0) }, nextCursor: entries.count > limit ? page.last?.cursor : nil))))
    }

    package func getOutboxMessage(_ input: Operations.getOutboxMessage.Input) async throws -> Operations.getOutboxMessage.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .read, on: .outbox)
        let id = try Self.id(input.path.messageId, field: "messageId")
        guard let entry = try await services.outbox.find(id) else { throw GuanxiError.notFound("The message") }
        return .ok(.init(body: .json(Self.apiOutboxMessage(entry, source: try await services.outbox.text(of: id)))))
    }

    package func resendOutboxMessage(_ input: Operations.resendOutboxMessage.Input) async throws -> Operations.resendOutboxMessage.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .update, on: .outbox)
        let entry = try await services.outbox.resend(try Self.id(input.path.messageId, field: "messageId"), by: principal)
        return .ok(.init(body: .json(Self.apiOutboxMessage(entry))))
    }

    package static func apiOutboxMessage(_ e: OutboxEntry, source: String? = nil) -> Components.Schemas.OutboxMessage {
        .init(id: e.id.uuidString, channel: .init(rawValue: e.channel.rawValue)!, purpose: .init(rawValue: e.purpose.rawValue)!, recipient: e.recipient, recipientName: e.recipientName, subject: e.subject,
              status: .init(rawValue: e.status.rawValue)!, attempts: e.attempts, lastReply: e.lastReply, createdAt: e.createdAt, sentAt: e.sentAt,
              nextAttemptAt: e.nextAttemptAt, messageId: e.messageID, aboutKind: e.aboutKind?.rawValue, aboutId: e.aboutID?.uuidString,
              batchId: e.batchID?.uuidString, source: source)
    }
}
