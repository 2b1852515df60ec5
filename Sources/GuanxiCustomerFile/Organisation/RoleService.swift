import FluentKit
import Foundation
import GuanxiPlatform

/// Roles: named sets of grants (actions and a data scope per kind of record).
public struct RoleService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let clock: any Clock
    /// The kinds a role can grant on.
    package let records: RecordKinds

    public func list(for actor: Principal) async throws -> [Role] {
        try permissions.require(actor, .read, on: .roles)
        return try await Role.query(on: database.db).sort(\.$name).all()
    }

    public func get(_ id: UUID, for actor: Principal) async throws -> Role {
        try permissions.require(actor, .read, on: .roles)
        guard let role = try await Role.find(id, on: database.db) else { throw GuanxiError.notFound("Role") }
        return role
    }

    public func create(name: String?, description: String?, grants: [String: Grant], by actor: Principal) async throws -> Role {
        try permissions.require(actor, .create, on: .roles)
        let role = Role()
        role.id = UUID()
        role.name = try Validate.requiredText(name, field: "name", max: 100)
        role.details = try Validate.text(description, field: "description", required: false, max: 1000) ?? ""
        role.grants = try validated(grants)
        try await checkUniqueName(role)
        role.createdAt = clock.now()
        role.updatedAt = role.createdAt
        try await database.db.transaction { tx in
            try await role.create(on: tx)
            try await audit.created(on: tx, actor: actor, kind: .roles, id: role.id!.uuidString, label: role.name, snapshot: role.auditSnapshot)
        }
        return role
    }

    public func update(_ id: UUID, name: String?, description: String?, grants: [String: Grant]?, by actor: Principal) async throws -> Role {
        try permissions.require(actor, .update, on: .roles)
        guard let role = try await Role.find(id, on: database.db) else { throw GuanxiError.notFound("Role") }
        let before = role.auditSnapshot
        if let name { role.name = try Validate.requiredText(name, field: "name", max: 100) }
        if let description { role.details = try Validate.text(description, field: "description", required: false, max: 1000) ?? "" }
        if let grants { role.grants = try validated(grants) }
        try await checkUniqueName(role)
        role.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await role.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .roles, id: id.uuidString, label: role.name, old: before, new: role.auditSnapshot)
        }
        return role
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        try permissions.require(actor, .delete, on: .roles)
        guard let role = try await Role.find(id, on: database.db) else { throw GuanxiError.notFound("Role") }
        try await database.db.transaction { tx in
            try await role.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .roles, id: id.uuidString, label: role.name, snapshot: role.auditSnapshot)
        }
    }

    /// Only known record kinds; a grant with no actions is dropped.
    package func validated(_ grants: [String: Grant]) throws -> [RecordKind: Grant] {
        var out: [RecordKind: Grant] = [:]
        for (key, grant) in grants {
            let kind = RecordKind(rawValue: key)
            let known = records.kinds(where: \.grantable)
            guard known.contains(kind) else {
                throw GuanxiError.invalid("grants.\(key)", "grants names an unknown kind of record \"\(key)\"; known kinds: \(known.map(\.rawValue).joined(separator: ", ")).")
            }
            if !grant.actions.isEmpty { out[kind] = Grant(actions: Array(Set(grant.actions)), scope: grant.scope) }
        }
        return out
    }

    private func checkUniqueName(_ role: Role) async throws {
        if let clash = try await Role.query(on: database.db).filter(\.$name == role.name).first(), clash.id != role.id {
            throw GuanxiError(.conflict, "A role named \"\(role.name)\" already exists.", field: "name").localized("msg.name_taken", ["name": role.name])
        }
    }
}
