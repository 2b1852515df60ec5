import FluentKit
import Foundation
import SQLKit

/// A many-to-many link kept as a plain two-column table: owner id → members (ids or
/// plain values such as tags).
package struct LinkTable: Sendable {
    package init(table: String, owner: String, member: String) { (self.table, self.owner, self.member) = (table, owner, member) }
    package let table: String
    package let owner: String
    package let member: String

    package static let userRoles = LinkTable(table: "user_roles", owner: "user_id", member: "role_id")
    package static let teamMembers = LinkTable(table: "team_members", owner: "team_id", member: "user_id")

    package func members<Member: Codable & Sendable>(of id: UUID, as type: Member.Type = UUID.self, on db: any Database) async throws -> [Member] {
        try await (db as! any SQLDatabase).select().column(member).from(table)
            .where(owner, .equal, id).all(decodingColumn: member, as: Member.self)
    }

    /// The links of many owners in one query (for list pages, instead of one query per row).
    package func members<Member: Codable & Sendable>(ofAll ids: [UUID], as type: Member.Type = UUID.self, on db: any Database) async throws -> [UUID: [Member]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await (db as! any SQLDatabase).select().column(owner).column(member).from(table).where(owner, .in, ids).all()
        var out: [UUID: [Member]] = [:]
        for row in rows { out[try row.decode(column: owner, as: UUID.self), default: []].append(try row.decode(column: member, as: Member.self)) }
        return out
    }

    /// Replaces every link of `id` (inside the caller's transaction).
    package func replace<Member: Codable & Hashable & Sendable>(of id: UUID, with members: [Member], on db: any Database) async throws {
        try await (db as! any SQLDatabase).delete(from: table).where(owner, .equal, id).run()
        try await add(to: id, members, on: db)
    }

    /// Links `members` to `id`, which has none yet (a record created in this transaction),
    /// in one statement.
    package func add<Member: Codable & Hashable & Sendable>(to id: UUID, _ members: [Member], on db: any Database) async throws {
        let unique = Array(Set(members))
        guard !unique.isEmpty else { return }
        var insert = (db as! any SQLDatabase).insert(into: table).columns(owner, member)
        for memberID in unique { insert = insert.values(SQLBind(id), SQLBind(memberID)) }
        try await insert.run()
    }

    /// Adds the links of many new owners to a batch's writes (an import's batch).
    package func addAll<Member: Codable & Hashable & Sendable>(_ links: [(id: UUID, members: [Member])], to writes: inout BulkWrites) throws {
        try writes.insert(into: table, columns: [owner, member], rows: links.flatMap { link in
            Array(Set(link.members)).map { [BulkValue(link.id), BulkValue(any: $0)] }
        })
    }
}
