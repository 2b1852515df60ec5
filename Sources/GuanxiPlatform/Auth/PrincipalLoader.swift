import FluentKit
import Foundation
import SQLKit

/// Builds the `Principal` for a user: their profile and the merged grants of their roles.
public struct PrincipalLoader: Sendable {
    package init(database: DatabaseService) { self.database = database }
    package let database: DatabaseService

    /// The principal of an active user, or nil. Runs on every authenticated request, so
    /// the profile and every role's grants come back in one query (one row per role).
    public func load(userID: UUID, channel: Principal.Channel, address: String) async throws -> Principal? {
        let rows = try await database.sql.select()
            .columns(SQLColumn("username", table: "users"), SQLColumn("display_name", table: "users"), SQLColumn("is_admin", table: "users"),
                     SQLColumn("is_active", table: "users"), SQLColumn("department_id", table: "users"), SQLColumn("locale", table: "users"),
                     SQLColumn("time_zone", table: "users"), SQLColumn("must_change_password", table: "users"), SQLColumn("grants", table: "roles"))
            .from("users")
            .join("user_roles", method: SQLJoinMethod.left, on: SQLColumn("user_id", table: "user_roles"), .equal, SQLColumn("id", table: "users"))
            .join("roles", method: SQLJoinMethod.left, on: SQLColumn("id", table: "roles"), .equal, SQLColumn("role_id", table: "user_roles"))
            .where(SQLColumn("id", table: "users"), .equal, SQLBind(userID))
            .all()
        guard let first = rows.first, try first.decode(column: "is_active", as: Bool.self) else { return nil }
        let grants = try rows.compactMap { try $0.decode(column: "grants", as: String?.self) }.map(Role.grants(fromJSON:))
        return Principal(
            userID: userID, username: try first.decode(column: "username", as: String.self),
            displayName: try first.decode(column: "display_name", as: String.self), isAdmin: try first.decode(column: "is_admin", as: Bool.self),
            departmentID: try first.decode(column: "department_id", as: UUID?.self), locale: try first.decode(column: "locale", as: String.self),
            timeZone: try first.decode(column: "time_zone", as: String.self),
            mustChangePassword: try first.decode(column: "must_change_password", as: Bool.self), permissions: Principal.merge(grants),
            channel: channel, address: address
        )
    }

    /// The principal of a user just signed in (or about to act); a disabled account is refused.
    public func principal(for user: User, channel: Principal.Channel, address: String) async throws -> Principal {
        guard let principal = try await load(userID: user.id!, channel: channel, address: address) else {
            throw GuanxiError(.forbidden, "This account is disabled. Ask an administrator to enable it.", code: "account_disabled")
        }
        return principal
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

