import FluentKit
import Foundation
import SQLKit

/// The user ↔ role and team ↔ member links, kept as plain join tables.
struct RoleAssignments: Sendable {
    let database: DatabaseService

    func roleIDs(of userID: UUID, on db: (any Database)? = nil) async throws -> [UUID] {
        try await ((db ?? database.db) as! any SQLDatabase).select().column("role_id").from("user_roles")
            .where("user_id", .equal, userID).all(decodingColumn: "role_id", as: UUID.self)
    }

    func replaceRoles(of userID: UUID, with roleIDs: [UUID], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: "user_roles").where("user_id", .equal, userID).run()
        for roleID in Set(roleIDs) {
            try await sql.insert(into: "user_roles").columns("user_id", "role_id").values(SQLBind(userID), SQLBind(roleID)).run()
        }
    }

    func memberIDs(of teamID: UUID, on db: (any Database)? = nil) async throws -> [UUID] {
        try await ((db ?? database.db) as! any SQLDatabase).select().column("user_id").from("team_members")
            .where("team_id", .equal, teamID).all(decodingColumn: "user_id", as: UUID.self)
    }

    func replaceMembers(of teamID: UUID, with userIDs: [UUID], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: "team_members").where("team_id", .equal, teamID).run()
        for userID in Set(userIDs) {
            try await sql.insert(into: "team_members").columns("team_id", "user_id").values(SQLBind(teamID), SQLBind(userID)).run()
        }
    }
}
