import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// What an administrator sends to define or change a custom field.
public struct CustomFieldInput: Sendable {
    public var recordKind: String?
    public var key: String?
    public var label: String?
    public var type: String?
    public var choices: [String]?
    public var required: Bool?
    public init() {}
}

/// Administrators define custom fields per kind of record; everyone reads the definitions.
public struct CustomFieldService: Sendable {
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock
    /// Which kinds of record take custom fields.
    package let records: RecordKinds

    /// The kinds of record that take custom fields, in the registry's order.
    package var kinds: [RecordKind] { records.kinds(where: \.customFields) }

    public func list(for kind: RecordKind? = nil) async throws -> [CustomField] {
        let query = CustomField.query(on: database.db).sort(\.$recordKind).sort(\.$position).sort(\.$key)
        if let kind { query.filter(\.$recordKind == kind.rawValue) }
        return try await query.all()
    }

    public func find(_ id: UUID) async throws -> CustomField {
        try await CustomField.find(id, on: database.db).orThrow(.notFound("Custom field"))
    }

    public func create(_ input: CustomFieldInput, by actor: Principal) async throws -> CustomField {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        let f = CustomField()
        f.id = UUID()
        f.recordKind = try CustomerValidate.choice(input.recordKind, field: "recordKind", from: kinds.map(\.rawValue))
            ?? { throw GuanxiError.invalid("recordKind", "recordKind is required.").localized("msg.required", ["field": "recordKind"]) }()
        let key = try Validate.requiredText(input.key, field: "key", max: 40)
        guard key.first!.isASCII, key.first!.isLowercase, key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw GuanxiError.invalid("key", "key must be a–z, 0–9 and _, starting with a letter.").localized("msg.field_key", [:])
        }
        if try await CustomField.query(on: database.db).filter(\.$recordKind == f.recordKind).filter(\.$key == key).first() != nil {
            throw GuanxiError.invalid("key", "This kind of record already has a field \(key).").localized("msg.name_taken", ["field": "key"])
        }
        f.key = key
        f.type = try CustomerValidate.choice(input.type, field: "type", from: CustomFieldType.allCases.map(\.rawValue))
            ?? { throw GuanxiError.invalid("type", "type is required.").localized("msg.required", ["field": "type"]) }()
        f.choices = []
        f.required = false
        try apply(input, to: f)
        f.position = try await CustomField.query(on: database.db).filter(\.$recordKind == f.recordKind).count()
        f.version = 1
        f.createdAt = clock.now()
        f.updatedAt = f.createdAt
        try await database.db.transaction { tx in
            try await f.create(on: tx)
            try await audit.created(on: tx, actor: actor, kind: .customFields, id: f.id!.uuidString, label: "\(f.recordKind).\(f.key)", snapshot: f.auditSnapshot)
        }
        return f
    }

    /// Changes the label, the choices or whether the field is required. The key and the
    /// type stay: stored values and clients depend on them.
    public func update(_ id: UUID, _ input: CustomFieldInput, by actor: Principal) async throws -> CustomField {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        let f = try await find(id)
        for (sent, current, field) in [(input.key, f.key, "key"), (input.type, f.type, "type"), (input.recordKind, f.recordKind, "recordKind")] {
            if let sent, sent != current {
                throw GuanxiError.invalid(field, "\(field) cannot change once the field exists.").localized("msg.field_fixed", ["field": field])
            }
        }
        let before = f.auditSnapshot
        let oldChoices = f.choices
        try apply(input, to: f)
        let removed = Set(oldChoices).subtracting(f.choices)
        if !removed.isEmpty {
            let inUse = try await database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("custom_values")
                .where("field_id", .equal, id).where("value", .in, Array(removed)).first(decodingColumn: "n", as: Int.self) ?? 0
            guard inUse == 0 else {
                throw GuanxiError.invalid("choices", "\(inUse) records still use a removed choice; change them first.").localized("msg.choice_in_use", ["count": String(inUse)])
            }
        }
        guard f.auditSnapshot != before else { return f }
        f.version += 1
        f.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await f.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .customFields, id: id.uuidString, label: "\(f.recordKind).\(f.key)", old: before, new: f.auditSnapshot)
        }
        return f
    }

    /// Deletes the field and every value stored in it.
    public func delete(_ id: UUID, by actor: Principal) async throws {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        let f = try await find(id)
        try await database.db.transaction { tx in
            try await f.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .customFields, id: id.uuidString, label: "\(f.recordKind).\(f.key)", snapshot: f.auditSnapshot)
        }
    }

    private func apply(_ input: CustomFieldInput, to f: CustomField) throws {
        if let v = input.label { f.label = try Validate.requiredText(v, field: "label", max: 60) }
        guard f.$label.value != nil else { throw GuanxiError.invalid("label", "label is required.").localized("msg.required", ["field": "label"]) }
        if let v = input.required { f.required = v }
        if let sent = input.choices {
            var clean: [String] = []
            for choice in sent {
                guard let text = try Validate.text(choice, field: "choices", required: false, max: 60), !clean.contains(text) else { continue }
                clean.append(text)
            }
            f.choices = clean
        }
        if f.fieldType.hasChoices, !(1...100).contains(f.choices.count) {
            throw GuanxiError.invalid("choices", "A choice field needs 1 to 100 choices.").localized("msg.choice_count", [:])
        }
        if !f.fieldType.hasChoices { f.choices = [] }
    }
}
