import FluentKit
import Foundation
import SQLKit

/// A personal API token as listed (never with its secret).
public struct APITokenInfo: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var name: String
    public var prefix: String
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    public var createdAt: Date
}

/// Personal API tokens. The secret is shown once at creation and stored as SHA-256; a
/// token acts with exactly the permissions of its user, and stops working when it
/// expires, is revoked, or its user is disabled.
public struct APITokenService: Sendable {
    package init(database: DatabaseService, audit: AuditLog, principals: PrincipalLoader, permissions: PermissionService, clock: any Clock, cache: ShortLivedCache<String, CachedToken>) {
        self.database = database
        self.audit = audit
        self.principals = principals
        self.permissions = permissions
        self.clock = clock
        self.cache = cache
    }
    package static let marker = "gx_"
    package let database: DatabaseService
    package let audit: AuditLog
    package let principals: PrincipalLoader
    package let permissions: PermissionService
    package let clock: any Clock
    /// Tokens that authenticated in the last seconds (see `DefinitionCaches`).
    package let cache: ShortLivedCache<String, CachedToken>

    /// Issues a token for `userID`. Users issue their own; issuing for someone else
    /// needs permission to update that user.
    public func issue(for userID: UUID, name: String?, expiresInDays: Int?, by actor: Principal) async throws -> (token: String, info: APITokenInfo) {
        guard let user = try await User.find(userID, on: database.db) else { throw GuanxiError.notFound("User") }
        if userID != actor.userID {
            try await permissions.requireAccess(actor, .update, on: .users, owner: userID, notFound: .notFound("User"))
        }
        let label = try Validate.requiredText(name, field: "name", max: 100)
        if let days = expiresInDays, !(1...3650).contains(days) {
            throw GuanxiError.invalid("expiresInDays", "expiresInDays must be from 1 to 3650.").localized("msg.range", ["field": "expiresInDays", "min": "1", "max": "3650"])
        }
        let secret = Secrets.randomToken()
        let token = Self.marker + secret
        let now = clock.now()
        let info = APITokenInfo(id: UUID(), userID: userID, name: label, prefix: String(token.prefix(10)),
                                expiresAt: expiresInDays.map { now.addingTimeInterval(Double($0) * 86_400) },
                                lastUsedAt: nil, revokedAt: nil, createdAt: now)
        try await database.db.transaction { tx in
            try await (tx as! any SQLDatabase).insert(into: "api_tokens")
                .columns("id", "user_id", "name", "token_hash", "prefix", "expires_at", "created_at")
                .values(SQLBind(info.id), SQLBind(userID), SQLBind(label), SQLBind(Secrets.sha256Hex(token)), SQLBind(info.prefix), SQLBind(info.expiresAt), SQLBind(now))
                .run()
            try await audit.record(on: tx, actor: actor, action: .tokenIssue, kind: .users, id: userID.uuidString, label: user.username,
                                   changes: [FieldChange(field: "api_token", old: nil, new: "\(label) (\(info.prefix)…)")])
        }
        return (token, info)
    }

    /// The principal behind a bearer token, or nil when the token is unknown, expired,
    /// revoked or its user disabled.
    public func authenticate(_ token: String, address: String) async throws -> Principal? {
        guard token.hasPrefix(Self.marker), token.count < 200 else { return nil }
        let hash = Secrets.sha256Hex(token)
        let now = clock.now()
        if let cached = cache.value(for: hash), cached.expiresAt.map({ $0 > now }) ?? true {
            var principal = cached.principal
            principal.address = address
            return principal
        }
        guard let row = try await database.sql.select()
            .columns("id", "user_id", "expires_at", "revoked_at", "last_used_at")
            .from("api_tokens").where("token_hash", .equal, hash).first()
        else { return nil }
        if try row.decode(column: "revoked_at", as: Date?.self) != nil { return nil }
        if let expiry = try row.decode(column: "expires_at", as: Date?.self), expiry <= now { return nil }
        let id = try row.decode(column: "id", as: UUID.self)
        let lastUsed = try row.decode(column: "last_used_at", as: Date?.self)
        // Recording each use would turn every read into a write; a minute's precision is plenty.
        if lastUsed == nil || now.timeIntervalSince(lastUsed!) > 60 {
            try await database.sql.update("api_tokens").set("last_used_at", to: now).where("id", .equal, id).run()
        }
        let principal = try await principals.load(userID: try row.decode(column: "user_id", as: UUID.self), channel: .apiToken(id), address: address)
        if let principal { cache.store(CachedToken(principal: principal, expiresAt: try row.decode(column: "expires_at", as: Date?.self)), for: hash) }
        return principal
    }

    public func list(userID: UUID?) async throws -> [APITokenInfo] {
        var query = database.sql.select().columns("id", "user_id", "name", "prefix", "expires_at", "last_used_at", "revoked_at", "created_at").from("api_tokens")
        if let userID { query = query.where("user_id", .equal, userID) }
        return try await query.orderBy("created_at", .descending).all().map { row in
            APITokenInfo(
                id: try row.decode(column: "id", as: UUID.self), userID: try row.decode(column: "user_id", as: UUID.self),
                name: try row.decode(column: "name", as: String.self), prefix: try row.decode(column: "prefix", as: String.self),
                expiresAt: try row.decode(column: "expires_at", as: Date?.self), lastUsedAt: try row.decode(column: "last_used_at", as: Date?.self),
                revokedAt: try row.decode(column: "revoked_at", as: Date?.self), createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    public func revoke(_ id: UUID, by actor: Principal) async throws {
        guard let token = try await list(userID: nil).first(where: { $0.id == id }) else { throw GuanxiError.notFound("API token") }
        if token.userID != actor.userID {
            try await permissions.requireAccess(actor, .update, on: .users, owner: token.userID, notFound: .notFound("API token"))
        }
        guard token.revokedAt == nil else { return }
        let username = try await User.find(token.userID, on: database.db)?.username ?? ""
        try await database.db.transaction { tx in
            try await (tx as! any SQLDatabase).update("api_tokens").set("revoked_at", to: clock.now()).where("id", .equal, id).run()
            try await audit.record(on: tx, actor: actor, action: .tokenRevoke, kind: .users, id: token.userID.uuidString, label: username,
                                   changes: [FieldChange(field: "api_token", old: "\(token.name) (\(token.prefix)…)", new: nil)])
        }
    }
}
