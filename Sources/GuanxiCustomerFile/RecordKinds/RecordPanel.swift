import Foundation
import GuanxiPlatform

/// A section that one area shows on the record pages of a kind it does not own: a
/// customer's page lists the customer's deals because the opportunities registered that
/// panel, and shows the customer's value because the analytics did — the customers'
/// folder knows neither. The page's section index names it, with its count.
package struct RecordPanel: Sendable {
    /// A panel drawn for one record: its HTML (a `<section id="anchor">`) and the count
    /// the section index shows ("" for none).
    package struct Drawn: Sendable {
        package let html: String
        package let count: String
        package init(html: String, count: String = "") { (self.html, self.count) = (html, count) }
    }

    /// The kind whose record pages show it.
    package let host: RecordKind
    /// The section's anchor on the page.
    package let anchor: String
    /// The locale key of its name in the section index.
    package let titleKey: String
    /// The panel for one record, drawn with the reader's permissions; nil when the reader
    /// may see nothing of it.
    package let render: @Sendable (_ id: UUID, _ context: SignedInContext) async throws -> Drawn?

    package init(host: RecordKind, anchor: String, titleKey: String,
                 render: @escaping @Sendable (_ id: UUID, _ context: SignedInContext) async throws -> Drawn?) {
        (self.host, self.anchor, self.titleKey, self.render) = (host, anchor, titleKey, render)
    }
}

extension RecordKinds {
    /// The panels of `kind`'s page drawn for one record, with their entries in the page's section index.
    package func drawnPanels(on kind: RecordKind, _ id: UUID, context: SignedInContext, localizer: Localizer) async throws
        -> (html: [String], index: [RecordHeader.Section]) {
        var html: [String] = [], index: [RecordHeader.Section] = []
        for panel in panels(on: kind) {
            guard let drawn = try await panel.render(id, context) else { continue }
            html.append(drawn.html)
            index.append(.init(anchor: panel.anchor, label: localizer.text(panel.titleKey, context.locale), count: drawn.count))
        }
        return (html, index)
    }
}
