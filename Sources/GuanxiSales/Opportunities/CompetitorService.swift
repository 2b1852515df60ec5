import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// What a client may send to create or change a competitor; `nil` keeps a field.
public struct CompetitorInput: Sendable {
    public var name: String?
    public var website: String?
    public var strengths: String?
    public var weaknesses: String?
    public var notes: String?
    public init() {}
}

/// The shared list of competitors. Everyone who may read opportunities sees it; anyone
/// who may update opportunities keeps it up to date.
public struct CompetitorService: Sendable {
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock

    public func list(for actor: Principal) async throws -> [Competitor] {
        try requireRead(actor)
        return try await Competitor.query(on: database.db).sort(\.$name).all()
    }

    public func find(_ id: UUID, for actor: Principal) async throws -> Competitor {
        try requireRead(actor)
        return try await Competitor.find(id, on: database.db).orThrow(.notFound("Competitor"))
    }

    public func create(_ input: CompetitorInput, by actor: Principal) async throws -> Competitor {
        try requireWrite(actor)
        guard input.name != nil else { throw GuanxiError.invalid("name", "name is required.").localized("msg.required", ["field": "name"]) }
        let c = Competitor()
        c.id = UUID()
        (c.strengths, c.weaknesses, c.notes) = ("", "", "")
        try await apply(input, to: c)
        c.version = 1
        c.createdAt = clock.now()
        c.updatedAt = c.createdAt
        try await database.db.transaction { tx in
            try await c.create(on: tx)
            try await audit.created(on: tx, actor: actor, kind: .competitors, id: c.id!.uuidString, label: c.name, snapshot: c.auditSnapshot)
        }
        return c
    }

    public func update(_ id: UUID, _ input: CompetitorInput, expectedVersion: Int?, by actor: Principal) async throws -> Competitor {
        try requireWrite(actor)
        let c = try await find(id, for: actor)
        try VersionCheck.require(expectedVersion, current: c.version, what: "competitor")
        let before = c.auditSnapshot
        try await apply(input, to: c)
        guard c.auditSnapshot != before else { return c }
        let startedFrom = c.version
        c.version += 1
        c.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await VersionCheck.bump("competitors", id: id, from: startedFrom, on: tx, what: "competitor")
            try await c.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .competitors, id: id.uuidString, label: c.name, old: before, new: c.auditSnapshot)
        }
        return c
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        try requireWrite(actor)
        let c = try await find(id, for: actor)
        try await database.db.transaction { tx in
            try await c.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .competitors, id: id.uuidString, label: c.name, snapshot: c.auditSnapshot)
        }
    }

    private func apply(_ input: CompetitorInput, to c: Competitor) async throws {
        if let v = input.name {
            let name = try Validate.requiredText(v, field: "name", max: 200)
            if let other = try await Competitor.query(on: database.db).filter(\.$name == name).first(), other.id != c.id {
                throw GuanxiError.invalid("name", "A competitor named \(name) exists already.").localized("msg.name_taken", ["field": "name"])
            }
            c.name = name
        }
        if let v = input.website { c.website = try CustomerValidate.website(v) }
        if let v = input.strengths { c.strengths = try Validate.text(v, field: "strengths", required: false, max: 2000) ?? "" }
        if let v = input.weaknesses { c.weaknesses = try Validate.text(v, field: "weaknesses", required: false, max: 2000) ?? "" }
        if let v = input.notes { c.notes = try Validate.text(v, field: "notes", required: false, max: 5000) ?? "" }
    }

    private func requireRead(_ actor: Principal) throws {
        guard actor.scope(for: .read, on: .opportunities) != nil else { throw GuanxiError.forbidden }
    }

    private func requireWrite(_ actor: Principal) throws {
        guard actor.scope(for: .update, on: .opportunities) != nil else { throw GuanxiError.forbidden }
    }
}
