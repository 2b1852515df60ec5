import FluentKit
import Foundation

/// A person who signs in to Guanxi. Users belong to a department, may report to a
/// manager (which gives the manager the "subordinates" data scope over their work), and
/// hold roles.
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "display_name") public var displayName: String
    @OptionalField(key: "email") public var email: String?
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "must_change_password") public var mustChangePassword: Bool
    @Field(key: "is_active") public var isActive: Bool
    @Field(key: "is_admin") public var isAdmin: Bool
    @OptionalField(key: "department_id") public var departmentID: UUID?
    @OptionalField(key: "manager_id") public var managerID: UUID?
    @Field(key: "locale") public var locale: String
    @Field(key: "time_zone") public var timeZone: String
    @OptionalField(key: "totp_secret") package var totpSecret: String?
    /// A secret being set up, which replaces `totpSecret` once a code of it is confirmed.
    @OptionalField(key: "totp_pending_secret") package var totpPendingSecret: String?
    @Field(key: "totp_enabled") public var totpEnabled: Bool
    /// Time step of the last accepted code; a code of that step or earlier is refused.
    @OptionalField(key: "totp_last_step") package var totpLastStep: Int64?
    @Field(key: "failed_logins") package var failedLogins: Int
    @OptionalField(key: "locked_until") package var lockedUntil: Date?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    /// The audited fields. Secrets are reduced to whether they are set.
    package var auditSnapshot: AuditSnapshot {
        [
            "username": username, "display_name": displayName, "email": email,
            "is_active": String(isActive), "is_admin": String(isAdmin),
            "department_id": departmentID?.uuidString, "manager_id": managerID?.uuidString,
            "locale": locale, "time_zone": timeZone, "totp_enabled": String(totpEnabled),
            "must_change_password": String(mustChangePassword),
        ]
    }
}

extension User {
    /// Saves a change the user's own account (profile, two-factor settings) and audits
    /// it against `before`, in one transaction.
    package func saveAudited(before: AuditSnapshot, by actor: Principal, database: DatabaseService, audit: AuditLog, at now: Date) async throws {
        updatedAt = now
        try await database.db.transaction { tx in
            try await self.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .users, id: self.id!.uuidString, label: self.username, old: before, new: self.auditSnapshot)
        }
    }
}

public final class Department: Model, @unchecked Sendable {
    public static let schema = "departments"
    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @OptionalField(key: "parent_id") public var parentID: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}

    package var auditSnapshot: AuditSnapshot { ["name": name, "parent_id": parentID?.uuidString] }
}

public final class Team: Model, @unchecked Sendable {
    public static let schema = "teams"
    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "description") public var details: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}
}

public final class Role: Model, @unchecked Sendable {
    public static let schema = "roles"
    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "description") public var details: String
    /// JSON object from record kind to `Grant`.
    @Field(key: "grants") package var grantsJSON: String
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}

    public var grants: [RecordKind: Grant] {
        get { Self.grants(fromJSON: grantsJSON) }
        set {
            let raw = Dictionary(uniqueKeysWithValues: newValue.map { ($0.key.rawValue, $0.value) })
            grantsJSON = String(decoding: (try? JSONEncoder.sorted.encode(raw)) ?? Data("{}".utf8), as: UTF8.self)
        }
    }

    package var auditSnapshot: AuditSnapshot { ["name": name, "description": details, "grants": grantsJSON] }

    package static func grants(fromJSON json: String) -> [RecordKind: Grant] {
        let raw = (try? JSONDecoder().decode([String: Grant].self, from: Data(json.utf8))) ?? [:]
        return Dictionary(uniqueKeysWithValues: raw.map { (RecordKind(rawValue: $0.key), $0.value) })
    }
}
