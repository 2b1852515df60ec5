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
            out += #"<text x="\#(labelWidth - 8)" y="\#(y + 17)" text-anchor="end" class="label">\#(escape(bar.label))</text>"#
            out += #"<rect x="\#(labelWidth)" y="\#(y + 4)" width="\#(format(length))" height="\#(rowHeight - 8)" class="bar"/>"#
            out += #"<text x="\#(labelWidth + length + 6)" y="\#(y + 17)" class="value">\#(escape(bar.text))</text>"#
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
