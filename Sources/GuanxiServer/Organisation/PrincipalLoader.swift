import FluentKit
import Foundation

/// Builds the `Principal` for a user: their profile and the merged grants of their roles.
public struct PrincipalLoader: Sendable {
    let database: DatabaseService

    public func load(userID: UUID, channel: Principal.Channel, address: String) async throws -> Principal? {
        guard let user = try await User.find(userID, on: database.db), user.isActive else { return nil }
        return try await principal(for: user, channel: channel, address: address)
    }

    public func principal(for user: User, channel: Principal.Channel, address: String) async throws -> Principal {
        let roleIDs = try await RoleAssignments(database: database).roleIDs(of: user.id!)
        let roles = roleIDs.isEmpty ? [] : try await Role.query(on: database.db).filter(\.$id ~~ roleIDs).all()
        return Principal(
            userID: user.id!, username: user.username, displayName: user.displayName, isAdmin: user.isAdmin,
            departmentID: user.departmentID, locale: user.locale, timeZone: user.timeZone,
            mustChangePassword: user.mustChangePassword, permissions: Principal.merge(roles.map(\.grants)),
            channel: channel, address: address
        )
    }

    /// The machine's own administrator, for commands run on the server's shell.
    public static func console() -> Principal {
        Principal(
            userID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), username: "console", displayName: "console",
            isAdmin: true, departmentID: nil, locale: "en", timeZone: "UTC", mustChangePassword: false,
            permissions: [:], channel: .console, address: "localhost"
        )
    }
}

