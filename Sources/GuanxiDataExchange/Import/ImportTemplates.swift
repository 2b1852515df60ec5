import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Column mappings saved under a name ("展会名片", "old CRM export") so the next file of
/// the same layout imports without mapping it again. Anyone who may import the kind can
/// use and save them; saving a name again replaces its mapping. Saves are audited.
public struct ImportTemplates: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    public struct Template: Sendable, Equatable { public let id: UUID; public let name: String; public let mapping: [String: String] }

    public func list(_ kind: RecordKind, by actor: Principal) async throws -> [Template] {
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: kind))
        return try await services.database.sql.select().columns("id", "name", "mapping").from("import_templates").where("kind", .equal, kind.rawValue)
            .orderBy("name").all().map(Self.template)
    }

    public func find(_ kind: RecordKind, name: String, by actor: Principal) async throws -> Template {
        guard let found = try await list(kind, by: actor).first(where: { $0.name == name || $0.id.uuidString == name }) else {
            throw GuanxiError.notFound("Mapping template \"\(name)\"")
        }
        return found
    }

    @discardableResult
    public func save(_ kind: RecordKind, name: String, mapping: [String: String], by actor: Principal) async throws -> Template {
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: kind))
        let name = try Validate.requiredText(name, field: "name", max: 60)
        guard !mapping.isEmpty, mapping.count <= 500 else {
            throw GuanxiError.invalid("mapping", "A template maps 1 to 500 columns.").localized("msg.range", ["field": "mapping", "min": "1", "max": "500"])
        }
        for (header, field) in mapping {
            _ = try Validate.requiredText(header, field: "mapping", max: 200)
            _ = try Validate.text(field, field: "mapping", required: false, max: 100)
        }
        let json = try ImportJobStore.encode(mapping)
        let existing = try? await find(kind, name: name, by: actor)
        let id = existing?.id ?? UUID()
        try await services.database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            if existing != nil {
                try await sql.update("import_templates").set("mapping", to: json).where("id", .equal, id).run()
            } else {
                try await sql.insert(into: "import_templates").columns("id", "kind", "name", "mapping", "created_by", "created_at")
                    .values(SQLBind(id), SQLBind(kind.rawValue), SQLBind(name), SQLBind(json), SQLBind(actor.channel == .console ? nil : actor.userID),
                            SQLBind(services.clock.now())).run()
            }
            try await services.audit.record(on: tx, actor: actor, action: existing == nil ? .create : .update, kind: kind, id: id.uuidString,
                                            label: "import template \(name)", changes: [FieldChange(field: "mapping", old: nil, new: json)])
        }
        return Template(id: id, name: name, mapping: mapping)
    }

    package static func template(_ row: any SQLRow) throws -> Template {
        Template(id: try row.decode(column: "id", as: UUID.self), name: try row.decode(column: "name", as: String.self),
                 mapping: try JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "mapping", as: String.self).utf8)))
    }
}
