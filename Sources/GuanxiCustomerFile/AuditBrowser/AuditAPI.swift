import Foundation
import GuanxiAPI
import GuanxiPlatform

/// The audit log over the REST API.
extension CustomerFileAPI {
    package func listAuditEntries(_ input: Operations.listAuditEntries.Input) async throws -> Operations.listAuditEntries.Output {
        let principal = try RequestPrincipal.require()
        var filter = AuditFilter()
        let q = input.query
        filter.limit = try Self.limit(q.limit)
        filter.actorID = try q.actorId.map { try Self.id($0, field: "actorId") }
        filter.recordKind = q.recordKind
        filter.recordID = q.recordId
        filter.action = q.action
        filter.from = try q.from.map { try Validate.storable($0, field: "from") }
        filter.to = try q.to.map { try Validate.storable($0, field: "to") }
        if let cursor = q.cursor {
            guard let seq = Int64(cursor) else { throw GuanxiError.invalid("cursor", "cursor is not one this API returned.") }
            filter.before = seq
        }
        let page = try await services.auditQuery.list(filter, for: principal)
        return .ok(.init(body: .json(.init(items: page.entries.map(Self.apiAuditEntry), nextCursor: page.next.map(String.init)))))
    }

    package func getUserHistory(_ input: Operations.getUserHistory.Input) async throws -> Operations.getUserHistory.Output {
        let principal = try RequestPrincipal.require()
        let user = try await services.users.find(try Self.id(input.path.userId, field: "userId"), for: principal)
        let entries = try await services.auditQuery.history(kind: .users, id: user.id!.uuidString)
        return .ok(.init(body: .json(.init(items: entries.map(Self.apiAuditEntry)))))
    }

    package static func apiAuditEntry(_ e: AuditEntry) -> Components.Schemas.AuditEntry {
        .init(seq: e.seq, at: e.at, actorId: e.actorID?.uuidString, actorName: e.actorName, address: e.address, action: e.action,
              recordKind: e.recordKind, recordId: e.recordID, recordLabel: e.recordLabel,
              changes: e.changes.map { .init(field: $0.field, old: $0.old, new: $0.new) })
    }
}
