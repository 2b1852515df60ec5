import Foundation
import GuanxiPlatform

/// A chart that a business area offers the analytics dashboard — the sales pipeline's
/// weighted forecast by month — so the dashboard shows it without knowing the area. The
/// dashboard draws it for readers of `readers`, and offers its table as CSV to those who
/// may also export that kind.
package struct DashboardFigure: Sendable {
    /// One bar: its label, the value it is drawn to, the text shown, and its CSV cells.
    package struct Bar: Sendable {
        package let label: String
        package let value: Double
        package let text: String
        package let cells: [String]

        package init(label: String, value: Double, text: String, cells: [String]) { (self.label, self.value, self.text, self.cells) = (label, value, text, cells) }
    }

    /// Names the figure in its CSV address (`/analytics/csv/<key>`).
    package let key: String
    /// Locale key of its heading.
    package let titleKey: String
    /// The kind the reader must be allowed to read (and, for the CSV, to export).
    package let readers: RecordKind
    /// The CSV's header line.
    package let header: [String]
    /// The bars, counted over what `principal` may read.
    package let bars: @Sendable (_ principal: Principal) async throws -> [Bar]

    package init(key: String, titleKey: String, readers: RecordKind, header: [String], bars: @escaping @Sendable (_ principal: Principal) async throws -> [Bar]) { (self.key, self.titleKey, self.readers, self.header, self.bars) = (key, titleKey, readers, header, bars) }
}
