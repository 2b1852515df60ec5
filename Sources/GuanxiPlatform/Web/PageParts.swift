import Foundation
import Mustache

/// One option of a select box on a page. Pages hold many (a picker of every user, every
/// column), so templates read its fields by name rather than by reflection (`MustacheTree`).
package struct WebChoice: Sendable, MustacheParent {
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

    package func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        case "selected": selected
        default: nil
        }
    }
}

/// One labelled value on a record page, read by name like `WebChoice`.
package struct WebField: Sendable, MustacheParent {
    package init(label: String, value: String) { self.label = label; self.value = value }
    package let label: String
    package let value: String

    package func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "value": value
        default: nil
        }
    }
}
