import FluentKit
import SQLKit
import Foundation
import GuanxiPlatform

/// Everything that creates or changes users: validation, the permission check and the
/// audit entry, in one transaction. The API, the web pages and the CLI all call this.
public struct UserService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let passwords: Passwords
    package let clock: any Clock
    package let defaults: (locale: String, timeZone: String)
    /// Each user's first picks (`firstPickable`), as read in the last moments.
    package let firstPicks: ShortLivedCache<FirstPicks, [Colleague]>

    public struct NewUser: Sendable {
        public var username: String?
        public var displayName: String?
        public var email: String?
        public var password: String?
        public var isAdmin = false
        public var departmentID: UUID?
        public var managerID: UUID?
        public var roleIDs: [UUID] = []
        public var locale: String?
        public var timeZone: String?
        /// Whether the first sign-in must choose a new password: yes when someone else set
        /// this one; no when its owner chose it (the operator's `GUANXI_ADMIN_PASSWORD`).
        public var passwordIsTemporary = true
        public init() {}
    }

    /// Fields to change; nil leaves a field as it is. `clear…` empties an optional field.
    public struct UserChanges: Sendable {
        public var displayName: String?
        public var email: String?
        public var clearEmail = false
        public var isActive: Bool?
        public var isAdmin: Bool?
        public var departmentID: UUID??
        public var managerID: UUID??
        public var roleIDs: [UUID]?
        public var locale: String?
        public var timeZone: String?
        public init() {}
    }

    public func create(_ input: NewUser, by actor: Principal) async throws -> User {
        try permissions.require(actor, .create, on: .users)
        let username = try Validate.username(input.username)
        let displayName = try Validate.text(input.displayName, field: "displayName", required: false, max: 100) ?? username
        let email = try Validate.email(input.email)
        let password = input.password ?? ""
        try passwords.checkPolicy(password, username: username)
        if input.isAdmin && !actor.isAdmin { throw GuanxiError(.forbidden, "Only an administrator can create another administrator.").localized("msg.admin_only", [:]) }
        if try await User.query(on: database.db).filter(\.$username == username).first() != nil {
            throw GuanxiError(.conflict, "The user name \"\(username)\" is already taken.", field: "username").localized("msg.name_taken", ["name": username])
        }
        try await checkReferences(departmentID: input.departmentID, managerID: input.managerID, roleIDs: input.roleIDs, userID: nil)
        let user = User()
        user.id = UUID()
        user.username = username
        user.displayName = displayName
        user.email = email
        user.passwordHash = try await passwords.hash(password)
        user.mustChangePassword = input.passwordIsTemporary
        user.isActive = true
        user.isAdmin = input.isAdmin
        user.departmentID = input.departmentID
        user.managerID = input.managerID
        user.locale = try Validate.locale(input.locale) ?? defaults.locale
        user.timeZone = try Validate.timeZone(input.timeZone) ?? defaults.timeZone
        user.totpEnabled = false
        user.failedLogins = 0
        user.createdAt = clock.now()
        user.updatedAt = user.createdAt
        try await database.db.transaction { tx in
            try await user.create(on: tx)
            try await RoleAssignments(database: database).replaceRoles(of: user.id!, with: input.roleIDs, on: tx)
            var snapshot = user.auditSnapshot
            snapshot["roles"] = Self.rolesText(input.roleIDs)
            try await audit.created(on: tx, actor: actor, kind: .users, id: user.id!.uuidString, label: user.username, snapshot: snapshot)
        }
        return user
    }

    public func update(_ id: UUID, _ changes: UserChanges, by actor: Principal) async throws -> User {
        let user = try await find(id, for: actor, action: .update)
        let before = try await snapshotWithRoles(user)
        if let v = changes.displayName { user.displayName = try Validate.requiredText(v, field: "displayName", max: 100) }
        if changes.clearEmail { user.email = nil } else if let v = changes.email { user.email = try Validate.email(v) }
        if let v = changes.locale { user.locale = try Validate.locale(v) ?? user.locale }
        if let v = changes.timeZone { user.timeZone = try Validate.timeZone(v) ?? user.timeZone }
        if let v = changes.isAdmin, v != user.isAdmin {
            guard actor.isAdmin else { throw GuanxiError(.forbidden, "Only an administrator can grant or remove administrator rights.").localized("msg.admin_only", [:]) }
            user.isAdmin = v
        }
        if let v = changes.isActive, v != user.isActive {
            if !v && id == actor.userID { throw GuanxiError.invalid("isActive", "You cannot disable your own account.").localized("msg.disable_self", [:]) }
            user.isActive = v
        }
        if let v = changes.departmentID { user.departmentID = v }
        if let v = changes.managerID { user.managerID = v }
        if changes.roleIDs != nil && !actor.isAdmin && actor.scope(for: .update, on: .roles) == nil {
            throw GuanxiError(.forbidden, "Changing a user's roles needs permission to update roles.").localized("msg.roles_permission", [:])
        }
        try await checkReferences(departmentID: user.departmentID, managerID: user.managerID, roleIDs: changes.roleIDs ?? [], userID: id)
        user.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await user.update(on: tx)
            if let roleIDs = changes.roleIDs { try await RoleAssignments(database: database).replaceRoles(of: id, with: roleIDs, on: tx) }
            if user.isActive == false { try await SessionStore.deleteAll(of: id, on: tx) }
            var after = user.auditSnapshot
            let roleIDs = try await RoleAssignments(database: database).roleIDs(of: id, on: tx)
            after["roles"] = Self.rolesText(roleIDs)
            try await audit.updated(on: tx, actor: actor, kind: .users, id: id.uuidString, label: user.username, old: before, new: after)
        }
        return user
    }

    /// Every user may change their own display name, language and time zone,
    /// whatever their roles grant on users; a nil value keeps what the profile has.
    public func updateOwnProfile(_ actor: Principal, displayName: String?, locale: String?, timeZone: String?) async throws {
        guard let user = try await User.find(actor.userID, on: database.db) else { throw GuanxiError.notFound("User") }
        let before = user.auditSnapshot
        if let displayName { user.displayName = try Validate.requiredText(displayName, field: "displayName", max: 100) }
        user.locale = try Validate.locale(locale) ?? user.locale
        user.timeZone = try Validate.timeZone(timeZone) ?? user.timeZone
        try await user.saveAudited(before: before, by: actor, database: database, audit: audit, at: clock.now())
    }

    /// An administrator (or anyone allowed to update the user) sets a new password;
    /// the user must change it at next sign-in and their sessions end.
    public func resetPassword(_ id: UUID, to password: String, by actor: Principal) async throws {
        let user = try await find(id, for: actor, action: .update)
        try passwords.checkPolicy(password, username: user.username)
        user.passwordHash = try await passwords.hash(password)
        user.mustChangePassword = id != actor.userID || actor.channel == .console
        user.failedLogins = 0
        user.lockedUntil = nil
        user.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await user.update(on: tx)
            try await SessionStore.deleteAll(of: id, on: tx)
            try await audit.record(on: tx, actor: actor, action: .passwordReset, kind: .users, id: id.uuidString, label: user.username)
        }
    }

    /// A user changes their own password, proving the current one. Their other sessions
    /// end — a password changed because it leaked must shut out whoever used it — and the
    /// one the change was made in (`keepingSession`) stays signed in.
    public func changeOwnPassword(_ actor: Principal, current: String, new: String, keepingSession: String? = nil) async throws {
        guard let user = try await User.find(actor.userID, on: database.db) else { throw GuanxiError.notFound("User") }
        guard try await passwords.verify(current, hash: user.passwordHash) else {
            throw GuanxiError.invalid("currentPassword", "The current password is not correct.").localized("msg.password_wrong", [:])
        }
        try passwords.checkPolicy(new, username: user.username, field: "newPassword")
        if try await passwords.verify(new, hash: user.passwordHash) {
            throw GuanxiError.invalid("newPassword", "The new password must differ from the current one.").localized("msg.password_same", [:])
        }
        user.passwordHash = try await passwords.hash(new)
        user.mustChangePassword = false
        user.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await user.update(on: tx)
            try await SessionStore.deleteAll(of: user.id!, except: keepingSession, on: tx)
            try await audit.record(on: tx, actor: actor, action: .passwordChange, kind: .users, id: user.id!.uuidString, label: user.username)
        }
    }

    /// Reads one user the principal may reach for `action`; 404 when it may not read it.
    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> User {
        guard let user = try await User.find(id, on: database.db) else { throw GuanxiError.notFound("User") }
        try await permissions.requireAccess(actor, action, on: .users, owner: id, notFound: .notFound("User"))
        return user
    }

    /// The people a principal can pick as an owner or a participant: the active users it
    /// may read, and always itself and the members of its teams (its working group),
    /// so a rep without access to user records can still invite a teammate.
    package func pickable(for actor: Principal) async throws -> [User] {
        var ids: Set<UUID> = [actor.userID]
        for row in try await database.sql.raw("""
            SELECT m.user_id AS id FROM team_members m WHERE m.team_id IN (SELECT team_id FROM team_members WHERE user_id = \(bind: actor.userID))
            """).all() { ids.insert(try row.decode(column: "id", as: UUID.self)) }
        var users = try await User.query(on: database.db).filter(\.$id ~~ Array(ids)).all()
        if actor.scope(for: .read, on: .users) != nil { users += try await list(for: actor, limit: 200).users }
        var seen: Set<UUID> = []
        return users.filter { $0.isActive && seen.insert($0.id!).inserted }.sorted { $0.displayName < $1.displayName }
    }

    /// The people `actor` may pick (as `pickable` says) whose display name or sign-in name
    /// holds `term`, by name — the owner pickers' type-ahead, so an organisation of
    /// thousands finds anyone, not only the first 200.
    package func pickable(matching term: String, for actor: Principal, limit: Int) async throws -> [User] {
        var query = database.sql.select().column("id").from("users").where("is_active", .equal, true)
        var teammates: Set<UUID> = [actor.userID]
        for row in try await database.sql.raw("""
            SELECT m.user_id AS id FROM team_members m WHERE m.team_id IN (SELECT team_id FROM team_members WHERE user_id = \(bind: actor.userID))
            """).all() { teammates.insert(try row.decode(column: "id", as: UUID.self)) }
        if actor.scope(for: .read, on: .users) == nil {
            query = query.where("id", .in, Array(teammates))
        } else if case .owners(let ids, _) = try await permissions.ownerFilter(actor, .read, on: .users) {
            query = query.where("id", .in, Array(teammates.union(ids)))
        }
        if !term.isEmpty {
            query = query.where(SQLGroupExpression(SQLBinaryExpression(SQLSearch.contains("display_name", term, engine: database.engine), .or,
                                                                       SQLSearch.contains("username", term.lowercased(), engine: database.engine))))
        }
        let ids = try await query.orderBy("display_name").limit(max(1, min(limit, 50))).all().map { try $0.decode(column: "id", as: UUID.self) }
        let users = Dictionary(uniqueKeysWithValues: try await User.query(on: database.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        return ids.compactMap { users[$0] }
    }

    /// A colleague as a picker lists them.
    package struct Colleague: Sendable, Equatable {
        package let id: UUID
        package let displayName: String
    }

    /// Whose first picks, and how many.
    package struct FirstPicks: Hashable, Sendable {
        let actor: UUID
        let limit: Int
    }

    /// The first `limit` people `actor` may pick, by name (`pickable(matching: "")`): what
    /// every list's bulk form and every activity form offers before anyone types. A change
    /// to users, teams, roles or departments forgets them (`DefinitionCaches`).
    package func firstPickable(for actor: Principal, limit: Int) async throws -> [Colleague] {
        let key = FirstPicks(actor: actor.userID, limit: limit)
        if let picks = firstPicks.value(for: key) { return picks }
        let picks = try await pickable(matching: "", for: actor, limit: limit).map { Colleague(id: $0.id!, displayName: $0.displayName) }
        firstPicks.store(picks, for: key)
        return picks
    }

    /// The display name of the user whose id `text` holds; `text` itself when it holds none.
    package func displayName(_ text: String) async throws -> String {
        guard let id = UUID(uuidString: text) else { return text }
        return try await names(of: [id])[id] ?? text
    }

    /// Display names of users by id, for showing owners on lists (one query for a page).
    package func names(of ids: [UUID]) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        // Two columns, not the whole account through Fluent: every list page and record
        // page names its owners and actors.
        let rows = try await database.sql.select().columns("id", "display_name").from(User.schema).where("id", .in, Array(Set(ids))).all()
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "display_name", as: String.self)) })
    }

    public func find(username: String) async throws -> User? {
        try await User.query(on: database.db).filter(\.$username == username.lowercased()).first()
    }

    /// Users the principal may read, ordered by user name, a page at a time (keyset on the name).
    public func list(for actor: Principal, after: String? = nil, limit: Int = 50, search: String? = nil) async throws -> (users: [User], next: String?) {
        let filter = try await permissions.ownerFilter(actor, .read, on: .users)
        let query = User.query(on: database.db).sort(\.$username)
        if case .owners(let ids, _) = filter { query.filter(\.$id ~~ Array(ids)) }
        if let after { query.filter(\.$username > after) }
        if let search, !search.isEmpty {
            query.group(.or) { $0.filter(\.$username, .custom("LIKE"), "%\(search.lowercased())%").filter(\.$displayName, .custom("LIKE"), "%\(search)%") }
        }
        let limit = max(1, min(limit, 200))
        var users = try await query.limit(limit + 1).all()
        let more = users.count > limit
        if more { users.removeLast() }
        return (users, more ? users.last?.username : nil)
    }

    package func snapshotWithRoles(_ user: User) async throws -> AuditSnapshot {
        var snapshot = user.auditSnapshot
        snapshot["roles"] = Self.rolesText(try await RoleAssignments(database: database).roleIDs(of: user.id!))
        return snapshot
    }

    package static func rolesText(_ ids: [UUID]) -> String {
        Set(ids).map(\.uuidString).sorted().joined(separator: ",")
    }

    private func checkReferences(departmentID: UUID?, managerID: UUID?, roleIDs: [UUID], userID: UUID?) async throws {
        if let departmentID, try await Department.find(departmentID, on: database.db) == nil {
            throw GuanxiError.invalid("departmentId", "departmentId does not name an existing department.").localized("msg.unknown_reference", ["field": "departmentId"])
        }
        if let managerID {
            guard try await User.find(managerID, on: database.db) != nil else {
                throw GuanxiError.invalid("managerId", "managerId does not name an existing user.").localized("msg.unknown_reference", ["field": "managerId"])
            }
            if let userID { try await checkNoReportingCycle(userID: userID, managerID: managerID) }
        }
        let unique = Array(Set(roleIDs))
        if !unique.isEmpty, try await Role.query(on: database.db).filter(\.$id ~~ unique).count() != unique.count {
            throw GuanxiError.invalid("roleIds", "roleIds names a role that does not exist.").localized("msg.unknown_reference", ["field": "roleIds"])
        }
    }

    /// A user cannot report to themselves or to someone who reports to them.
    private func checkNoReportingCycle(userID: UUID, managerID: UUID) async throws {
        var current: UUID? = managerID
        var seen: Set<UUID> = []
        while let id = current, !seen.contains(id) {
            if id == userID { throw GuanxiError.invalid("managerId", "managerId would make the user report to themselves.").localized("msg.reporting_cycle", [:]) }
            seen.insert(id)
            current = try await User.find(id, on: database.db)?.managerID
        }
    }
}
