import Foundation

/// The signed-in user a request acts for, with the permissions of all their roles
/// merged: for each kind and action, the widest scope any role grants.
public struct Principal: Sendable {
    public enum Channel: Sendable, Equatable {
        case session
        case apiToken(UUID)
        /// The command line, acting as an administrator on the machine itself.
        case console
    }

    public let userID: UUID
    public let username: String
    public let displayName: String
    public let isAdmin: Bool
    public let departmentID: UUID?
    public let locale: String
    public let timeZone: String
    public let mustChangePassword: Bool
    public let permissions: [RecordKind: [PermissionAction: DataScope]]
    public let channel: Channel
    /// The network address the request came from, for the audit log.
    public var address: String

    public init(
        userID: UUID, username: String, displayName: String, isAdmin: Bool, departmentID: UUID?,
        locale: String, timeZone: String, mustChangePassword: Bool,
        permissions: [RecordKind: [PermissionAction: DataScope]], channel: Channel, address: String
    ) {
        self.userID = userID
        self.username = username
        self.displayName = displayName
        self.isAdmin = isAdmin
        self.departmentID = departmentID
        self.locale = locale
        self.timeZone = timeZone
        self.mustChangePassword = mustChangePassword
        self.permissions = permissions
        self.channel = channel
        self.address = address
    }

    /// Someone who has not proved who they are yet (a failed sign-in), with no rights;
    /// used to attribute the attempt in the audit log.
    public static func signingIn(userID: UUID, username: String, address: String) -> Principal {
        Principal(userID: userID, username: username, displayName: username, isAdmin: false, departmentID: nil, locale: "en",
                  timeZone: "UTC", mustChangePassword: false, permissions: [:], channel: .session, address: address)
    }

    /// The widest scope this principal holds for an action, or nil when it has none.
    public func scope(for action: PermissionAction, on kind: RecordKind) -> DataScope? {
        if isAdmin { return .all }
        return permissions[kind]?[action]
    }

    public static func merge(_ grantSets: [[RecordKind: Grant]]) -> [RecordKind: [PermissionAction: DataScope]] {
        var merged: [RecordKind: [PermissionAction: DataScope]] = [:]
        for grants in grantSets {
            for (kind, grant) in grants {
                for action in grant.actions {
                    let current = merged[kind]?[action]
                    if current == nil || current! < grant.scope { merged[kind, default: [:]][action] = grant.scope }
                }
            }
        }
        return merged
    }
}
