import Foundation
import Mustache

/// The text of a template with its merge fields: Mustache (`{{contact.name}}`, a section
/// `{{#customer.city}}…{{/customer.city}}` shown only when the value is there), rendered
/// as plain text — nothing is escaped here, because every place that shows the result
/// as HTML (the e-mail's HTML part, a letter, a preview) escapes the whole of it there.
public enum MergeText {
    /// The opening that makes swift-mustache leave values as they are.
    static let plain = "{{% CONTENT_TYPE: TEXT}}"

    /// Checks that `text` is a template and names only `fields` (so a misspelt
    /// `{{contact.nmae}}` is caught when saving, not found blank in a thousand letters).
    public static func check(_ text: String, field: String, fields: Set<String>) throws {
        do {
            _ = try MustacheTemplate(string: plain + text)
        } catch {
            throw GuanxiError.invalid(field, "\(field) is not a valid template: a {{ is not closed by }}, or a section is not closed.")
                .localized("msg.template_syntax", ["field": field])
        }
        for tag in tags(in: text) {
            if tag.hasPrefix(">") || tag.hasPrefix("<") || tag.hasPrefix("=") || tag.hasPrefix("$") {
                throw GuanxiError.invalid(field, "\(field) may hold merge fields and sections only, not {{\(tag)}}.")
                    .localized("msg.template_tag", ["field": field, "tag": tag])
            }
            let name = tag.drop { "#^/&{".contains($0) }.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "}", with: "")
            if tag.hasPrefix("!") || tag.hasPrefix("%") || name.isEmpty { continue }
            guard fields.contains(name) else {
                throw GuanxiError.invalid(field, "\(field) names an unknown merge field: \(name).")
                    .localized("msg.template_field", ["field": field, "name": name])
            }
        }
    }

    /// The text of every `{{…}}` tag, without its braces.
    static func tags(in text: String) -> [String] {
        var out: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            out.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
            if rest.hasPrefix("}") { rest = rest.dropFirst() }
        }
        return out
    }

    /// `text` with the fields of `values` filled in; `values` is a tree of dictionaries
    /// (`["contact": ["name": "王秀英"]]`), a field with no value is left blank.
    public static func render(_ text: String, _ values: [String: Any]) throws -> String {
        try MustacheTemplate(string: plain + text).render(values)
    }

    /// A compiled template, for rendering the same text for many recipients.
    public struct Compiled: Sendable {
        let template: MustacheTemplate
        public init(_ text: String) throws { template = try MustacheTemplate(string: MergeText.plain + text) }
        public func render(_ values: [String: Any]) -> String { template.render(values) }
    }
}
