import Foundation
import Hummingbird
import Mustache
import GuanxiPlatform

/// Moving through a list's pages and changing its order from its headings.
///
/// Lists page by keyset (a cursor says where the next page starts), which has no page
/// numbers to go back to; so each link forward carries the cursors of the pages before
/// (`trail`), and "previous" takes the last one off. Past `trailLimit` pages the oldest
/// are dropped, and "first page" still leads home.
package struct ListPager: MustacheParent {
    package let first: String?
    package let previous: String?
    package let next: String?
    package let number: Int
    /// "第 2 页" / "Page 2".
    package let label: String

    package static let trailLimit = 30
    /// Marks the first page in a trail (it has no cursor).
    static let start = "-"

    package init(request: Request, path: String, next cursor: String?, label: (Int) -> String) {
        let items = ListPager.items(request)
        let after = items.first { $0.name == "after" }?.value.flatMap { $0.isEmpty ? nil : $0 }
        let trail = (items.first { $0.name == "trail" }?.value ?? "").split(separator: "~").map(String.init).filter { !$0.isEmpty }
        let kept = items.filter { !["after", "trail"].contains($0.name) }
        func link(after: String?, trail: [String]) -> String {
            var out = URLComponents()
            out.queryItems = kept + (after.map { [URLQueryItem(name: "after", value: $0)] } ?? [])
                + (trail.isEmpty ? [] : [URLQueryItem(name: "trail", value: trail.suffix(Self.trailLimit).joined(separator: "~"))])
            return path + "?" + (out.percentEncodedQuery ?? "")
        }
        number = after == nil ? 1 : trail.count + 1
        self.label = label(number)
        first = after == nil ? nil : link(after: nil, trail: [])
        if after != nil, let last = trail.last {
            previous = link(after: last == Self.start ? nil : last, trail: Array(trail.dropLast()))
        } else {
            previous = after == nil ? nil : first
        }
        next = cursor.map { link(after: $0, trail: trail + [after ?? Self.start]) }
    }

    /// The request's query without what only one page or one action needs.
    static func items(_ request: Request) -> [URLQueryItem] {
        (URLComponents(string: request.uri.description)?.queryItems ?? []).filter { !["bulk_done", "bulk_failed", "notice"].contains($0.name) }
    }

    package func child(named name: String) -> Any? {
        switch name {
        case "first": first ?? ""
        case "hasFirst": first != nil
        case "previous": previous ?? ""
        case "hasPrevious": previous != nil
        case "next": next ?? ""
        case "hasNext": next != nil
        case "number": number
        case "label": label
        case "shown": first != nil || next != nil
        default: nil
        }
    }
}

/// A list's column heading; one the list can be ordered by links to that order (a custom
/// field's second click reverses it).
package struct ListHeading: MustacheParent {
    package let label: String
    package let href: String?
    /// "▲" or "▼" on the heading the list is ordered by.
    package let mark: String

    /// `sorts` are the list's own orders, by the column key that shows them ("name" for
    /// the first column, "updated", "created"); custom fields (`cf.KEY`) all order.
    package static func make(key: String, label: String, sorts: [String], request: Request, path: String) -> ListHeading {
        let sortable = sorts.contains(key) || key.hasPrefix("cf.")
        guard sortable else { return ListHeading(label: label, href: nil, mark: "") }
        let items = ListPager.items(request)
        let current = items.first { $0.name == "sort" }?.value ?? sorts.first ?? ""
        let descending = items.first { $0.name == "order" }?.value == "desc"
        let isCurrent = current == key
        var out = URLComponents()
        let reverse = key.hasPrefix("cf.") && isCurrent && !descending
        out.queryItems = items.filter { !["after", "trail", "sort", "order"].contains($0.name) } + [URLQueryItem(name: "sort", value: key)]
            + (reverse ? [URLQueryItem(name: "order", value: "desc")] : [])
        // Built-in orders run one way: names A→Z, changes and creation newest first.
        let mark = !isCurrent ? "" : key.hasPrefix("cf.") ? (descending ? "▼" : "▲") : (key == "name" ? "▲" : "▼")
        return ListHeading(label: label, href: path + "?" + (out.percentEncodedQuery ?? ""), mark: mark)
    }

    package func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "href": href ?? ""
        case "sortable": href != nil
        case "mark": mark
        // An empty string counts as present in a Mustache section: say it as a Bool.
        case "sorted": !mark.isEmpty
        case "direction": mark == "▲" ? "ascending" : "descending"
        default: nil
        }
    }
}
