import Foundation
import GuanxiPlatform

/// A section that one area shows on the record pages of a kind it does not own: a
/// customer's page lists the customer's deals because the opportunities registered that
/// panel, and shows the customer's value because the analytics did — the customers'
/// folder knows neither.
package struct RecordPanel: Sendable {
    /// The kind whose record pages show it.
    package let host: RecordKind
    /// The panel's HTML for one record, drawn with the reader's permissions; nil when the
    /// reader may see nothing of it.
    package let render: @Sendable (_ id: UUID, _ context: SignedInContext) async throws -> String?

    package init(host: RecordKind, render: @escaping @Sendable (_ id: UUID, _ context: SignedInContext) async throws -> String?) { (self.host, self.render) = (host, render) }
}
