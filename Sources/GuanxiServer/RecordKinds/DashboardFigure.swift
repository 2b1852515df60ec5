import Foundation
import GuanxiPlatform

/// A chart that a business area offers the analytics dashboard — the sales pipeline's
/// weighted forecast by month — so the dashboard shows it without knowing the area. The
/// dashboard draws it for readers of `readers`, and offers its table as CSV to those who
/// may also export that kind.
struct DashboardFigure: Sendable {
    /// One bar: its label, the value it is drawn to, the text shown, and its CSV cells.
    struct Bar: Sendable {
        let label: String
        let value: Double
        let text: String
        let cells: [String]
    }

    /// Names the figure in its CSV address (`/analytics/csv/<key>`).
    let key: String
    /// Locale key of its heading.
    let titleKey: String
    /// The kind the reader must be allowed to read (and, for the CSV, to export).
    let readers: RecordKind
    /// The CSV's header line.
    let header: [String]
    /// The bars, counted over what `principal` may read.
    let bars: @Sendable (_ principal: Principal) async throws -> [Bar]
}
