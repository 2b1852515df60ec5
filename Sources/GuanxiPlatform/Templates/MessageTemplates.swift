import FluentKit
import Foundation
import SQLKit

/// The organisation's message templates: read by everyone granted `templates` read (to
/// use them), written by those granted create, update or delete. Every change is audited.
public struct MessageTemplates: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let clock: any Clock
    /// The merge fields a template may name, from the layers that know the records
    /// (asked when a template is saved, after every kind has registered).
    package let fields: @Sendable () -> Set<String>

    package init(database: DatabaseService, permissions: PermissionService, audit: AuditLog, clock: any Clock, fields: @escaping @Sendable () -> Set<String>) {
        (self.database, self.permissions, self.audit, self.clock, self.fields) = (database, permissions, audit, clock, fields)
    }

    /// Templates by name, optionally of one channel.
    public func list(channel: MessageTemplate.Channel? = nil, for actor: Principal) async throws -> [MessageTemplate] {
        _ = try permissions.require(actor, .read, on: .templates)
        let query = database.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("message_templates")
        if let channel { query.where("channel", .equal, channel.rawValue) }
        return try await query.orderBy("name").orderBy("id").limit(1000).all().map(Self.template)
    }

    public func find(_ id: UUID, for actor: Principal) async throws -> MessageTemplate {
        _ = try permissions.require(actor, .read, on: .templates)
        return try await stored(id).orThrow(.notFound("Template"))
    }

    func stored(_ id: UUID, on sql: (any SQLDatabase)? = nil) async throws -> MessageTemplate? {
        try await (sql ?? database.sql).select().columns(Self.columns.map { SQLColumn($0) }).from("message_templates").where("id", .equal, id).first().map(Self.template)
    }

    public func create(_ input: MessageTemplateInput, by actor: Principal) async throws -> MessageTemplate {
        _ = try permissions.require(actor, .create, on: .templates)
        let template = try MessageTemplate.validated(input, id: UUID(), version: 1, now: clock.now(), fields: fields())
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            try await requireFreeName(template, on: sql)
            try await sql.insert(into: "message_templates")
                .columns("id", "name", "channel", "purpose", "language", "subject", "body", "version", "created_by", "created_at", "updated_at")
                .values(SQLBind(template.id), SQLBind(template.name), SQLBind(template.channel.rawValue), SQLBind(template.purpose.rawValue),
                        SQLBind(template.language), SQLBind(template.subject), SQLBind(template.body), SQLBind(1),
                        SQLBind(actor.channel == .console ? nil : actor.userID), SQLBind(template.updatedAt), SQLBind(template.updatedAt))
                .run()
            try await audit.record(on: db, actor: actor, action: .create, kind: .templates, id: template.id.uuidString, label: template.name,
                                   changes: Self.changes(from: nil, to: template))
        }
        return template
    }

    public func update(_ id: UUID, _ input: MessageTemplateInput, by actor: Principal) async throws -> MessageTemplate {
        _ = try permissions.require(actor, .update, on: .templates)
        guard let old = try await stored(id) else { throw GuanxiError.notFound("Template") }
        try VersionCheck.require(input.version, current: old.version, what: "template")
        let template = try MessageTemplate.validated(input, id: id, version: old.version + 1, now: clock.now(), fields: fields())
        let changes = Self.changes(from: old, to: template)
        guard !changes.isEmpty else { return old }
        try await database.db.transaction { db in
            let sql = db as! any SQLDatabase
            try await requireFreeName(template, on: sql)
            try await VersionCheck.bump("message_templates", id: id, from: old.version, on: db, what: "template")
            try await sql.update("message_templates").set("name", to: template.name).set("channel", to: template.channel.rawValue)
                .set("purpose", to: template.purpose.rawValue).set("language", to: template.language).set("subject", to: template.subject)
                .set("body", to: template.body).set("updated_at", to: template.updatedAt).where("id", .equal, id).run()
            try await audit.record(on: db, actor: actor, action: .update, kind: .templates, id: id.uuidString, label: template.name, changes: changes)
        }
        return template
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        _ = try permissions.require(actor, .delete, on: .templates)
        guard let old = try await stored(id) else { throw GuanxiError.notFound("Template") }
        try await database.db.transaction { db in
            try await (db as! any SQLDatabase).delete(from: "message_templates").where("id", .equal, id).run()
            try await audit.record(on: db, actor: actor, action: .delete, kind: .templates, id: id.uuidString, label: old.name)
        }
    }

    /// Two templates of one channel with one name could not be told apart in the pickers.
    func requireFreeName(_ template: MessageTemplate, on sql: any SQLDatabase) async throws {
        let clash = try await sql.select().column("id").from("message_templates").where("channel", .equal, template.channel.rawValue)
            .where("name", .equal, template.name).where("id", .notEqual, template.id).first()
        if clash != nil {
            throw GuanxiError(.conflict, "A template named \"\(template.name)\" already exists.", field: "name").localized("msg.name_taken", ["name": template.name])
        }
    }

    static func changes(from old: MessageTemplate?, to new: MessageTemplate) -> [FieldChange] {
        let pairs: [(String, String?, String)] = [
            ("name", old?.name, new.name), ("channel", old?.channel.rawValue, new.channel.rawValue), ("purpose", old?.purpose.rawValue, new.purpose.rawValue),
            ("language", old?.language, new.language), ("subject", old?.subject, new.subject), ("body", old?.body, new.body),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { FieldChange(field: $0.0, old: $0.1, new: $0.2) }
    }

    static let columns = ["id", "name", "channel", "purpose", "language", "subject", "body", "version", "updated_at"]

    static func template(_ row: any SQLRow) throws -> MessageTemplate {
        MessageTemplate(id: try row.decode(column: "id", as: UUID.self), name: try row.decode(column: "name", as: String.self),
                        channel: MessageTemplate.Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
                        purpose: MailMessage.Purpose(rawValue: try row.decode(column: "purpose", as: String.self)) ?? .transactional,
                        language: try row.decode(column: "language", as: String.self), subject: try row.decode(column: "subject", as: String.self),
                        body: try row.decode(column: "body", as: String.self), version: try row.decode(column: "version", as: Int.self),
                        updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
