import Foundation
import GuanxiPlatform
import SQLKit

/// "Forgot your password?": a link by e-mail that sets a new one. The answer to a request
/// is the same whether the account exists or not; the link is random, kept only as a hash,
/// works once and for 30 minutes; requests are throttled per address and per account;
/// everything is audited.
package struct PasswordResets: Sendable {
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    static let lifetime: TimeInterval = 30 * 60

    /// Sends a link to the account named by its sign-in name or e-mail address, if there
    /// is such an active account with an address. Returns nothing either way.
    package func request(_ identifier: String, address: String, links: String) async throws {
        let key = identifier.trimmingCharacters(in: .whitespaces).lowercased()
        guard !key.isEmpty, key.count <= 254 else { throw GuanxiError.invalid("username", "Give your sign-in name or e-mail address.").localized("reset.give_name") }
        let limits = services.rateLimiter
        guard try await limits.hit("password-reset:\(address)", limit: 10, window: 3600).allowed else {
            throw GuanxiError(.tooManyRequests, "Too many requests from this address; try again in an hour.", retryAfter: 3600).localized("reset.too_many")
        }
        guard let row = try await services.database.sql.raw("""
            SELECT id FROM users WHERE is_active = \(bind: true) AND (LOWER(username) = \(bind: key) OR LOWER(email) = \(bind: key)) LIMIT 2
            """).all().onlyOne, let user = try await User.find(try row.decode(column: "id", as: UUID.self), on: services.database.db),
              let email = user.email, let to = try? MailAddress(email, name: user.displayName) else { return }
        // At most three links an hour to one account, so nobody can flood a mailbox.
        guard try await limits.hit("password-reset-user:\(user.id!)", limit: 3, window: 3600).allowed else { return }
        let token = Secrets.randomToken()
        let now = services.clock.now()
        let english = user.locale == "en"
        let link = "\(links)/password/reset/\(token)"
        let text = english
            ? "Hello \(user.displayName),\n\nSomeone (we hope you) asked to set a new password for \(user.username) in Guanxi. Open this link within 30 minutes to do so:\n\n\(link)\n\nIf it was not you, ignore this message: your password stays as it is.\n"
            : "\(user.displayName)，您好：\n\n有人（希望是您本人）请求为关系 CRM 账号 \(user.username) 设置新密码。请在 30 分钟内打开以下链接设置：\n\n\(link)\n\n如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n"
        let message = MailMessage(from: services.outbox.sender, to: to, subject: english ? "Set a new Guanxi password" : "设置关系 CRM 新密码",
                                  text: text, purpose: .transactional)
        try await services.database.db.transaction { db in
            try await (db as! any SQLDatabase).insert(into: "password_resets").columns("token_hash", "user_id", "created_at", "expires_at")
                .values(SQLBind(Secrets.sha256Hex(token)), SQLBind(user.id!), SQLBind(now), SQLBind(now.addingTimeInterval(Self.lifetime))).run()
            try await services.audit.record(on: db, actor: nil, action: .passwordReset, kind: .users, id: user.id!.uuidString, label: user.username,
                                            changes: [FieldChange(field: "reset_link", old: nil, new: "sent")], address: address)
        }
        try await services.outbox.queue(message, about: (.users, user.id!), by: nil)
    }

    /// The account a link is for, while the link is good.
    package func user(for token: String) async throws -> User? {
        guard token.count >= 40, token.count <= 60 else { return nil }
        guard let row = try await services.database.sql.raw("""
            SELECT user_id FROM password_resets WHERE token_hash = \(bind: Secrets.sha256Hex(token)) AND used_at IS NULL AND expires_at > \(bind: services.clock.now())
            """).first(), let user = try await User.find(try row.decode(column: "user_id", as: UUID.self), on: services.database.db), user.isActive else { return nil }
        return user
    }

    /// Sets the new password: every session of the account ends, every other link of it
    /// stops working, a lock from failed sign-ins is lifted.
    package func complete(_ token: String, password: String, confirmation: String, address: String) async throws {
        guard let user = try await user(for: token) else {
            throw GuanxiError(.notFound, "This link has expired or was used already; ask for a new one.").localized("reset.link_gone")
        }
        guard password == confirmation else {
            throw GuanxiError.invalid("confirmation", "The two passwords differ.").localized("reset.mismatch")
        }
        try services.passwords.checkPolicy(password, username: user.username, field: "password")
        user.passwordHash = try await services.passwords.hash(password)
        user.mustChangePassword = false
        user.failedLogins = 0
        user.lockedUntil = nil
        user.updatedAt = services.clock.now()
        let now = services.clock.now()
        try await services.database.db.transaction { db in
            try await user.update(on: db)
            try await (db as! any SQLDatabase).update("password_resets").set("used_at", to: now).where("user_id", .equal, user.id!).where("used_at", .is, SQLLiteral.null).run()
            try await SessionStore.deleteAll(of: user.id!, on: db)
            try await services.audit.record(on: db, actor: nil, action: .passwordReset, kind: .users, id: user.id!.uuidString, label: user.username,
                                            changes: [FieldChange(field: "reset_link", old: "sent", new: "used")], address: address)
        }
    }
}

private extension Array {
    /// The element of a one-element array; nil for none or several (two accounts sharing an address).
    var onlyOne: Element? { count == 1 ? first : nil }
}
