import Foundation

/// One option of a select box on a page.
package struct WebChoice: Sendable {
    package init(value: String, label: String, selected: Bool) { self.value = value; self.label = label; self.selected = selected }
    package let value: String
    package let label: String
    package let selected: Bool

    /// Options for `values`, labelled by `label`, with `selected` chosen; a leading "—"
    /// option (value "") when the field may stay empty.
    package static func list(_ values: [String], selected: String?, allowEmpty: Bool = true, label: (String) -> String) -> [WebChoice] {
        (allowEmpty ? [WebChoice(value: "", label: "—", selected: (selected ?? "").isEmpty)] : [])
            + values.map { WebChoice(value: $0, label: label($0), selected: $0 == selected) }
    }
}

/// One labelled value on a record page.
package struct WebField: Sendable {
    package init(label: String, value: String) { self.label = label; self.value = value }
    package let label: String
    package let value: String
}
