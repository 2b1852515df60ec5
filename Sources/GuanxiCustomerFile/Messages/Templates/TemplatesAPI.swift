import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Message templates over the REST API, with the same checks as their pages.
extension CustomerFileAPI {
    package func listTemplates(_ input: Operations.listTemplates.Input) async throws -> Operations.listTemplates.Output {
        let principal = try RequestPrincipal.require()
        let channel = input.query.channel.flatMap { MessageTemplate.Channel(rawValue: $0.rawValue) }
        let templates = try await services.messageTemplates.list(channel: channel, for: principal)
        return .ok(.init(body: .json(.init(items: templates.map(Self.apiTemplate), fields: MergeValues.names(services.records).sorted()))))
    }

    package func createTemplate(_ input: Operations.createTemplate.Input) async throws -> Operations.createTemplate.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError.invalid("body", "Send the template as JSON.") }
        let template = try await services.messageTemplates.create(Self.templateInput(body), by: principal)
        return .created(.init(body: .json(Self.apiTemplate(template))))
    }

    package func getTemplate(_ input: Operations.getTemplate.Input) async throws -> Operations.getTemplate.Output {
        let principal = try RequestPrincipal.require()
        return .ok(.init(body: .json(Self.apiTemplate(try await services.messageTemplates.find(try Self.id(input.path.templateId, field: "templateId"), for: principal)))))
    }

    package func updateTemplate(_ input: Operations.updateTemplate.Input) async throws -> Operations.updateTemplate.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError.invalid("body", "Send the template as JSON.") }
        let template = try await services.messageTemplates.update(try Self.id(input.path.templateId, field: "templateId"), Self.templateInput(body), by: principal)
        return .ok(.init(body: .json(Self.apiTemplate(template))))
    }

    package func deleteTemplate(_ input: Operations.deleteTemplate.Input) async throws -> Operations.deleteTemplate.Output {
        let principal = try RequestPrincipal.require()
        try await services.messageTemplates.delete(try Self.id(input.path.templateId, field: "templateId"), by: principal)
        return .noContent(.init())
    }

    package func previewTemplate(_ input: Operations.previewTemplate.Input) async throws -> Operations.previewTemplate.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError.invalid("body", "Send kind and id as JSON.") }
        let template = try await services.messageTemplates.find(try Self.id(input.path.templateId, field: "templateId"), for: principal)
        let filled = try await TemplatePreview(services: services).fill(template, kind: RecordKind(rawValue: body.kind), id: try Self.id(body.id, field: "id"), for: principal)
        return .ok(.init(body: .json(.init(name: filled.recipient.name, email: filled.recipient.email, phone: filled.recipient.phone,
                                           subject: filled.subject, body: filled.body))))
    }

    static func templateInput(_ body: Components.Schemas.TemplateInput) -> MessageTemplateInput {
        var input = MessageTemplateInput()
        (input.name, input.channel, input.purpose, input.language) = (body.name, body.channel.rawValue, body.purpose?.rawValue, body.language.rawValue)
        (input.subject, input.body, input.version) = (body.subject, body.body, body.version)
        return input
    }

    static func apiTemplate(_ t: MessageTemplate) -> Components.Schemas.MessageTemplate {
        .init(id: t.id.uuidString, name: t.name, channel: .init(rawValue: t.channel.rawValue)!, purpose: .init(rawValue: t.purpose.rawValue) ?? .transactional,
              language: t.language, subject: t.subject, body: t.body, version: t.version, updatedAt: t.updatedAt)
    }
}
