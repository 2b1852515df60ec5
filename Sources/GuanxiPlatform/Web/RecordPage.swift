import Foundation
import Mustache

/// The top of a record page (the `record-header` partial): where the record sits in the
/// file (breadcrumbs), its name and badges, the few facts a reader looks for first, and
/// an index of the page's sections with how many records each lists. The page's actions
/// go into the partial's `actions` block.
package struct RecordHeader: Sendable {
    package struct Crumb: Sendable {
        package let label: String; let href: String
        package init(label: String, href: String) { (self.label, self.href) = (label, href) }
    }
    /// One entry of the section index: the anchor of a section on the page, its name, and
    /// its count ("" when it lists nothing countable, "50+" when only the first are read).
    package struct Section: Sendable {
        package let anchor: String; let label: String; let count: String
        /// Whether it shows a count (Mustache takes an empty string for true).
        package let counted: Bool
        package init(anchor: String, label: String, count: String) { (self.anchor, self.label, self.count, self.counted) = (anchor, label, count, !count.isEmpty) }
    }

    package let crumbs: [Crumb]
    package let title: String
    package let badges: [String]
    package let facts: [WebField]
    package let sections: [Section]

    package init(crumbs: [Crumb], title: String, badges: [String] = [], facts: [WebField], sections: [Section]) {
        self.crumbs = crumbs; self.title = title; self.badges = badges.filter { !$0.isEmpty }
        self.facts = facts.filter { !$0.value.isEmpty }; self.sections = sections
    }

    /// A count for the index: exact below `limit`, "limit+" when a list read only its first `limit` rows.
    package static func count(_ n: Int, limit: Int? = nil) -> String {
        if let limit, n >= limit { return "\(limit)+" }
        return String(n)
    }
}

/// The fields of a record page under one heading ("contact details", "dates" …); the
/// `record-fields` partial draws each group as a table of its own.
package struct WebFieldGroup: Sendable {
    package let title: String
    package let fields: [WebField]

    package init(title: String, fields: [WebField]) { (self.title, self.fields) = (title, fields) }

    /// The group with its empty fields left out, except those the reader can fill in
    /// where they stand; nil when nothing is left.
    package static func shown(_ title: String, _ fields: [WebField]) -> WebFieldGroup? {
        let kept = fields.filter { !$0.value.isEmpty || $0.edit != nil }
        return kept.isEmpty ? nil : WebFieldGroup(title: title, fields: kept)
    }
}

/// A record page field its reader may change where it stands: a small form of one field
/// that posts to the record's `field` route with the version the page was drawn from, so
/// it passes the same validation and version check as the record's edit form.
package struct InlineEdit: Sendable, MustacheParent {
    /// Where the form posts (`<record>/field`).
    package let action: String
    /// The form field, as the record's edit form names it.
    package let name: String
    package let version: Int
    /// The input's type (`text`, `email`, `tel`, `url`, `date`, `number`), or `select` with `options`.
    package let type: String
    /// The saved value as the input takes it (a code, an ISO date), not as the page shows it.
    package let value: String
    package let options: [WebChoice]

    package func child(named name: String) -> Any? {
        switch name {
        case "action": action
        case "name": self.name
        case "version": version
        case "type": type
        case "value": value
        case "options": options
        case "select": type == "select"
        default: nil
        }
    }
}

/// Builds a record page's `InlineEdit`s; gives none when the reader may not change the record.
package struct InlineEditor: Sendable {
    package let action: String
    package let version: Int
    package let enabled: Bool

    package init(record: SiteURL, version: Int, enabled: Bool) {
        self.action = record.appending("field").description; self.version = version; self.enabled = enabled
    }

    package func text(_ name: String, _ value: String?, type: String = "text") -> InlineEdit? {
        enabled ? InlineEdit(action: action, name: name, version: version, type: type, value: value ?? "", options: []) : nil
    }

    package func select(_ name: String, _ value: String?, _ options: [WebChoice]) -> InlineEdit? {
        enabled ? InlineEdit(action: action, name: name, version: version, type: "select", value: value ?? "", options: options) : nil
    }
}
