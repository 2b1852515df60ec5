import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Mail merges over the REST API, with the same checks as their pages.
extension CustomerFileAPI {
    package func startMailMerge(_ input: Operations.startMailMerge.Input) async throws -> Operations.startMailMerge.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError.invalid("body", "Send the merge as JSON.") }
        let kind = RecordKind(rawValue: body.kind)
        let ids = try Self.ids(body.ids, field: "ids")
        if ids != nil, body.query != nil { throw GuanxiError.invalid("ids", "Send either ids or query, not both.") }
        let source: MergeSource = ids.map { .records(kind: kind, ids: $0) } ?? .list(kind: kind, query: body.query ?? "")
        let label = try Validate.text(body.label, field: "label", required: false, max: 300) ?? (ids.map { "\($0.count) \(kind.rawValue)" } ?? "\(kind.rawValue): \(body.query ?? "")")
        let merge = try await MailMerge(services: services).start(template: try Self.id(body.templateId, field: "templateId"), source: source, label: label, by: principal)
        return .accepted(.init(body: .json(try await apiMerge(merge))))
    }

    package func listMailMerges(_ input: Operations.listMailMerges.Input) async throws -> Operations.listMailMerges.Output {
        let principal = try RequestPrincipal.require()
        let limit = try Self.limit(input.query.limit)
        let merges = try await MailMerge(services: services).list(after: input.query.cursor, limit: limit + 1, for: principal)
        let page = Array(merges.prefix(limit))
        var items: [Components.Schemas.MailMerge] = []
        for merge in page { items.append(try await apiMerge(merge)) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: merges.count > limit ? page.last?.cursor : nil))))
    }

    package func getMailMerge(_ input: Operations.getMailMerge.Input) async throws -> Operations.getMailMerge.Output {
        let principal = try RequestPrincipal.require()
        let merge = try await MailMerge(services: services).find(try Self.id(input.path.mergeId, field: "mergeId"), for: principal)
        return .ok(.init(body: .json(try await apiMerge(merge))))
    }

    package func listMailMergeRecipients(_ input: Operations.listMailMergeRecipients.Input) async throws -> Operations.listMailMergeRecipients.Output {
        let principal = try RequestPrincipal.require()
        let merge = try await MailMerge(services: services).find(try Self.id(input.path.mergeId, field: "mergeId"), for: principal)
        let limit = try Self.limit(input.query.limit)
        let entries = try await services.outbox.list(status: input.query.status.flatMap { OutboxEntry.Status(rawValue: $0.rawValue) }, batch: merge.id,
                                                     after: input.query.cursor, limit: limit + 1)
        let page = entries.prefix(limit)
        return .ok(.init(body: .json(.init(items: page.map { Self.apiOutboxMessage($0) }, nextCursor: entries.count > limit ? page.last?.cursor : nil))))
    }

    func apiMerge(_ m: MailMergeRecord) async throws -> Components.Schemas.MailMerge {
        let counts = try await services.outbox.counts(batch: m.id)
        return .init(id: m.id.uuidString, templateId: m.templateID?.uuidString, templateName: m.templateName, kind: m.kind.rawValue, label: m.sourceLabel,
                     status: .init(rawValue: m.status.rawValue)!, total: m.total, queued: m.queued, skipped: m.skipped, error: m.error, createdAt: m.createdAt,
                     finishedAt: m.finishedAt, messages: .init(additionalProperties: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })))
    }
}
