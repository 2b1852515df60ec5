import Foundation
import GuanxiPlatform

/// The custom fields of a record on its form (`custom-inputs` partial) and on its page.
package struct CustomFieldForm {
    package let services: CustomerFileServices

    package struct Input {
        package let name: String; let label: String; let required: Bool; let value: String
        package let isText: Bool; let isDate: Bool; let isSelect: Bool; let isMulti: Bool
        package let options: [WebChoice]
    }

    /// Inputs for the fields of a record (nil: a new one), showing what was typed, else the saved values.
    package func inputs(_ kind: RecordKind, recordID: UUID?, typed: FormData?, locale: String) async throws -> [Input] {
        var saved: [String: CustomValue] = [:]
        if let recordID { saved = try await services.customValues.values(of: kind, id: recordID) }
        return try await inputs(kind, saved: saved, typed: typed, locale: locale)
    }

    package func inputs(_ kind: RecordKind, saved: [String: CustomValue], typed: FormData?, locale: String) async throws -> [Input] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        return try await services.customValues.fields(of: kind).map { f in
            let name = "cf_\(f.key)"
            let stored = saved[f.key]
            let current = typed?[name] ?? stored.map { value -> String in
                if case .boolean(let b) = value { return b ? "true" : "false" }
                if case .money(let m) = value { return m.decimalText }
                return value.storedTexts.first ?? ""
            } ?? ""
            switch f.fieldType {
            case .choice:
                return Input(name: name, label: f.label, required: f.required, value: "", isText: false, isDate: false, isSelect: true, isMulti: false,
                             options: WebChoice.list(f.choices, selected: current) { $0 })
            case .boolean:
                return Input(name: name, label: f.label, required: f.required, value: "", isText: false, isDate: false, isSelect: true, isMulti: false,
                             options: WebChoice.list(["true", "false"], selected: current) { t("custom_fields.\($0)") })
            case .multiChoice:
                let chosen = Set(typed.map { $0.values(name) } ?? stored?.storedTexts ?? [])
                return Input(name: name, label: f.label, required: f.required, value: "", isText: false, isDate: false, isSelect: false, isMulti: true,
                             options: f.choices.map { WebChoice(value: $0, label: $0, selected: chosen.contains($0)) })
            case .date:
                return Input(name: name, label: f.label, required: f.required, value: current, isText: false, isDate: true, isSelect: false, isMulti: false, options: [])
            default:
                return Input(name: name, label: f.label, required: f.required, value: current, isText: true, isDate: false, isSelect: false, isMulti: false, options: [])
            }
        }
    }

    /// What a submitted form says about the kind's fields (nil when the form had none).
    package static func values(_ form: FormData, fields: [CustomField]) -> [String: CustomInput]? {
        guard form["cf_sent"] != nil else { return nil }
        var out: [String: CustomInput] = [:]
        for f in fields {
            let name = "cf_\(f.key)"
            out[f.key] = f.fieldType == .multiChoice ? .list(form.values(name)) : .text(form[name] ?? "")
        }
        return out
    }

    /// The record's values as labelled lines for its page, in the fields' order.
    package func display(_ kind: RecordKind, values: [String: CustomValue], locale: String) async throws -> [WebField] {
        try await services.customValues.fields(of: kind).compactMap { f in
            values[f.key].map { WebField(label: f.label, value: $0.display) }
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
