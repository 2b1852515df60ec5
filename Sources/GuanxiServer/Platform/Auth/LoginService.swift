import FluentKit
import Foundation

/// Signing in: password check, throttling per account and per network address,
/// the second factor, and the session that results. Every attempt is audited.
public struct LoginService: Sendable {
    let database: DatabaseService
    let sessions: SessionStore
    let passwords: Passwords
    let rateLimiter: RateLimiter
    let audit: AuditLog
    let principals: PrincipalLoader
    let clock: any Clock
    let maxFailuresPerAccount: Int
    let maxFailuresPerAddress: Int
    let lockout: TimeInterval

    public struct SignedIn: Sendable {
        public var cookie: String
        public var session: SessionRecord
        public var user: User
        public var needsSecondFactor: Bool { session.awaitingSecondFactor }
    }

    /// A bcrypt hash checked when the user does not exist, so the answer takes as long
    /// as for a real user and does not reveal which names exist.
    private static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuJ8c4y6RnK7z4FBAHbP2H9yBmFeKwuOW"

    public func signIn(username rawName: String, password: String, address: String) async throws -> SignedIn {
        let username = rawName.trimmingCharacters(in: .whitespaces).lowercased()
        let addressKey = "login-failures:\(address)"
        let window = Int(lockout)
        let recent = try await rateLimiter.peek(addressKey, window: window)
        if recent.count >= maxFailuresPerAddress {
            throw GuanxiError(.tooManyRequests, "Too many failed sign-ins from your network address. Try again in \(Self.minutes(recent.retryAfter)) minutes.",
                              retryAfter: recent.retryAfter, code: "address_throttled")
        }
        let user = try await User.query(on: database.db).filter(\.$username == username).first()
        let now = clock.now()
        if let user, let until = user.lockedUntil, until > now {
            let wait = Int(until.timeIntervalSince(now).rounded(.up))
            throw GuanxiError(.tooManyRequests, "This account is locked after too many failed sign-ins. Try again in \(Self.minutes(wait)) minutes.",
                              retryAfter: wait, code: "account_locked")
        }
        let matches = try await passwords.verify(password, hash: user?.passwordHash ?? Self.decoyHash)
        guard let user, matches else {
            try await recordFailure(user: user, username: username, address: address, addressKey: addressKey, window: window)
            throw GuanxiError(.unauthorized, "The user name or password is not correct.", code: "bad_credentials")
        }
        guard user.isActive else {
            throw GuanxiError(.forbidden, "This account is disabled. Ask an administrator to enable it.", code: "account_disabled")
        }
        user.failedLogins = 0
        user.lockedUntil = nil
        let principal = try await principals.principal(for: user, channel: .session, address: address)
        return try await database.db.transaction { tx in
            try await user.update(on: tx)
            let (cookie, record) = try await sessions.create(userID: user.id!, awaitingSecondFactor: user.totpEnabled, address: address, on: tx)
            try await audit.record(on: tx, actor: principal, action: user.totpEnabled ? .loginPasswordAccepted : .login, kind: .users, id: user.id!.uuidString, label: user.username)
            return SignedIn(cookie: cookie, session: record, user: user)
        }
    }

    /// Completes a sign-in that waits for a TOTP code. Wrong codes count as failed sign-ins.
    public func verifySecondFactor(session: SessionRecord, code: String, address: String) async throws {
        guard session.awaitingSecondFactor, let user = try await User.find(session.userID, on: database.db) else { return }
        if let until = user.lockedUntil, until > clock.now() {
            try await sessions.delete(id: session.id)
            throw GuanxiError(.tooManyRequests, "This account is locked after too many failed sign-ins.", code: "account_locked")
        }
        // A code already used (same or earlier step) is refused, so an overheard code cannot be replayed.
        guard let secret = user.totpSecret, let step = TwoFactor.matchingStep(code: code, secret: secret, at: clock.now()),
              step > (user.totpLastStep ?? .min)
        else {
            try await recordFailure(user: user, username: user.username, address: address, addressKey: "login-failures:\(address)", window: Int(lockout))
            throw GuanxiError.invalid("code", "The code is not correct. Enter the six digits your authenticator app shows now.").localized("login.error.bad_code", [:])
        }
        user.totpLastStep = step
        try await user.update(on: database.db)
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

    private func recordFailure(user: User?, username: String, address: String, addressKey: String, window: Int) async throws {
        _ = try await rateLimiter.hit(addressKey, limit: maxFailuresPerAddress, window: window)
        try await database.db.transaction { tx in
            if let user {
                user.failedLogins += 1
                if user.failedLogins >= maxFailuresPerAccount {
                    user.lockedUntil = clock.now().addingTimeInterval(lockout)
                    user.failedLogins = 0
                }
                try await user.update(on: tx)
            }
            let attempt = user.map { Principal.signingIn(userID: $0.id!, username: username, address: address) }
            try await audit.record(on: tx, actor: attempt, action: .loginFailed, kind: .users,
                                   id: user?.id?.uuidString ?? "", label: username, address: address)
        }
    }

    private static func minutes(_ seconds: Int) -> Int { max(1, (seconds + 59) / 60) }
}
