import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A list filter on a custom field: `key:value` (equals; contains for text; has for
/// multiple choice), `key>=value` or `key<=value` (numbers, money, dates).
public struct CustomFilter: Sendable, Equatable {
    public enum Operator: String, Sendable { case equals = ":", atLeast = ">=", atMost = "<=" }
    public var key: String
    public var op: Operator
    public var value: String

    /// Reads `revenue>=1000000`, `region:华东`.
    public static func parse(_ text: String) throws -> CustomFilter {
        for op in [Operator.atLeast, .atMost, .equals] {
            if let range = text.range(of: op.rawValue) {
                let key = String(text[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
                let value = String(text[range.upperBound...]).trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { return CustomFilter(key: key, op: op, value: value) }
            }
        }
        throw GuanxiError.invalid("cf", "cf must look like key:value, key>=value or key<=value.").localized("msg.custom_filter", [:])
    }
}

/// Reading, checking and storing the custom field values of records, and the list
/// filters and sorts on them. Every record service goes through here, so values are
/// validated the same way from the API, the web forms and imports.
public struct CustomValues: Sendable {
    package let database: DatabaseService
    /// Each kind's definitions as read in the last seconds (see `DefinitionCaches`).
    package let cache: ShortLivedCache<RecordKind, [CustomField]>

    /// A record's values after a change, with the definitions they were checked against.
    package struct Checked: Sendable {
        package let fields: [CustomField]
        package let values: [String: CustomValue]
        /// Whether the client sent custom values at all (else nothing is rewritten).
        package let sent: Bool
        /// Whether the values belong to a record not yet saved (nothing stored to replace).
        package var isNew = false
    }

    /// A kind's fields in form order. The instances are shared between requests: read them, never change them.
    public func fields(of kind: RecordKind) async throws -> [CustomField] {
        if let cached = cache.value(for: kind) { return cached }
        let fields = try await CustomField.query(on: database.db).filter(\.$recordKind == kind.rawValue).sort(\.$position).sort(\.$key).all()
        cache.store(fields, for: kind)
        return fields
    }

    /// Checks what a client sent against the kind's fields; `current` are the stored
    /// values (empty for a new record). Unknown keys, wrong types, choices not offered,
    /// and missing required values are refused, naming `customFields.<key>`.
    package func checked(_ kind: RecordKind, sent: [String: CustomInput]?, current: [String: CustomValue], isNew: Bool) async throws -> Checked {
        let fields = try await fields(of: kind)
        var values = current
        for (key, input) in sent ?? [:] {
            guard let field = fields.first(where: { $0.key == key }) else {
                throw GuanxiError.invalid("customFields.\(key)", "customFields.\(key) is not a field of \(kind.rawValue).").localized("msg.unknown_field", ["field": key])
            }
            values[key] = try Self.value(input, for: field)
        }
        for field in fields where field.required && values[field.key] == nil && (isNew || sent?[field.key] != nil) {
            throw GuanxiError.invalid("customFields.\(field.key)", "customFields.\(field.key) is required.").localized("msg.required", ["field": field.label])
        }
        return Checked(fields: fields, values: values.filter { key, _ in fields.contains { $0.key == key } }, sent: sent != nil, isNew: isNew)
    }

    package static func value(_ input: CustomInput, for field: CustomField) throws -> CustomValue? {
        let name = "customFields.\(field.key)"
        let wrong = GuanxiError.invalid(name, "\(name) must be a \(field.type) value.").localized("msg.custom_type", ["field": field.label, "type": field.type])
        if case .none = input { return nil }
        if case .text(let t) = input, t.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        switch (field.fieldType, input) {
        case (.text, .text(let t)): return try Validate.text(t, field: name, required: false, max: 2000).map(CustomValue.text)
        case (.number, .number(let n)): return .number(Decimal(n))
        case (.number, .text(let t)):
            guard let d = Decimal(string: t.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX")),
                  t.trimmingCharacters(in: .whitespaces).allSatisfy({ $0.isNumber || "-.eE+".contains($0) }) else { throw wrong }
            return .number(d)
        case (.money, .text(let t)): return try Money.parse(t, field: name).map(CustomValue.money)
        case (.money, .number(let n)): return try Money.parse(String(format: "%.2f", n), field: name).map(CustomValue.money)
        case (.date, .text(let t)): return try CustomerValidate.date(t, field: name).map(CustomValue.date)
        case (.choice, .text(let t)):
            guard field.choices.contains(t) else { throw choiceError(field) }
            return .choice(t)
        case (.multiChoice, .list(let list)):
            let unique = list.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            guard unique.allSatisfy(field.choices.contains) else { throw choiceError(field) }
            return unique.isEmpty ? nil : .choices(field.choices.filter(unique.contains))
        case (.multiChoice, .text(let t)):
            return try value(.list(t.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }), for: field)
        case (.boolean, .boolean(let b)): return .boolean(b)
        case (.boolean, .text(let t)):
            switch t.lowercased() {
            case "true", "yes", "1", "是": return .boolean(true)
            case "false", "no", "0", "否": return .boolean(false)
            default: throw wrong
            }
        default: throw wrong
        }
    }

    private static func choiceError(_ field: CustomField) -> GuanxiError {
        GuanxiError.invalid("customFields.\(field.key)", "customFields.\(field.key) must be one of \(field.choices.joined(separator: ", ")).")
            .localized("msg.choice", ["field": field.label, "choices": field.choices.joined(separator: ", ")])
    }

    /// The stored values of one record, by key.
    public func values(of kind: RecordKind, id: UUID) async throws -> [String: CustomValue] {
        try await values(of: kind, ids: [id])[id] ?? [:]
    }

    /// The stored values of many records, for a list page in one query.
    public func values(of kind: RecordKind, ids: [UUID]) async throws -> [UUID: [String: CustomValue]] {
        guard !ids.isEmpty else { return [:] }
        let fields = try await fields(of: kind)
        guard !fields.isEmpty else { return [:] }
        var texts: [UUID: [UUID: [String]]] = [:]
        for row in try await database.sql.select().columns("record_id", "field_id", "value").from("custom_values")
            .where("record_id", .in, ids).where("field_id", .in, fields.map { $0.id! }).all() {
            texts[try row.decode(column: "record_id", as: UUID.self), default: [:]][try row.decode(column: "field_id", as: UUID.self), default: []]
                .append(try row.decode(column: "value", as: String.self))
        }
        return texts.mapValues { byField in
            var out: [String: CustomValue] = [:]
            for field in fields {
                guard var stored = byField[field.id!] else { continue }
                if field.fieldType == .multiChoice { stored = field.choices.filter(stored.contains) }
                out[field.key] = CustomValue.read(field.fieldType, texts: stored)
            }
            return out
        }
    }

    /// Writes a record's values inside the caller's transaction.
    package static func save(_ checked: Checked, of id: UUID, on tx: any Database) async throws {
        guard checked.sent else { return }
        let sql = tx as! any SQLDatabase
        if !checked.isNew { try await sql.delete(from: "custom_values").where("record_id", .equal, id).run() }
        // One statement for all values. Each row is selected from its field's definition,
        // so a value for a field that another server process removed a moment ago (this
        // one may still hold the definition, see `DefinitionCaches`) is dropped, exactly
        // as the removal would have dropped it, instead of failing the whole save.
        var insert = SQLQueryString("INSERT INTO custom_values (record_id, field_id, value, number) ")
        var rows = 0
        for field in checked.fields {
            guard let value = checked.values[field.key] else { continue }
            for text in value.storedTexts {
                if rows > 0 { insert.appendLiteral(" UNION ALL ") }
                insert.appendInterpolation(unsafeRaw: "SELECT ")
                insert.appendInterpolation(bind: id)
                insert.appendLiteral(", id, CAST(")
                insert.appendInterpolation(bind: text)
                insert.appendLiteral(" AS TEXT), CAST(")
                insert.appendInterpolation(bind: value.storedNumber)
                insert.appendLiteral(" AS DOUBLE PRECISION) FROM custom_fields WHERE id = ")
                insert.appendInterpolation(bind: field.id!)
                rows += 1
            }
        }
        if rows > 0 { try await sql.raw(insert).run() }
    }

    /// Removes a deleted record's values (inside the caller's transaction).
    package static func remove(of id: UUID, on tx: any Database) async throws {
        try await remove(of: [id], on: tx)
    }

    /// Drops the values of many deleted records at once (those a deletion takes along).
    package static func remove(of ids: [UUID], on tx: any Database) async throws {
        guard !ids.isEmpty else { return }
        try await (tx as! any SQLDatabase).delete(from: "custom_values").where("record_id", .in, ids).run()
    }

    /// The values as audit fields, "cf.<key>", so changes show in history like any field.
    package static func snapshot(_ values: [String: CustomValue]) -> AuditSnapshot {
        Dictionary(uniqueKeysWithValues: values.map { ("cf.\($0.key)", $0.value.display) })
    }

    /// Narrows a list of `table` (of `kind`) to the records the filters keep.
    package func constrain(_ query: SQLSelectBuilder, table: String, kind: RecordKind, filters: [CustomFilter]) async throws -> SQLSelectBuilder {
        guard !filters.isEmpty else { return query }
        let fields = try await fields(of: kind)
        var query = query
        for filter in filters {
            guard let field = fields.first(where: { $0.key == filter.key }) else {
                throw GuanxiError.invalid("cf", "\(filter.key) is not a field of \(kind.rawValue).").localized("msg.unknown_field", ["field": filter.key])
            }
            let match: any SQLExpression
            switch (field.fieldType, filter.op) {
            case (.number, .atLeast), (.money, .atLeast), (.number, .atMost), (.money, .atMost), (.number, .equals), (.money, .equals):
                guard let number = (try? Self.value(.text(filter.value), for: field))?.flatMap(\.storedNumber) ?? Double(filter.value), number.isFinite else {
                    throw GuanxiError.invalid("cf", "\(filter.key) compares with a number.").localized("msg.custom_type", ["field": field.label, "type": field.type])
                }
                let op = filter.op == .equals ? "=" : filter.op.rawValue
                match = SQLQueryString("number \(unsafeRaw: op) \(bind: number)")
            case (.date, .atLeast), (.date, .atMost):
                match = SQLQueryString("value \(unsafeRaw: filter.op.rawValue) \(bind: try CustomerValidate.date(filter.value, field: "cf") ?? "")")
            case (.text, .equals):
                match = SQLSearch.contains("value", filter.value, engine: database.engine)
            case (.boolean, .equals):
                let truth = try Self.value(.text(filter.value), for: field)
                match = SQLQueryString("value = \(bind: truth?.storedTexts.first ?? "")")
            case (_, .equals):
                match = SQLQueryString("value = \(bind: filter.value)")
            default:
                throw GuanxiError.invalid("cf", "\(filter.key) cannot be compared with \(filter.op.rawValue).").localized("msg.custom_filter", [:])
            }
            query = query.where(SQLQueryString(
                "\(unsafeRaw: table).id IN (SELECT record_id FROM custom_values WHERE field_id = \(bind: field.id!) AND \(match))"))
        }
        return query
    }

    /// The order of a list by a custom field: its value (numbers as numbers), records
    /// without one first. Returns the keyset and the expression to select for cursors.
    package func sort(by key: String, table: String, kind: RecordKind, ascending: Bool) async throws -> (keyset: Keyset, value: any SQLExpression, numeric: Bool) {
        guard let field = try await fields(of: kind).first(where: { $0.key == key }) else {
            throw GuanxiError.invalid("sort", "\(key) is not a field of \(kind.rawValue).").localized("msg.unknown_field", ["field": key])
        }
        let numeric = field.fieldType == .number || field.fieldType == .money
        let expression = SQLQueryString("""
            COALESCE((SELECT MIN(\(unsafeRaw: numeric ? "number" : "value")) FROM custom_values WHERE record_id = \(unsafeRaw: table).id AND field_id = \(bind: field.id!)), \
            \(unsafeRaw: numeric ? "-1e300" : "''"))
            """)
        return (Keyset.expression(expression, numeric: numeric, ascending: ascending), expression, numeric)
    }
}
