import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// The user ↔ role and team ↔ member links.
package struct RoleAssignments: Sendable {
    package let database: DatabaseService

    package func roleIDs(of userID: UUID, on db: (any Database)? = nil) async throws -> [UUID] {
        try await LinkTable.userRoles.members(of: userID, on: db ?? database.db)
    }

    package func replaceRoles(of userID: UUID, with roleIDs: [UUID], on db: any Database) async throws {
        try await LinkTable.userRoles.replace(of: userID, with: roleIDs, on: db)
    }

    package func memberIDs(of teamID: UUID, on db: (any Database)? = nil) async throws -> [UUID] {
        try await LinkTable.teamMembers.members(of: teamID, on: db ?? database.db)
    }

    package func replaceMembers(of teamID: UUID, with userIDs: [UUID], on db: any Database) async throws {
        try await LinkTable.teamMembers.replace(of: teamID, with: userIDs, on: db)
    }
}
