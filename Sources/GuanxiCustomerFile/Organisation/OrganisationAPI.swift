import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Users, departments, teams and roles over the REST API.
extension CustomerFileAPI {
    package func listUsers(_ input: Operations.listUsers.Input) async throws -> Operations.listUsers.Output {
        let principal = try RequestPrincipal.require()
        let search = try Validate.text(input.query.q, field: "q", required: false, max: 100)
        let page = try await services.users.list(for: principal, after: input.query.cursor, limit: try Self.limit(input.query.limit), search: search)
        let roles = try await LinkTable.userRoles.members(ofAll: page.users.map { $0.id! }, on: services.database.db)
        let items = page.users.map { Self.apiUser($0, roles: roles[$0.id!] ?? []) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.next))))
    }

    package func createUser(_ input: Operations.createUser.Input) async throws -> Operations.createUser.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        var new = UserService.NewUser()
        new.username = body.username
        new.displayName = body.displayName
        new.email = body.email
        new.password = body.password
        new.isAdmin = body.isAdmin ?? false
        new.departmentID = try body.departmentId.map { try Self.id($0, field: "departmentId") }
        new.managerID = try body.managerId.map { try Self.id($0, field: "managerId") }
        new.roleIDs = try Self.ids(body.roleIds, field: "roleIds") ?? []
        new.locale = body.locale?.rawValue
        new.timeZone = body.timeZone
        let user = try await services.users.create(new, by: principal)
        return .created(.init(body: .json(try await apiUser(user))))
    }

    package func getUser(_ input: Operations.getUser.Input) async throws -> Operations.getUser.Output {
        let principal = try RequestPrincipal.require()
        let user = try await services.users.find(try Self.id(input.path.userId, field: "userId"), for: principal)
        return .ok(.init(body: .json(try await apiUser(user))))
    }

    package func updateUser(_ input: Operations.updateUser.Input) async throws -> Operations.updateUser.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.userId, field: "userId")
        var changes = UserService.UserChanges()
        changes.displayName = body.displayName
        if body.email == "" { changes.clearEmail = true } else { changes.email = body.email }
        changes.isActive = body.isActive
        changes.isAdmin = body.isAdmin
        changes.departmentID = try Self.clearable(body.departmentId, field: "departmentId")
        changes.managerID = try Self.clearable(body.managerId, field: "managerId")
        changes.roleIDs = try Self.ids(body.roleIds, field: "roleIds")
        changes.locale = body.locale?.rawValue
        changes.timeZone = body.timeZone
        if let password = body.password { try await services.users.resetPassword(id, to: password, by: principal) }
        let user = try await services.users.update(id, changes, by: principal)
        return .ok(.init(body: .json(try await apiUser(user))))
    }

    package func listDepartments(_ input: Operations.listDepartments.Input) async throws -> Operations.listDepartments.Output {
        let principal = try RequestPrincipal.require()
        let items = try await services.departments.list(for: principal).map(Self.apiDepartment)
        return .ok(.init(body: .json(.init(items: items))))
    }

    package func createDepartment(_ input: Operations.createDepartment.Input) async throws -> Operations.createDepartment.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let parent = try body.parentId.map { try Self.id($0, field: "parentId") }
        let department = try await services.departments.create(name: body.name, parentID: parent, by: principal)
        return .created(.init(body: .json(Self.apiDepartment(department))))
    }

    package func updateDepartment(_ input: Operations.updateDepartment.Input) async throws -> Operations.updateDepartment.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let department = try await services.departments.update(
            try Self.id(input.path.departmentId, field: "departmentId"), name: body.name,
            parentID: try Self.clearable(body.parentId, field: "parentId"), by: principal)
        return .ok(.init(body: .json(Self.apiDepartment(department))))
    }

    package func deleteDepartment(_ input: Operations.deleteDepartment.Input) async throws -> Operations.deleteDepartment.Output {
        let principal = try RequestPrincipal.require()
        try await services.departments.delete(try Self.id(input.path.departmentId, field: "departmentId"), by: principal)
        return .noContent(.init())
    }

    package func listTeams(_ input: Operations.listTeams.Input) async throws -> Operations.listTeams.Output {
        let principal = try RequestPrincipal.require()
        let items = try await services.teams.list(for: principal).map { Self.apiTeam($0.team, members: $0.members) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    package func createTeam(_ input: Operations.createTeam.Input) async throws -> Operations.createTeam.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let members = try Self.ids(body.memberIds, field: "memberIds") ?? []
        let team = try await services.teams.create(name: body.name, description: body.description, memberIDs: members, by: principal)
        return .created(.init(body: .json(Self.apiTeam(team, members: members))))
    }

    package func updateTeam(_ input: Operations.updateTeam.Input) async throws -> Operations.updateTeam.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.teamId, field: "teamId")
        let team = try await services.teams.update(id, name: body.name, description: body.description,
                                                   memberIDs: try Self.ids(body.memberIds, field: "memberIds"), by: principal)
        let members = try await RoleAssignments(database: services.database).memberIDs(of: id)
        return .ok(.init(body: .json(Self.apiTeam(team, members: members))))
    }

    package func deleteTeam(_ input: Operations.deleteTeam.Input) async throws -> Operations.deleteTeam.Output {
        let principal = try RequestPrincipal.require()
        try await services.teams.delete(try Self.id(input.path.teamId, field: "teamId"), by: principal)
        return .noContent(.init())
    }

    package func listRoles(_ input: Operations.listRoles.Input) async throws -> Operations.listRoles.Output {
        let principal = try RequestPrincipal.require()
        return .ok(.init(body: .json(.init(items: try await services.roles.list(for: principal).map(Self.apiRole)))))
    }

    package func createRole(_ input: Operations.createRole.Input) async throws -> Operations.createRole.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let role = try await services.roles.create(name: body.name, description: body.description,
                                                   grants: Self.grants(body.grants.additionalProperties), by: principal)
        return .created(.init(body: .json(Self.apiRole(role))))
    }

    package func updateRole(_ input: Operations.updateRole.Input) async throws -> Operations.updateRole.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let role = try await services.roles.update(try Self.id(input.path.roleId, field: "roleId"), name: body.name, description: body.description,
                                                   grants: body.grants.map { Self.grants($0.additionalProperties) }, by: principal)
        return .ok(.init(body: .json(Self.apiRole(role))))
    }

    package func deleteRole(_ input: Operations.deleteRole.Input) async throws -> Operations.deleteRole.Output {
        let principal = try RequestPrincipal.require()
        try await services.roles.delete(try Self.id(input.path.roleId, field: "roleId"), by: principal)
        return .noContent(.init())
    }

    package func apiUser(_ user: User) async throws -> Components.Schemas.User {
        Self.apiUser(user, roles: try await RoleAssignments(database: services.database).roleIDs(of: user.id!))
    }

    package static func apiUser(_ user: User, roles: [UUID]) -> Components.Schemas.User {
        .init(
            id: user.id!.uuidString, username: user.username, displayName: user.displayName, email: user.email,
            isActive: user.isActive, isAdmin: user.isAdmin, departmentId: user.departmentID?.uuidString, managerId: user.managerID?.uuidString,
            roleIds: roles.map(\.uuidString).sorted(), locale: .init(rawValue: user.locale) ?? .zh_hyphen_Hans, timeZone: user.timeZone,
            totpEnabled: user.totpEnabled, mustChangePassword: user.mustChangePassword, createdAt: user.createdAt, updatedAt: user.updatedAt)
    }

    package static func apiDepartment(_ d: Department) -> Components.Schemas.Department {
        .init(id: d.id!.uuidString, name: d.name, parentId: d.parentID?.uuidString, createdAt: d.createdAt, updatedAt: d.updatedAt)
    }

    package static func apiTeam(_ t: Team, members: [UUID]) -> Components.Schemas.Team {
        .init(id: t.id!.uuidString, name: t.name, description: t.details, memberIds: members.map(\.uuidString).sorted())
    }

    package static func apiRole(_ r: Role) -> Components.Schemas.Role {
        let grants = Dictionary(uniqueKeysWithValues: r.grants.map { kind, grant in
            (kind.rawValue, Components.Schemas.Grant(actions: grant.actions.compactMap { .init(rawValue: $0.rawValue) }, scope: .init(rawValue: grant.scope.rawValue)!))
        })
        return .init(id: r.id!.uuidString, name: r.name, description: r.details, grants: .init(additionalProperties: grants))
    }

    package static func grants(_ api: [String: Components.Schemas.Grant]) -> [String: Grant] {
        api.mapValues { Grant(actions: $0.actions.compactMap { PermissionAction(rawValue: $0.rawValue) }, scope: DataScope(rawValue: $0.scope.rawValue)!) }
    }
}
