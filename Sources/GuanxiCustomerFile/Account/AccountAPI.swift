import FluentKit
import Foundation
import GuanxiAPI
import GuanxiPlatform

/// `/me` and the caller's personal API tokens.
extension CustomerFileAPI {
    package func getMe(_ input: Operations.getMe.Input) async throws -> Operations.getMe.Output {
        let principal = try RequestPrincipal.require()
        // Everyone may read their own account, whatever their roles grant on users.
        guard let user = try await User.find(principal.userID, on: services.database.db) else { throw GuanxiError.notFound("User") }
        var permissions: [String: Components.Schemas.Me.permissionsPayload.additionalPropertiesPayload] = [:]
        let kinds = principal.isAdmin ? services.records.kinds(where: \.grantable) : Array(principal.permissions.keys)
        for kind in kinds {
            var actions: [String: Components.Schemas.Scope] = [:]
            for action in PermissionAction.allCases {
                if let scope = principal.scope(for: action, on: kind) { actions[action.rawValue] = Components.Schemas.Scope(rawValue: scope.rawValue) }
            }
            permissions[kind.rawValue] = .init(additionalProperties: actions)
        }
        return .ok(.init(body: .json(.init(user: try await apiUser(user), permissions: .init(additionalProperties: permissions)))))
    }

    package func listTokens(_ input: Operations.listTokens.Input) async throws -> Operations.listTokens.Output {
        let principal = try RequestPrincipal.require()
        let tokens = try await services.tokens.list(userID: principal.userID)
        return .ok(.init(body: .json(.init(items: tokens.map(Self.apiToken)))))
    }

    package func createToken(_ input: Operations.createToken.Input) async throws -> Operations.createToken.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let issued = try await services.tokens.issue(for: principal.userID, name: body.name, expiresInDays: body.expiresInDays, by: principal)
        return .created(.init(body: .json(.init(token: issued.token, details: Self.apiToken(issued.info)))))
    }

    package func revokeToken(_ input: Operations.revokeToken.Input) async throws -> Operations.revokeToken.Output {
        let principal = try RequestPrincipal.require()
        try await services.tokens.revoke(try Self.id(input.path.tokenId, field: "tokenId"), by: principal)
        return .noContent(.init())
    }

    package static func apiToken(_ info: APITokenInfo) -> Components.Schemas.ApiToken {
        .init(id: info.id.uuidString, name: info.name, prefix: info.prefix, expiresAt: info.expiresAt,
              lastUsedAt: info.lastUsedAt, revokedAt: info.revokedAt, createdAt: info.createdAt)
    }
}
