import FluentKit
import Foundation
import SQLKit

/// A signed-in browser session as stored in the database.
public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var userID: UUID
    public var csrfToken: String
    public var awaitingSecondFactor: Bool
    public var createdAt: Date
    public var lastSeenAt: Date
}

/// A session with the principal it signs in: what every page asks first.
public struct SignedInSession: Sendable {
    public var session: SessionRecord
    public var principal: Principal
}

/// Server-side sessions in the database, so any server process can serve any request.
/// A session ends after `idleTimeout` without use, and after `absoluteTimeout` in any case.
public struct SessionStore: Sendable {
    package init(database: DatabaseService, clock: any Clock, idleTimeout: TimeInterval, absoluteTimeout: TimeInterval,
                 signedIn: ShortLivedCache<String, SignedInSession>) {
        self.database = database
        self.clock = clock
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.signedIn = signedIn
    }
    public static let cookieName = "guanxi_session"
    package let database: DatabaseService
    package let clock: any Clock
    package let idleTimeout: TimeInterval
    package let absoluteTimeout: TimeInterval
    /// Sessions looked up in the last moments, with their principals, by session id: a page
    /// then starts without reading the session, the user and their roles. Forgotten when a
    /// session ends or changes here, and when a user, role, team or department changes
    /// (`DefinitionCaches`, which also bounds how long another process's change takes).
    package let signedIn: ShortLivedCache<String, SignedInSession>

    /// Starts a session; returns the cookie value (shown to the browser only) and the record.
    public func create(userID: UUID, awaitingSecondFactor: Bool, address: String, on db: (any Database)? = nil) async throws -> (cookie: String, record: SessionRecord) {
        let cookie = Secrets.randomToken()
        let now = clock.now()
        let record = SessionRecord(id: Secrets.sha256Hex(cookie), userID: userID, csrfToken: Secrets.randomToken(bytes: 24),
                                   awaitingSecondFactor: awaitingSecondFactor, createdAt: now, lastSeenAt: now)
        try await ((db ?? database.db) as! any SQLDatabase).insert(into: "sessions")
            .columns("id", "user_id", "csrf_token", "awaiting_second_factor", "address", "created_at", "last_seen_at")
            .values(SQLBind(record.id), SQLBind(userID), SQLBind(record.csrfToken), SQLBind(awaitingSecondFactor), SQLBind(address), SQLBind(now), SQLBind(now))
            .run()
        return (cookie, record)
    }

    /// The live session a cookie names and the principal it signs in; nil when there is
    /// none, it expired, or its user is disabled.
    public func signedIn(cookie: String, address: String, principals: PrincipalLoader) async throws -> SignedInSession? {
        let id = Secrets.sha256Hex(cookie)
        if var cached = signedIn.value(for: id) {
            cached.principal.address = address
            return cached
        }
        guard let session = try await lookup(id: id),
              let principal = try await principals.load(userID: session.userID, channel: .session, address: address)
        else { return nil }
        let found = SignedInSession(session: session, principal: principal)
        signedIn.store(found, for: id)
        return found
    }

    /// The live session of an id, refreshing its idle timer; nil (and the row removed) when expired.
    private func lookup(id: String) async throws -> SessionRecord? {
        guard let row = try await database.sql.select()
            .columns("id", "user_id", "csrf_token", "awaiting_second_factor", "created_at", "last_seen_at")
            .from("sessions").where("id", .equal, id).first()
        else { return nil }
        var record = SessionRecord(
            id: id, userID: try row.decode(column: "user_id", as: UUID.self),
            csrfToken: try row.decode(column: "csrf_token", as: String.self),
            awaitingSecondFactor: try row.decode(column: "awaiting_second_factor", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            lastSeenAt: try row.decode(column: "last_seen_at", as: Date.self))
        let now = clock.now()
        if now.timeIntervalSince(record.lastSeenAt) > idleTimeout || now.timeIntervalSince(record.createdAt) > absoluteTimeout {
            try await database.sql.delete(from: "sessions").where("id", .equal, id).run()
            return nil
        }
        // Writing on every request would make reads cost a write; a minute's precision is plenty.
        if now.timeIntervalSince(record.lastSeenAt) > 60 {
            try await database.sql.update("sessions").set("last_seen_at", to: now).where("id", .equal, id).run()
            record.lastSeenAt = now
        }
        return record
    }

    public func completeSecondFactor(_ id: String) async throws {
        try await database.sql.update("sessions").set("awaiting_second_factor", to: false).where("id", .equal, id).run()
        signedIn.forget(id)
    }

    public func delete(id: String) async throws {
        try await database.sql.delete(from: "sessions").where("id", .equal, id).run()
        signedIn.forget(id)
    }

    /// Ends every session of `userID`, but the one `except` names. Callers audit the change
    /// to the user in the same transaction, which empties `signedIn`.
    public static func deleteAll(of userID: UUID, except kept: String? = nil, on db: any Database) async throws {
        var delete = (db as! any SQLDatabase).delete(from: "sessions").where("user_id", .equal, userID)
        if let kept { delete = delete.where("id", .notEqual, kept) }
        try await delete.run()
    }

    /// Removes sessions past either timeout (run by the housekeeping job).
    public func purgeExpired() async throws -> Int {
        let now = clock.now()
        let idleCutoff = now.addingTimeInterval(-idleTimeout)
        let absoluteCutoff = now.addingTimeInterval(-absoluteTimeout)
        let expired = try await database.sql.select().column("id").from("sessions")
            .where("last_seen_at", .lessThan, idleCutoff).orWhere("created_at", .lessThan, absoluteCutoff)
            .all(decodingColumn: "id", as: String.self)
        if !expired.isEmpty { try await database.sql.delete(from: "sessions").where("id", .in, expired).run() }
        return expired.count
    }
}
