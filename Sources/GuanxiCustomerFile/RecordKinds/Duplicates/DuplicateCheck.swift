import Foundation
import SQLKit
import GuanxiPlatform

/// A record that probably is the one being entered again.
public struct DuplicateCandidate: Sendable, Equatable {
    public let id: UUID
    public let name: String
    /// What they share: `email`, `phone` or `name` (for contacts: the same name at the same customer).
    public let reason: String
}

/// Finds records that a new one probably duplicates — same e-mail address (without regard
/// to case), same phone number (by its digits), or the same name — among those the person
/// entering it may read. Creating asks first unless told to save anyway. Each kind says
/// what it compares in its own folder (`Customer+DuplicateCheck.swift` …).
package struct DuplicateCheck: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService

    /// Readable records of `kind` in `table` whose `keys` (reason, column, value) equal the new one's.
    package func find(table: String, kind: RecordKind, keys: [(String, any SQLExpression, String)], excluding: UUID?, for actor: Principal) async throws -> [DuplicateCandidate] {
        let owners = try await permissions.ownerFilter(actor, .read, on: kind)
        var found: [DuplicateCandidate] = []
        for (reason, column, value) in keys where !value.isEmpty {
            var query = database.sql.select().columns("id", "name").from(table).where(column, .equal, SQLBind(value)).limit(5)
            if let reachable = owners.condition() { query = query.where(reachable) }
            found += try await query.all().map { DuplicateCandidate(id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self), reason: reason) }
        }
        return Self.distinct(found.filter { $0.id != excluding })
    }

    /// One entry per record, its strongest reason first (e-mail, phone, name).
    package static func distinct(_ found: [DuplicateCandidate]) -> [DuplicateCandidate] {
        let order = ["email": 0, "phone": 1, "name": 2]
        var seen: Set<UUID> = []
        return found.sorted { order[$0.reason, default: 3] < order[$1.reason, default: 3] }.filter { seen.insert($0.id).inserted }
    }

    /// 409 `probable_duplicate`, listing the candidates in `details`.
    package static func error(_ candidates: [DuplicateCandidate], kind: RecordKind) -> GuanxiError {
        let names = candidates.prefix(5).map(\.name).joined(separator: ", ")
        var error = GuanxiError(.conflict, "This probably exists already: \(names). Send allowDuplicates to save it anyway.", code: "probable_duplicate")
            .localized("msg.probable_duplicate", ["names": names])
        error.details = candidates.map { ["id": $0.id.uuidString, "name": $0.name, "reason": $0.reason, "kind": kind.rawValue] }
        return error
    }

    package init(database: DatabaseService, permissions: PermissionService) { (self.database, self.permissions) = (database, permissions) }
}
