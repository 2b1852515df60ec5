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
    package init(label: String, value: String, href: String? = nil) { self.label = label; self.value = value; self.href = href }
    package let label: String
    package let value: String
    /// Where the value leads (the record it names, a `tel:` or `mailto:` address); the
    /// `record-fields` partial makes it a link.
    package let href: String?
    /// The one-field form that changes it in place, when the reader may.
    package var edit: InlineEdit?

    /// The field, changeable in place through `edit` (none leaves it read-only).
    package func editable(_ edit: InlineEdit?) -> WebField {
        var field = self
        field.edit = edit
        return field
    }

    /// A phone number that dials when tapped: the link keeps its digits and a leading +.
    package static func phone(label: String, value: String?) -> WebField {
        let value = value ?? ""
        let dial = value.enumerated().filter { $0.element.isASCII && ($0.element.isNumber || ($0.element == "+" && $0.offset == 0)) }.map { String($0.element) }.joined()
        return WebField(label: label, value: value, href: dial.count >= 3 ? "tel:\(dial)" : nil)
    }

    /// An e-mail address that opens the reader's mail program.
    package static func email(label: String, value: String?) -> WebField {
        let value = value ?? ""
        return WebField(label: label, value: value, href: value.contains("@") && !value.contains(where: \.isWhitespace) ? "mailto:\(value)" : nil)
    }

    /// A website that opens in a new tab: only http and https addresses become links (a
    /// bare domain is taken as https), never another scheme.
    package static func website(label: String, value: String?) -> WebField {
        let value = value ?? ""
        let lower = value.lowercased()
        let href: String? = lower.hasPrefix("https://") || lower.hasPrefix("http://") ? value
            : !value.isEmpty && !value.contains(":") && value.contains(".") && !value.contains(where: \.isWhitespace) ? "https://\(value)" : nil
        return WebField(label: label, value: value, href: href)
    }

    package func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "value": value
        // Always answered, so Mustache never looks the names up in an enclosing context.
        case "linked": href != nil
        case "href": href ?? ""
        case "external": href?.hasPrefix("http") == true
        case "edit": edit.map { $0 as Any } ?? false
        case "empty": value.isEmpty
        default: nil
        }
    }
}
