import Foundation

/// One option of a select box on a page.
struct WebChoice: Sendable {
    let value: String
    let label: String
    let selected: Bool

    /// Options for `values`, labelled by `label`, with `selected` chosen; a leading "—"
    /// option (value "") when the field may stay empty.
    static func list(_ values: [String], selected: String?, allowEmpty: Bool = true, label: (String) -> String) -> [WebChoice] {
        (allowEmpty ? [WebChoice(value: "", label: "—", selected: (selected ?? "").isEmpty)] : [])
            + values.map { WebChoice(value: $0, label: label($0), selected: $0 == selected) }
    }
}

/// One labelled value on a record page.
struct WebField: Sendable {
    let label: String
    let value: String
}
