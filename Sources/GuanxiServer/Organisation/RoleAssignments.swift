import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A many-to-many link kept as a plain two-column table: owner id → members (ids or
/// plain values such as tags).
struct LinkTable: Sendable {
    let table: String
    let owner: String
    let member: String

    static let userRoles = LinkTable(table: "user_roles", owner: "user_id", member: "role_id")
    static let teamMembers = LinkTable(table: "team_members", owner: "team_id", member: "user_id")

    func members<Member: Codable & Sendable>(of id: UUID, as type: Member.Type = UUID.self, on db: any Database) async throws -> [Member] {
        try await (db as! any SQLDatabase).select().column(member).from(table)
            .where(owner, .equal, id).all(decodingColumn: member, as: Member.self)
    }

    /// The links of many owners in one query (for list pages, instead of one query per row).
    func members<Member: Codable & Sendable>(ofAll ids: [UUID], as type: Member.Type = UUID.self, on db: any Database) async throws -> [UUID: [Member]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await (db as! any SQLDatabase).select().column(owner).column(member).from(table).where(owner, .in, ids).all()
        var out: [UUID: [Member]] = [:]
        for row in rows { out[try row.decode(column: owner, as: UUID.self), default: []].append(try row.decode(column: member, as: Member.self)) }
        return out
    }

    /// Replaces every link of `id` (inside the caller's transaction).
    func replace<Member: Codable & Hashable & Sendable>(of id: UUID, with members: [Member], on db: any Database) async throws {
        try await (db as! any SQLDatabase).delete(from: table).where(owner, .equal, id).run()
        try await add(to: id, members, on: db)
    }

    /// Links `members` to `id`, which has none yet (a record created in this transaction),
    /// in one statement.
    func add<Member: Codable & Hashable & Sendable>(to id: UUID, _ members: [Member], on db: any Database) async throws {
        let unique = Array(Set(members))
        guard !unique.isEmpty else { return }
        var insert = (db as! any SQLDatabase).insert(into: table).columns(owner, member)
        for memberID in unique { insert = insert.values(SQLBind(id), SQLBind(memberID)) }
        try await insert.run()
    }

    /// Adds the links of many new owners to a batch's writes (an import's batch).
    func addAll<Member: Codable & Hashable & Sendable>(_ links: [(id: UUID, members: [Member])], to writes: inout BulkWrites) throws {
        try writes.insert(into: table, columns: [owner, member], rows: links.flatMap { link in
            Array(Set(link.members)).map { [BulkValue(link.id), BulkValue(any: $0)] }
        })
    }
}

/// The user ↔ role and team ↔ member links.
struct RoleAssignments: Sendable {
    let database: DatabaseService

    func roleIDs(of userID: UUID, on db: (any Database)? = nil) async throws -> [UUID] {
        try await LinkTable.userRoles.members(of: userID, on: db ?? database.db)
    }

    func replaceRoles(of userID: UUID, with roleIDs: [UUID], on db: any Database) async throws {
        try await LinkTable.userRoles.replace(of: userID, with: roleIDs, on: db)
    }

    func memberIDs(of teamID: UUID, on db: (any Database)? = nil) async throws -> [UUID] {
        try await LinkTable.teamMembers.members(of: teamID, on: db ?? database.db)
    }

    func replaceMembers(of teamID: UUID, with userIDs: [UUID], on db: any Database) async throws {
        try await LinkTable.teamMembers.replace(of: teamID, with: userIDs, on: db)
    }
}
