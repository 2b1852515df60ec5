import Foundation
import GuanxiAPI
import OpenAPIRuntime
import GuanxiPlatform

/// Custom field definitions over the REST API, and the conversions every record's API
/// uses for its `customFields` object and its `cf` / `sortField` list parameters.
extension CustomerFileAPI {
    package func listCustomFields(_ input: Operations.listCustomFields.Input) async throws -> Operations.listCustomFields.Output {
        _ = try RequestPrincipal.require()
        let kind = input.query.recordKind.map { RecordKind(rawValue: $0.rawValue) }
        return .ok(.init(body: .json(.init(items: try await services.customFields.list(for: kind).map(Self.apiCustomField)))))
    }

    package func createCustomField(_ input: Operations.createCustomField.Input) async throws -> Operations.createCustomField.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        return .created(.init(body: .json(Self.apiCustomField(try await services.customFields.create(Self.customFieldInput(body), by: principal)))))
    }

    package func updateCustomField(_ input: Operations.updateCustomField.Input) async throws -> Operations.updateCustomField.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.fieldId, field: "fieldId")
        return .ok(.init(body: .json(Self.apiCustomField(try await services.customFields.update(id, Self.customFieldInput(body), by: principal)))))
    }

    package func deleteCustomField(_ input: Operations.deleteCustomField.Input) async throws -> Operations.deleteCustomField.Output {
        let principal = try RequestPrincipal.require()
        try await services.customFields.delete(try Self.id(input.path.fieldId, field: "fieldId"), by: principal)
        return .noContent(.init())
    }

    package static func customFieldInput(_ body: Components.Schemas.CustomFieldWrite) -> CustomFieldInput {
        var input = CustomFieldInput()
        (input.recordKind, input.key, input.label, input.type, input.choices, input.required) =
            (body.recordKind, body.key, body.label, body._type, body.choices, body.required)
        return input
    }

    package static func apiCustomField(_ f: CustomField) -> Components.Schemas.CustomFieldDefinition {
        .init(id: f.id!.uuidString, recordKind: .init(rawValue: f.recordKind) ?? .customers, key: f.key, label: f.label,
              _type: .init(rawValue: f.type) ?? .text, choices: f.choices, required: f.required)
    }

    /// A `customFields` object as sent, each value by its JSON type.
    package static func customInputs(_ body: Components.Schemas.CustomFieldValues?) throws -> [String: CustomInput]? {
        guard let body else { return nil }
        var out: [String: CustomInput] = [:]
        for (key, value) in body.additionalProperties.value {
            switch value {
            case nil: out[key] = CustomInput.none
            case let text as String: out[key] = .text(text)
            case let flag as Bool: out[key] = .boolean(flag)
            case let number as Int: out[key] = .number(Double(number))
            case let number as Double: out[key] = .number(number)
            case let list as [(any Sendable)?]:
                guard list.allSatisfy({ $0 is String }) else {
                    throw GuanxiError.invalid("customFields.\(key)", "customFields.\(key) must be a list of texts.").localized("msg.custom_type", ["field": key, "type": "multi_choice"])
                }
                out[key] = .list(list.compactMap { $0 as? String })
            default:
                throw GuanxiError.invalid("customFields.\(key)", "customFields.\(key) has a value of an unsupported type.").localized("msg.custom_type", ["field": key, "type": "text"])
            }
        }
        return out
    }

    /// Stored values as the API shows them.
    package static func apiCustomValues(_ values: [String: CustomValue]) -> Components.Schemas.CustomFieldValues {
        var out: [String: (any Sendable)?] = [:]
        for (key, value) in values {
            out[key] = switch value {
            case .text(let v), .date(let v), .choice(let v): v
            case .number(let d): NSDecimalNumber(decimal: d).doubleValue
            case .money(let m): m.decimalText
            case .choices(let list): list
            case .boolean(let b): b
            }
        }
        return .init(additionalProperties: (try? OpenAPIObjectContainer(unvalidatedValue: out)) ?? .init())
    }

    package static func customFilters(_ texts: [String]?) throws -> [CustomFilter] {
        try (texts ?? []).map(CustomFilter.parse)
    }
}
