import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// How new leads find an owner when nobody names one: territory rules, tried in order,
/// send a lead to a user or to a team (round-robin among its active members); a lead
/// no rule takes goes to the fallback team, or else to the shared pool.
public struct LeadRoutingRules: Codable, Sendable, Equatable {
    /// One territory: every criterion it names must equal the lead's; a rule naming no
    /// criterion takes every lead.
    public struct Territory: Codable, Sendable, Equatable {
        public var province: String?
        public var city: String?
        public var industry: String?
        /// Exactly one of the two is set.
        public var userID: UUID?
        public var teamID: UUID?
        public init(province: String? = nil, city: String? = nil, industry: String? = nil, userID: UUID? = nil, teamID: UUID? = nil) {
            (self.province, self.city, self.industry, self.userID, self.teamID) = (province, city, industry, userID, teamID)
        }

        package func matches(_ lead: Lead) -> Bool {
            [(province, lead.province), (city, lead.city), (industry, lead.industry)].allSatisfy { rule, value in rule == nil || rule == value }
        }
    }

    public var territories: [Territory]
    public var fallbackTeamID: UUID?

    public static let none = LeadRoutingRules(territories: [], fallbackTeamID: nil)

    public init(territories: [Territory], fallbackTeamID: UUID? = nil) {
        self.territories = territories
        self.fallbackTeamID = fallbackTeamID
    }
}

/// Reads and checks the routing rules, and picks a lead's owner by them.
public struct LeadRouter: Sendable {
    package static let settingsKey = "leads.routing"
    package let database: DatabaseService
    package let settings: SettingsStore

    public func rules() async throws -> LeadRoutingRules {
        try await settings.value(Self.settingsKey, as: LeadRoutingRules.self) ?? .none
    }

    public func setRules(_ rules: LeadRoutingRules, by actor: Principal) async throws {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        guard rules.territories.count <= 200 else {
            throw GuanxiError.invalid("territories", "territories can hold at most 200 rules.").localized("msg.too_many", ["field": "territories", "max": "200"])
        }
        var clean: [LeadRoutingRules.Territory] = []
        for (index, rule) in rules.territories.enumerated() {
            let at = "territories[\(index)]"
            var territory = LeadRoutingRules.Territory(
                province: try Validate.text(rule.province, field: "\(at).province", required: false, max: 50),
                city: try Validate.text(rule.city, field: "\(at).city", required: false, max: 50),
                industry: try Validate.text(rule.industry, field: "\(at).industry", required: false, max: 100))
            switch (rule.userID, rule.teamID) {
            case (let user?, nil):
                guard try await User.find(user, on: database.db)?.isActive == true else { throw unknown("\(at).userId") }
                territory.userID = user
            case (nil, let team?):
                guard try await Team.find(team, on: database.db) != nil else { throw unknown("\(at).teamId") }
                territory.teamID = team
            default:
                throw GuanxiError.invalid(at, "\(at) must send its leads to one user or one team.").localized("msg.route_target", ["field": at])
            }
            clean.append(territory)
        }
        if let team = rules.fallbackTeamID, try await Team.find(team, on: database.db) == nil { throw unknown("fallbackTeamId") }
        try await settings.set(Self.settingsKey, to: LeadRoutingRules(territories: clean, fallbackTeamID: rules.fallbackTeamID), by: actor)
    }

    private func unknown(_ field: String) -> GuanxiError {
        GuanxiError.invalid(field, "\(field) names no active user or team.").localized("msg.unknown_reference", ["field": field])
    }

    /// Where the rules send `lead`: a user, a team, or nowhere (the pool).
    package enum Target: Equatable { case user(UUID), team(UUID), pool }

    package func target(for lead: Lead) async throws -> Target {
        let rules = try await rules()
        if let rule = rules.territories.first(where: { $0.matches(lead) }) {
            if let user = rule.userID, try await User.find(user, on: database.db)?.isActive == true { return .user(user) }
            if let team = rule.teamID { return .team(team) }
        }
        return rules.fallbackTeamID.map(Target.team) ?? .pool
    }

    /// The owner a target names, taking the team's next turn inside the caller's
    /// transaction, so the rotation moves only when the lead is really saved.
    package func owner(for target: Target, on db: any Database) async throws -> UUID? {
        switch target {
        case .pool: return nil
        case .user(let user): return user
        case .team(let team):
            let sql = db as! any SQLDatabase
            let members = try await sql.select().column(SQLColumn("id", table: "u")).from(SQLAlias(SQLIdentifier("team_members"), as: SQLIdentifier("m")))
                .join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), on: SQLColumn("id", table: "u"), .equal, SQLColumn("user_id", table: "m"))
                .where(SQLColumn("team_id", table: "m"), .equal, SQLBind(team)).where(SQLColumn("is_active", table: "u"), .equal, SQLBind(true))
                .orderBy(SQLColumn("username", table: "u")).all(decodingColumn: "id", as: UUID.self)
            guard !members.isEmpty else { return nil }
            let last = try await sql.select().column("last_user_id").from("lead_rotation").where("team_id", .equal, team)
                .first(decodingColumn: "last_user_id", as: UUID.self)
            let next = last.flatMap { members.firstIndex(of: $0) }.map { members[($0 + 1) % members.count] } ?? members[0]
            try await sql.delete(from: "lead_rotation").where("team_id", .equal, team).run()
            try await sql.insert(into: "lead_rotation").columns("team_id", "last_user_id").values(SQLBind(team), SQLBind(next)).run()
            return next
        }
    }
}
