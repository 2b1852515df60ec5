import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// Charts drawn as SVG by the server, so the dashboard needs no chart service and no
/// script. Every text that goes into the markup passes through `escape`.
package enum SVGChart {
    package struct Bar: Sendable {
        package let label: String
        package let value: Double
        /// What is printed beside the bar (the value, formatted for people).
        package let text: String
        /// Where a click on the bar leads (the list of those customers), if anywhere.
        package var href: String? = nil
    }

    /// Horizontal bars, one per row, longest scaled to the full width.
    package static func bars(_ bars: [Bar], title: String) -> String {
        let rowHeight = 26.0, labelWidth = 190.0, barWidth = 360.0, width = 660.0
        let height = max(1, Double(bars.count)) * rowHeight + 10
        let top = max(bars.map(\.value).max() ?? 0, 0)
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \#(width) \#(height)" width="100%">"#
        out += "<title>\(escape(title))</title>"
        for (i, bar) in bars.enumerated() {
            let y = Double(i) * rowHeight + 5
            let length = top > 0 ? max(0, bar.value) / top * barWidth : 0
            if let href = bar.href { out += #"<a href="\#(escape(href))">"# }
            out += #"<text x="\#(labelWidth - 8)" y="\#(y + 17)" text-anchor="end" class="label">\#(escape(bar.label))</text>"#
            out += #"<rect x="\#(labelWidth)" y="\#(y + 4)" width="\#(format(length))" height="\#(rowHeight - 8)" class="bar c\#(i % 6)"/>"#
            if bar.href != nil { out += "</a>" }
            out += #"<text x="\#(labelWidth + length + 6)" y="\#(y + 17)" class="value">\#(escape(bar.text))</text>"#
        }
        return out + "</svg>"
    }

    /// A time series as a line — the months of history solid, the forecast dashed inside
    /// its band — with a month label every `every` months and the value axis from zero.
    package static func line(history: [(label: String, value: Double)], forecast: [(label: String, value: Double, low: Double, high: Double)],
                             title: String, every: Int = 3, axis: (Double) -> String) -> String {
        let width = 660.0, height = 260.0, left = 70.0, right = 10.0, top = 10.0, bottom = 40.0
        let count = history.count + forecast.count
        guard count > 1 else { return "" }
        let peak = max((history.map(\.value) + forecast.map(\.high)).max() ?? 0, 1)
        func x(_ i: Int) -> Double { left + Double(i) / Double(count - 1) * (width - left - right) }
        func y(_ v: Double) -> Double { top + (1 - max(0, v) / peak) * (height - top - bottom) }
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" role="img" viewBox="0 0 \#(width) \#(height)" width="100%">"#
        out += "<title>\(escape(title))</title>"
        for step in 0...4 {
            let v = peak * Double(step) / 4
            out += #"<line x1="\#(left)" y1="\#(format(y(v)))" x2="\#(width - right)" y2="\#(format(y(v)))" class="grid"/>"#
            out += #"<text x="\#(left - 6)" y="\#(format(y(v) + 4))" text-anchor="end" class="axis">\#(escape(axis(v)))</text>"#
        }
        if !forecast.isEmpty {
            let start = history.count - 1
            let upper = forecast.enumerated().map { "\(format(x(start + 1 + $0.offset))),\(format(y($0.element.high)))" }
            let lower = forecast.enumerated().reversed().map { "\(format(x(start + 1 + $0.offset))),\(format(y($0.element.low)))" }
            let anchor = history.last.map { ["\(format(x(start))),\(format(y($0.value)))"] } ?? []
            out += #"<polygon points="\#((anchor + upper + lower).joined(separator: " "))" class="band"/>"#
            out += #"<polyline points="\#((anchor + forecast.enumerated().map { "\(format(x(start + 1 + $0.offset))),\(format(y($0.element.value)))" }).joined(separator: " "))" class="forecast"/>"#
        }
        out += #"<polyline points="\#(history.enumerated().map { "\(format(x($0.offset))),\(format(y($0.element.value)))" }.joined(separator: " "))" class="history"/>"#
        let labels = history.map(\.label) + forecast.map(\.label)
        // Every `every` months; the last month too, unless it would crowd the one before.
        let last = labels.count - 1
        for (i, label) in labels.enumerated() where i % every == 0 && (i == last || last - i >= 2) || (i == last && last % every >= 2) {
            out += #"<text x="\#(format(x(i)))" y="\#(height - bottom + 18)" text-anchor="\#(i == last ? "end" : "middle")" class="axis">\#(escape(label))</text>"#
        }
        return out + "</svg>"
    }

    /// A curve through points in the unit square, with the diagonal of equality — the
    /// Lorenz curve of revenue concentration.
    package static func lorenz(_ points: [[Double]], title: String, xLabel: String, yLabel: String) -> String {
        let size = 300.0, pad = 40.0
        func x(_ v: Double) -> String { format(pad + v * size) }
        func y(_ v: Double) -> String { format(pad + size - v * size) }
        let path = points.filter { $0.count == 2 }.map { "\(x($0[0])),\(y($0[1]))" }.joined(separator: " ")
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \#(size + 2 * pad) \#(size + 2 * pad)" width="380">"#
        out += "<title>\(escape(title))</title>"
        out += #"<rect x="\#(pad)" y="\#(pad)" width="\#(size)" height="\#(size)" class="frame"/>"#
        out += #"<line x1="\#(x(0))" y1="\#(y(0))" x2="\#(x(1))" y2="\#(y(1))" class="equality"/>"#
        out += #"<polyline points="\#(path)" class="curve"/>"#
        out += #"<text x="\#(pad + size / 2)" y="\#(size + pad + 30)" text-anchor="middle" class="label">\#(escape(xLabel))</text>"#
        out += #"<text x="12" y="\#(pad + size / 2)" transform="rotate(-90 12 \#(pad + size / 2))" text-anchor="middle" class="label">\#(escape(yLabel))</text>"#
        return out + "</svg>"
    }

    package static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    package static func format(_ v: Double) -> String { String(format: "%.1f", v) }
}
