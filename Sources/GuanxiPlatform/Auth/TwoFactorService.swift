import FluentKit
import Foundation

/// Turning TOTP two-factor sign-in on and off for one's own account.
public struct TwoFactorService: Sendable {
    package init(database: DatabaseService, passwords: Passwords, audit: AuditLog, clock: any Clock) {
        self.database = database
        self.passwords = passwords
        self.audit = audit
        self.clock = clock
    }
    package let database: DatabaseService
    package let passwords: Passwords
    package let audit: AuditLog
    package let clock: any Clock

    /// Starts enrolment, after checking the password: stores a fresh secret beside the
    /// current one and returns it for the app. Two-factor sign-in, if on, stays on with the
    /// current secret until a code of the new one is confirmed.
    public func begin(for actor: Principal, password: String) async throws -> (secret: String, url: String) {
        let user = try await passwordChecked(actor, password)
        let secret = TwoFactor.newSecret()
        user.totpPendingSecret = secret
        user.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await user.update(on: tx)
            try await audit.record(on: tx, actor: actor, action: .twoFactorSetup, kind: .users, id: user.id!.uuidString, label: user.username)
        }
        return (TwoFactor.base32(secret), TwoFactor.authenticatorURL(secret: secret, username: user.username))
    }

    /// Activates the secret being set up once the user proves the app shows its code.
    public func confirm(for actor: Principal, code: String) async throws {
        guard let user = try await User.find(actor.userID, on: database.db), let secret = user.totpPendingSecret else {
            throw GuanxiError.invalid("code", "Start two-factor set-up first.").localized("msg.totp_not_started", [:])
        }
        guard let step = TwoFactor.matchingStep(code: code, secret: secret, at: clock.now()) else {
            throw GuanxiError.invalid("code", "The code is not correct. Enter the six digits your authenticator app shows now.").localized("login.error.bad_code", [:])
        }
        let before = user.auditSnapshot
        user.totpSecret = secret
        user.totpPendingSecret = nil
        user.totpEnabled = true
        user.totpLastStep = step
        try await user.saveAudited(before: before, by: actor, database: database, audit: audit, at: clock.now())
    }

    /// Turns two-factor sign-in off, after checking the password.
    public func disable(for actor: Principal, password: String) async throws {
        let user = try await passwordChecked(actor, password)
        let before = user.auditSnapshot
        user.totpEnabled = false
        user.totpSecret = nil
        user.totpPendingSecret = nil
        try await user.saveAudited(before: before, by: actor, database: database, audit: audit, at: clock.now())
    }

    private func passwordChecked(_ actor: Principal, _ password: String) async throws -> User {
        guard let user = try await User.find(actor.userID, on: database.db) else { throw GuanxiError.notFound("User") }
        guard try await passwords.verify(password, hash: user.passwordHash) else {
            throw GuanxiError.invalid("password", "The password is not correct.").localized("msg.password_wrong", [:])
        }
        return user
    }
}
