import FluentKit
import Foundation
import GuanxiPlatform

/// Teams and their members.
public struct TeamService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let clock: any Clock

    public func list(for actor: Principal) async throws -> [(team: Team, members: [UUID])] {
        try permissions.require(actor, .read, on: .teams)
        let links = RoleAssignments(database: database)
        var out: [(Team, [UUID])] = []
        for team in try await Team.query(on: database.db).sort(\.$name).all() {
            out.append((team, try await links.memberIDs(of: team.id!)))
        }
        return out
    }

    public func create(name: String?, description: String?, memberIDs: [UUID], by actor: Principal) async throws -> Team {
        try permissions.require(actor, .create, on: .teams)
        let team = Team()
        team.id = UUID()
        team.name = try Validate.requiredText(name, field: "name", max: 100)
        team.details = try Validate.text(description, field: "description", required: false, max: 1000) ?? ""
        try await checkMembers(memberIDs)
        if try await Team.query(on: database.db).filter(\.$name == team.name).first() != nil {
            throw GuanxiError(.conflict, "A team named \"\(team.name)\" already exists.", field: "name").localized("msg.name_taken", ["name": team.name])
        }
        team.createdAt = clock.now()
        team.updatedAt = team.createdAt
        try await database.db.transaction { tx in
            try await team.create(on: tx)
            try await RoleAssignments(database: database).replaceMembers(of: team.id!, with: memberIDs, on: tx)
            try await audit.created(on: tx, actor: actor, kind: .teams, id: team.id!.uuidString, label: team.name,
                                    snapshot: ["name": team.name, "description": team.details, "members": UserService.rolesText(memberIDs)])
        }
        return team
    }

    public func update(_ id: UUID, name: String?, description: String?, memberIDs: [UUID]?, by actor: Principal) async throws -> Team {
        try permissions.require(actor, .update, on: .teams)
        guard let team = try await Team.find(id, on: database.db) else { throw GuanxiError.notFound("Team") }
        let links = RoleAssignments(database: database)
        let oldMembers = try await links.memberIDs(of: id)
        let before: AuditSnapshot = ["name": team.name, "description": team.details, "members": UserService.rolesText(oldMembers)]
        if let name { team.name = try Validate.requiredText(name, field: "name", max: 100) }
        if let description { team.details = try Validate.text(description, field: "description", required: false, max: 1000) ?? "" }
        if let memberIDs { try await checkMembers(memberIDs) }
        if let clash = try await Team.query(on: database.db).filter(\.$name == team.name).first(), clash.id != id {
            throw GuanxiError(.conflict, "A team named \"\(team.name)\" already exists.", field: "name").localized("msg.name_taken", ["name": team.name])
        }
        team.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await team.update(on: tx)
            if let memberIDs { try await links.replaceMembers(of: id, with: memberIDs, on: tx) }
            let after: AuditSnapshot = ["name": team.name, "description": team.details, "members": UserService.rolesText(memberIDs ?? oldMembers)]
            try await audit.updated(on: tx, actor: actor, kind: .teams, id: id.uuidString, label: team.name, old: before, new: after)
        }
        return team
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        try permissions.require(actor, .delete, on: .teams)
        guard let team = try await Team.find(id, on: database.db) else { throw GuanxiError.notFound("Team") }
        let members = try await RoleAssignments(database: database).memberIDs(of: id)
        try await database.db.transaction { tx in
            try await team.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .teams, id: id.uuidString, label: team.name,
                                    snapshot: ["name": team.name, "description": team.details, "members": UserService.rolesText(members)])
        }
    }

    private func checkMembers(_ ids: [UUID]) async throws {
        let unique = Array(Set(ids))
        if !unique.isEmpty, try await User.query(on: database.db).filter(\.$id ~~ unique).count() != unique.count {
            throw GuanxiError.invalid("memberIds", "memberIds names a user that does not exist.").localized("msg.unknown_reference", ["field": "memberIds"])
        }
    }
}
