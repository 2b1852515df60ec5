import FluentKit
import Foundation
import SQLKit

/// Signing in: password check, throttling per account and per network address,
/// the second factor, and the session that results. Every attempt is audited.
public struct LoginService: Sendable {
    package init(database: DatabaseService, sessions: SessionStore, passwords: Passwords, rateLimiter: RateLimiter, audit: AuditLog, principals: PrincipalLoader, clock: any Clock, maxFailuresPerAccount: Int, maxFailuresPerAddress: Int, lockout: TimeInterval) {
        self.database = database
        self.sessions = sessions
        self.passwords = passwords
        self.rateLimiter = rateLimiter
        self.audit = audit
        self.principals = principals
        self.clock = clock
        self.maxFailuresPerAccount = maxFailuresPerAccount
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.lockout = lockout
    }
    package let database: DatabaseService
    package let sessions: SessionStore
    package let passwords: Passwords
    package let rateLimiter: RateLimiter
    package let audit: AuditLog
    package let principals: PrincipalLoader
    package let clock: any Clock
    package let maxFailuresPerAccount: Int
    package let maxFailuresPerAddress: Int
    package let lockout: TimeInterval

    public struct SignedIn: Sendable {
        public var cookie: String
        public var session: SessionRecord
        public var user: User
        public var needsSecondFactor: Bool { session.awaitingSecondFactor }
    }

    /// A bcrypt hash checked when the user does not exist, so the answer takes as long
    /// as for a real user and does not reveal which names exist.
    private static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuJ8c4y6RnK7z4FBAHbP2H9yBmFeKwuOW"

    /// Each attempt is counted before its password is checked, in one statement per
    /// counter, so parallel guesses cannot all slip under a limit: the per-address counter
    /// takes the attempt (and gives it back when the password is right), and the account's
    /// counter takes it while the account is not locked. Only attempts within both limits
    /// have their password checked.
    public func signIn(username rawName: String, password: String, address: String) async throws -> SignedIn {
        let username = rawName.trimmingCharacters(in: .whitespaces).lowercased()
        try await reserveAttempt(from: address)
        let user = try await User.query(on: database.db).filter(\.$username == username).first()
        if let user { try await reserveAttempt(user) }
        let matches = try await passwords.verify(password, hash: user?.passwordHash ?? Self.decoyHash)
        guard let user, matches else {
            try await recordFailure(user: user, username: username, address: address)
            throw GuanxiError(.unauthorized, "The user name or password is not correct.", code: "bad_credentials")
        }
        try await rateLimiter.giveBack(Self.addressKey(address), window: Int(lockout))
        guard user.isActive else {
            throw GuanxiError(.forbidden, "This account is disabled. Ask an administrator to enable it.", code: "account_disabled")
        }
        let principal = try await principals.principal(for: user, channel: .session, address: address)
        return try await database.db.transaction { tx in
            try await (tx as! any SQLDatabase).update("users").set("failed_logins", to: 0).set("locked_until", to: SQLLiteral.null)
                .where("id", .equal, user.id!).run()
            let (cookie, record) = try await sessions.create(userID: user.id!, awaitingSecondFactor: user.totpEnabled, address: address, on: tx)
            try await audit.record(on: tx, actor: principal, action: user.totpEnabled ? .loginPasswordAccepted : .login, kind: .users, id: user.id!.uuidString, label: user.username)
            return SignedIn(cookie: cookie, session: record, user: user)
        }
    }

    package static func addressKey(_ address: String) -> String { "login-failures:\(address)" }

    /// Counts an attempt from `address` before it is checked; refuses it beyond the limit.
    private func reserveAttempt(from address: String) async throws {
        let reserved = try await rateLimiter.hit(Self.addressKey(address), limit: maxFailuresPerAddress, window: Int(lockout))
        guard reserved.allowed else {
            throw GuanxiError(.tooManyRequests, "Too many failed sign-ins from your network address. Try again in \(Self.minutes(reserved.retryAfter)) minutes.",
                              retryAfter: reserved.retryAfter, code: "address_throttled")
        }
    }

