import Foundation
import GuanxiPlatform

/// Whose activities a calendar shows: one's own, or also those of everyone in one's teams.
package struct CalendarPeople {
    package let services: CustomerFileServices

    package enum Who: String, CaseIterable { case me, team }

    package func people(_ who: Who, of principal: Principal) async throws -> [UUID] {
        guard who == .team else { return [principal.userID] }
        let teams = try await LinkTable.teamMembers.members(ofAll: try await teamIDs(of: principal.userID), on: services.database.db)
        return Array(Set([principal.userID] + teams.values.flatMap { $0 }))
    }

    private func teamIDs(of userID: UUID) async throws -> [UUID] {
        try await services.database.sql.select().column("team_id").from("team_members").where("user_id", .equal, userID)
            .all(decodingColumn: "team_id", as: UUID.self)
    }
}
