import Foundation
import GuanxiPlatform

/// Whose activities a calendar shows: one's own, those of everyone in one's teams, or
/// those of one's department and the departments under it (a manager's view of the
/// people they lead when teams are not kept).
package struct CalendarPeople {
    package let services: CustomerFileServices

    package enum Who: String, CaseIterable { case me, team, department }

    package func people(_ who: Who, of principal: Principal) async throws -> [UUID] {
        switch who {
        case .me:
            return [principal.userID]
        case .team:
            let teams = try await LinkTable.teamMembers.members(ofAll: try await teamIDs(of: principal.userID), on: services.database.db)
            return Array(Set([principal.userID] + teams.values.flatMap { $0 }))
        case .department:
            guard let department = principal.departmentID else { return [principal.userID] }
            let ids = try await services.database.sql.raw("""
                WITH RECURSIVE tree(id) AS (
                    SELECT id FROM departments WHERE id = \(bind: department)
                    UNION SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id
                ) SELECT u.id AS id FROM users u JOIN tree t ON u.department_id = t.id WHERE u.is_active = \(bind: true)
                """).all(decodingColumn: "id", as: UUID.self)
            return Array(Set([principal.userID] + ids))
        }
    }

    private func teamIDs(of userID: UUID) async throws -> [UUID] {
        try await services.database.sql.select().column("team_id").from("team_members").where("user_id", .equal, userID)
            .all(decodingColumn: "team_id", as: UUID.self)
    }
}
