import Foundation
import GuanxiAPI
import GuanxiPlatform

/// `/api/v1/records/{kind}`: the records of every kind declared as data, through
/// `SchemaRecords` — the permission check, the field checks, versions and audit — the same
/// as their web pages. A kind not declared so is refused, naming those that are.
extension CustomerFileAPI {
    private func declared(_ kind: String) throws -> SchemaRecords {
        let descriptor = try services.records.named(kind, field: "kind") { $0.schema != nil }
        return SchemaRecords(descriptor.schema!, services: services)
    }

    package func listDeclaredRecords(_ input: Operations.listDeclaredRecords.Input) async throws -> Operations.listDeclaredRecords.Output {
        let principal = try RequestPrincipal.require()
        let records = try declared(input.path.kind)
        let limit = input.query.limit ?? 50
        guard (1...500).contains(limit) else { throw GuanxiError.invalid("limit", "limit must be from 1 to 500.") }
        let search = try Validate.text(input.query.q, field: "q", required: false, max: 100)
        let owner = try input.query.ownerId.map { try Self.id($0, field: "ownerId") }
        let page = try await records.page(search: search, ownerID: owner, cursor: input.query.cursor, limit: limit, for: principal)
        return .ok(.init(body: .json(.init(items: page.records.map { Self.apiRecord($0, kind: records.kind) }, nextCursor: page.next))))
    }

    package func createDeclaredRecord(_ input: Operations.createDeclaredRecord.Input) async throws -> Operations.createDeclaredRecord.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let records = try declared(input.path.kind)
        let owner = try body.ownerId.map { try Self.id($0, field: "ownerId") }
        let record = try await records.create(body.fields?.additionalProperties ?? [:], ownerID: owner.map { .some($0) }, by: principal)
        return .created(.init(headers: .init(ETag: Self.etag(version: record.version)), body: .json(Self.apiRecord(record, kind: records.kind))))
    }

    package func getDeclaredRecord(_ input: Operations.getDeclaredRecord.Input) async throws -> Operations.getDeclaredRecord.Output {
        let principal = try RequestPrincipal.require()
        let records = try declared(input.path.kind)
        let record = try await records.find(try Self.id(input.path.recordId, field: "recordId"), for: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: record.version)), body: .json(Self.apiRecord(record, kind: records.kind))))
    }

    package func updateDeclaredRecord(_ input: Operations.updateDeclaredRecord.Input) async throws -> Operations.updateDeclaredRecord.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let records = try declared(input.path.kind)
        let id = try Self.id(input.path.recordId, field: "recordId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let owner = try body.ownerId.map { try Self.id($0, field: "ownerId") }
        let record = try await Self.precondition {
            try await records.update(id, body.fields?.additionalProperties ?? [:], ownerID: owner.map { .some($0) }, expectedVersion: expected, by: principal)
        }
        return .ok(.init(headers: .init(ETag: Self.etag(version: record.version)), body: .json(Self.apiRecord(record, kind: records.kind))))
    }

    package func deleteDeclaredRecord(_ input: Operations.deleteDeclaredRecord.Input) async throws -> Operations.deleteDeclaredRecord.Output {
        let principal = try RequestPrincipal.require()
        let records = try declared(input.path.kind)
        let id = try Self.id(input.path.recordId, field: "recordId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        try await Self.precondition { try await records.delete(id, expectedVersion: expected, by: principal) }
        return .noContent(.init())
    }

    package static func apiRecord(_ record: SchemaRecord, kind: RecordKind) -> Components.Schemas.DeclaredRecord {
        .init(id: record.id.uuidString, kind: kind.rawValue, ownerId: record.ownerID?.uuidString, version: record.version,
              fields: .init(additionalProperties: record.values), createdAt: record.createdAt, updatedAt: record.updatedAt)
    }
}
