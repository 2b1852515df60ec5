import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Text messages over the REST API: the gateway's settings (administrators), replies in
/// (a gateway with an API token) and out (outbox readers), as on the pages.
extension CustomerFileAPI {
    package func getSMSGateway(_ input: Operations.getSMSGateway.Input) async throws -> Operations.getSMSGateway.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .update, on: .settings)
        guard let gateway = try await services.textGateways.current() else { throw GuanxiError.notFound("The SMS gateway") }
        return .ok(.init(body: .json(try await apiGateway(gateway, principal))))
    }

    package func saveSMSGateway(_ input: Operations.saveSMSGateway.Input) async throws -> Operations.saveSMSGateway.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .update, on: .settings)
        guard case .json(let g) = input.body else { throw GuanxiError.invalid("body", "Send the gateway as JSON.") }
        let defaults = SMSGatewaySettings()
        let gateway = SMSGatewaySettings(kind: SMSGatewaySettings.Kind(rawValue: g.kind.rawValue) ?? .http, url: g.url ?? "",
                                         method: g.method.flatMap { SMSGatewaySettings.Method(rawValue: $0.rawValue) } ?? defaults.method,
                                         format: g.format.flatMap { SMSGatewaySettings.BodyFormat(rawValue: $0.rawValue) } ?? defaults.format,
                                         headers: g.headers ?? "", body: g.body ?? defaults.body, secret: g.secret ?? "", signature: g.signature ?? "",
                                         successStatus: g.successStatus ?? defaults.successStatus, successContains: g.successContains ?? "",
                                         perMinute: g.perMinute ?? defaults.perMinute, quietFrom: g.quietFrom ?? defaults.quietFrom,
                                         quietUntil: g.quietUntil ?? defaults.quietUntil, timeZone: g.timeZone ?? defaults.timeZone)
        try await services.textGateways.save(gateway, by: principal)
        _ = try await TextReplyHook(services: services).token(creating: true, by: principal)
        return .ok(.init(body: .json(try await apiGateway(try await services.textGateways.current()!, principal))))
    }

    package func removeSMSGateway(_ input: Operations.removeSMSGateway.Input) async throws -> Operations.removeSMSGateway.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .update, on: .settings)
        try await services.textGateways.remove(by: principal)
        return .noContent(.init())
    }

    package func listTextReplies(_ input: Operations.listTextReplies.Input) async throws -> Operations.listTextReplies.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .read, on: .outbox)
        let limit = try Self.limit(input.query.limit)
        let replies = try await TextReplies(services: services).list(outcome: input.query.outcome.flatMap { TextReply.Outcome(rawValue: $0.rawValue) },
                                                                     after: input.query.cursor, limit: limit + 1)
        let page = replies.prefix(limit)
        return .ok(.init(body: .json(.init(items: page.map(Self.apiTextReply), nextCursor: replies.count > limit ? page.last?.cursor : nil))))
    }

    package func receiveTextReply(_ input: Operations.receiveTextReply.Input) async throws -> Operations.receiveTextReply.Output {
        let principal = try RequestPrincipal.require()
        _ = try services.permissions.require(principal, .create, on: .inbox)
        guard case .json(let reply) = input.body else { throw GuanxiError.invalid("body", "Send the reply as JSON.") }
        return .created(.init(body: .json(Self.apiTextReply(try await TextReplies(services: services).receive(from: reply.from, text: reply.text, by: principal)))))
    }

    func apiGateway(_ g: SMSGatewaySettings, _ principal: Principal) async throws -> Components.Schemas.SMSGateway {
        let token = try await TextReplyHook(services: services).token(creating: false, by: principal)
        return .init(kind: .init(rawValue: g.kind.rawValue)!, url: g.url, method: .init(rawValue: g.method.rawValue), format: .init(rawValue: g.format.rawValue),
                     headers: g.headers, body: g.body, secret: nil, hasSecret: !g.secret.isEmpty, signature: g.signature, successStatus: g.successStatus,
                     successContains: g.successContains, perMinute: g.perMinute, quietFrom: g.quietFrom, quietUntil: g.quietUntil, timeZone: g.timeZone,
                     replyUrl: token.map { services.outbox.links + "/sms/replies/" + $0 })
    }

    static func apiTextReply(_ r: TextReply) -> Components.Schemas.TextReply {
        .init(id: r.id.uuidString, number: r.number, text: r.text, receivedAt: r.receivedAt, outcome: .init(rawValue: r.outcome.rawValue)!,
              filedOn: r.filedOn.map { .init(kind: $0.kind.rawValue, id: $0.id.uuidString) })
    }
}
