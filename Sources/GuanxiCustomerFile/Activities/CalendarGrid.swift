import Foundation
import GuanxiPlatform

/// The week and day views as a time grid, drawn as SVG by the server: one column per day,
/// one row per hour, each activity a block from its start to its end (half an hour when
/// it has no end), and activities that overlap side by side. SVG places the blocks with
/// attributes, so the page needs no inline style under the Content-Security-Policy.
package enum CalendarGrid {
    package struct Event: Sendable, Equatable {
        package let id: String
        /// Minutes from the day's midnight, in the reader's time zone.
        package let start: Int
        package let end: Int
        package let label: String
        package let done: Bool
        package init(id: String, start: Int, end: Int, label: String, done: Bool) { (self.id, self.start, self.end, self.label, self.done) = (id, start, end, label, done) }
    }
    package struct Column: Sendable {
        package let heading: String; package let today: Bool; package let events: [Event]
        package init(heading: String, today: Bool, events: [Event]) { (self.heading, self.today, self.events) = (heading, today, events) }
    }

    /// Each event's lane and the number of lanes of the overlapping group it belongs to:
    /// a group shares its column's width equally, so no block hides another.
    package static func lanes(_ events: [Event]) -> [(event: Event, lane: Int, lanes: Int)] {
        let sorted = events.sorted { ($0.start, $0.end, $0.id) < ($1.start, $1.end, $1.id) }
        var out: [(event: Event, lane: Int, lanes: Int)] = []
        var group: [(event: Event, lane: Int)] = []
        var groupEnd = Int.min
        func close() {
            let width = (group.map(\.lane).max() ?? -1) + 1
            out += group.map { ($0.event, $0.lane, width) }
            group = []
        }
        for event in sorted {
            if event.start >= groupEnd { close() }
            // The first lane free at this event's start.
            var lane = 0
            while group.contains(where: { $0.lane == lane && $0.event.end > event.start }) { lane += 1 }
            group.append((event, lane))
            groupEnd = max(groupEnd == Int.min ? event.end : groupEnd, event.end)
        }
        close()
        return out
    }

    /// The grid from 8:00 to 19:00, widened to the hours the activities need.
    package static func svg(_ columns: [Column], title: String) -> String {
        let all = columns.flatMap(\.events)
        let first = min(8, (all.map(\.start).min() ?? 8 * 60) / 60)
        let last = max(19, ((all.map(\.end).max() ?? 19 * 60) + 59) / 60)
        let hourHeight = 44.0, head = 34.0, gutter = 48.0
        let width = columns.count > 1 ? 1000.0 : 640.0
        let dayWidth = (width - gutter) / Double(max(columns.count, 1))
        let height = head + Double(last - first) * hourHeight + 4
        func y(_ minutes: Int) -> Double { head + Double(minutes - first * 60) / 60 * hourHeight }
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart time-grid" role="img" viewBox="0 0 \#(width) \#(height)" width="100%">"#
        out += "<title>\(escape(title))</title>"
        for hour in first...last {
            out += #"<line x1="\#(gutter)" y1="\#(y(hour * 60))" x2="\#(width)" y2="\#(y(hour * 60))" class="grid"/>"#
            if hour < last { out += #"<text x="\#(gutter - 6)" y="\#(y(hour * 60) + 14)" text-anchor="end" class="axis">\#(String(format: "%02d:00", hour))</text>"# }
        }
        for (index, column) in columns.enumerated() {
            let left = gutter + Double(index) * dayWidth
            if column.today { out += #"<rect x="\#(left)" y="0" width="\#(dayWidth)" height="\#(height)" class="today"/>"# }
            out += #"<line x1="\#(left)" y1="0" x2="\#(left)" y2="\#(height)" class="grid"/>"#
            out += #"<text x="\#(left + dayWidth / 2)" y="22" text-anchor="middle" class="heading">\#(escape(column.heading))</text>"#
            for placed in lanes(column.events) {
                let laneWidth = (dayWidth - 6) / Double(placed.lanes)
                let x = left + 3 + Double(placed.lane) * laneWidth
                let top = y(placed.event.start), bottom = max(y(placed.event.end), top + 18)
                // Room for about one character per 7 units of width, on as many lines as fit.
                let perLine = max(2, Int((laneWidth - 8) / 13))
                let lines = max(1, Int((bottom - top - 4) / 16))
                let text = Array(placed.event.label)
                out += #"<a href="/activities/\#(placed.event.id)"><rect x="\#(f(x))" y="\#(f(top))" width="\#(f(laneWidth - 2))" height="\#(f(bottom - top - 1))" rx="4" class="event\#(placed.event.done ? " done" : "")"/>"#
                for line in 0..<lines where line * perLine < text.count {
                    var piece = String(text[(line * perLine)..<min(text.count, (line + 1) * perLine)])
                    if line == lines - 1 && (line + 1) * perLine < text.count { piece = String(piece.dropLast()) + "…" }
                    out += #"<text x="\#(f(x + 4))" y="\#(f(top + 14 + Double(line) * 16))" class="event-text">\#(escape(piece))</text>"#
                }
                out += "<title>\(escape(placed.event.label))</title></a>"
            }
        }
        return out + "</svg>"
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
