import FluentKit
import Foundation

/// Turning TOTP two-factor sign-in on and off for one's own account.
public struct TwoFactorService: Sendable {
    let database: DatabaseService
    let passwords: Passwords
    let audit: AuditLog
    let clock: any Clock

    /// Starts enrolment: stores a fresh secret (not yet active) and returns it for the app.
    public func begin(for actor: Principal) async throws -> (secret: String, url: String) {
        guard let user = try await User.find(actor.userID, on: database.db) else { throw GuanxiError.notFound("User") }
        let secret = TwoFactor.newSecret()
        user.totpSecret = secret
        user.totpEnabled = false
        try await user.update(on: database.db)
        return (TwoFactor.base32(secret), TwoFactor.authenticatorURL(secret: secret, username: user.username))
    }

    /// Activates two-factor sign-in once the user proves the app shows the right code.
    public func confirm(for actor: Principal, code: String) async throws {
        guard let user = try await User.find(actor.userID, on: database.db), let secret = user.totpSecret else {
            throw GuanxiError.invalid("code", "Start two-factor set-up first.").localized("msg.totp_not_started", [:])
        }
        guard let step = TwoFactor.matchingStep(code: code, secret: secret, at: clock.now()) else {
            throw GuanxiError.invalid("code", "The code is not correct. Enter the six digits your authenticator app shows now.").localized("login.error.bad_code", [:])
        }
        let before = user.auditSnapshot
        user.totpEnabled = true
        user.totpLastStep = step
        try await user.saveAudited(before: before, by: actor, database: database, audit: audit, at: clock.now())
    }

    /// Turns two-factor sign-in off, after checking the password.
    public func disable(for actor: Principal, password: String) async throws {
        guard let user = try await User.find(actor.userID, on: database.db) else { throw GuanxiError.notFound("User") }
        guard try await passwords.verify(password, hash: user.passwordHash) else {
            throw GuanxiError.invalid("password", "The password is not correct.").localized("msg.password_wrong", [:])
        }
        let before = user.auditSnapshot
        user.totpEnabled = false
        user.totpSecret = nil
        try await user.saveAudited(before: before, by: actor, database: database, audit: audit, at: clock.now())
    }
}