    /// Counts an attempt on the account before it is checked, in one statement that also
    /// tests the lock. Refuses it when the account is locked, or when the attempts under
    /// way already reach the limit — and then locks the account.
    private func reserveAttempt(_ user: User) async throws {
        let now = clock.now()
        let count = try await database.sql.raw("""
            UPDATE users SET failed_logins = failed_logins + 1
            WHERE id = \(bind: user.id!) AND (locked_until IS NULL OR locked_until <= \(bind: now))
            RETURNING failed_logins
            """).first(decodingColumn: "failed_logins", as: Int.self)
        if let count, count <= maxFailuresPerAccount { return }
        if count != nil { try await lock(user.id!) }
        let until = try await database.sql.select().column("locked_until").from("users").where("id", .equal, user.id!)
            .first(decodingColumn: "locked_until", as: Date?.self) ?? nil
        let wait = max(1, Int((until ?? now.addingTimeInterval(lockout)).timeIntervalSince(now).rounded(.up)))
        throw GuanxiError(.tooManyRequests, "This account is locked after too many failed sign-ins. Try again in \(Self.minutes(wait)) minutes.",
                          retryAfter: wait, code: "account_locked")
    }

    private func lock(_ id: UUID) async throws {
        try await database.sql.update("users").set("locked_until", to: clock.now().addingTimeInterval(lockout)).set("failed_logins", to: 0)
            .where("id", .equal, id).run()
    }

    /// Completes a sign-in that waits for a TOTP code. Wrong codes count as failed sign-ins,
    /// counted before the code is checked (as passwords are). The code's step is taken in
    /// one statement that only succeeds while it is later than the last step used, so two
    /// submissions of one code cannot both sign in.
    public func verifySecondFactor(session: SessionRecord, code: String, address: String) async throws {
        guard session.awaitingSecondFactor, let user = try await User.find(session.userID, on: database.db) else { return }
        try await reserveAttempt(from: address)
        do { try await reserveAttempt(user) } catch {
            try await sessions.delete(id: session.id)
            throw error
        }
        // A code already used (same or earlier step) is refused, so an overheard code cannot be replayed.
        guard let secret = user.totpSecret, let step = TwoFactor.matchingStep(code: code, secret: secret, at: clock.now()),
              try await TwoFactor.takeStep(step, of: user.id!, on: database.sql)
        else {
            try await recordFailure(user: user, username: user.username, address: address)
            throw GuanxiError.invalid("code", "The code is not correct. Enter the six digits your authenticator app shows now.").localized("login.error.bad_code", [:])
        }
        try await rateLimiter.giveBack(Self.addressKey(address), window: Int(lockout))
        try await database.sql.update("users").set("failed_logins", to: 0).where("id", .equal, user.id!).run()
        try await sessions.completeSecondFactor(session.id)
        let principal = try await principals.principal(for: user, channel: .session, address: address)
        try await audit.record(on: database.db, actor: principal, action: .login, kind: .users, id: user.id!.uuidString, label: user.username)
    }

    public func signOut(session: SessionRecord, principal: Principal?) async throws {
        try await sessions.delete(id: session.id)
        if let principal {
            try await audit.record(on: database.db, actor: principal, action: .logout, kind: .users, id: principal.userID.uuidString, label: principal.username)
        }
    }

    /// Audits a failed attempt, already counted, and locks the account when it was the
    /// last one the limit allows.
    private func recordFailure(user: User?, username: String, address: String) async throws {
        if let user, let count = try await database.sql.select().column("failed_logins").from("users").where("id", .equal, user.id!)
            .first(decodingColumn: "failed_logins", as: Int.self), count >= maxFailuresPerAccount {
            try await lock(user.id!)
        }
        let attempt = user.map { Principal.signingIn(userID: $0.id!, username: username, address: address) }
        try await audit.record(on: database.db, actor: attempt, action: .loginFailed, kind: .users,
                               id: user?.id?.uuidString ?? "", label: username, address: address)
    }

    private static func minutes(_ seconds: Int) -> Int { max(1, (seconds + 59) / 60) }
}
