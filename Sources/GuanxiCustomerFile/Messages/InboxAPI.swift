import Foundation
import GuanxiAPI
import GuanxiPlatform
import OpenAPIRuntime

/// Received mail over the REST API: a mail provider's inbound hook posts raw messages;
/// the inbox is read with the same permission checks as its page.
extension CustomerFileAPI {
    package func receiveMessage(_ input: Operations.receiveMessage.Input) async throws -> Operations.receiveMessage.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .create, on: .inbox)
        let body: HTTPBody = switch input.body {
        case .message_rfc822(let body): body
        case .binary(let body): body
        }
        let raw: Data
        do { raw = try await Data(collecting: body, upTo: services.inbox.largest) } catch {
            throw GuanxiError(.payloadTooLarge, "The message is larger than \(services.inbox.largest / 1_048_576) MB.", field: "message")
                .localized("msg.file_too_large", ["max": String(services.inbox.largest / 1_048_576)])
        }
        let (entry, duplicate) = try await MailFiling(services: services).receive(raw, via: "api", by: principal)
        return duplicate ? .ok(.init(body: .json(Self.apiInboundMessage(entry)))) : .created(.init(body: .json(Self.apiInboundMessage(entry))))
    }

    package func listInboundMessages(_ input: Operations.listInboundMessages.Input) async throws -> Operations.listInboundMessages.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .read, on: .inbox)
        let limit = try Self.limit(input.query.limit)
        let entries = try await services.inbox.list(status: input.query.status.flatMap { InboundEntry.Status(rawValue: $0.rawValue) },
                                                    after: input.query.cursor, limit: limit + 1)
        let page = entries.prefix(limit)
        return .ok(.init(body: .json(.init(items: page.map { Self.apiInboundMessage($0) }, nextCursor: entries.count > limit ? page.last?.cursor : nil))))
    }

    package func getInboundMessage(_ input: Operations.getInboundMessage.Input) async throws -> Operations.getInboundMessage.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .read, on: .inbox)
        guard let entry = try await services.inbox.find(try Self.id(input.path.messageId, field: "messageId")) else { throw GuanxiError.notFound("The message") }
        return .ok(.init(body: .json(Self.apiInboundMessage(entry))))
    }

    package func refileInboundMessage(_ input: Operations.refileInboundMessage.Input) async throws -> Operations.refileInboundMessage.Output {
        let principal = try RequestPrincipal.require()
        let entry = try await MailFiling(services: services).refile(try Self.id(input.path.messageId, field: "messageId"), by: principal)
        return .ok(.init(body: .json(Self.apiInboundMessage(entry))))
    }

    package static func apiInboundMessage(_ e: InboundEntry) -> Components.Schemas.InboundMessage {
        .init(id: e.id.uuidString, messageId: e.messageID, sender: e.sender, subject: e.subject, status: .init(rawValue: e.status.rawValue)!, note: e.note,
              filedOn: e.filedOn.map { .init(kind: $0.kind.rawValue, id: $0.id.uuidString) }, via: e.via, size: e.size, receivedAt: e.receivedAt)
    }
}
