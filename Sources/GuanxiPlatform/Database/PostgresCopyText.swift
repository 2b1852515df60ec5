import Foundation
import NIOCore

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN` (`BulkInsert`): values
/// apart by a tab, rows ended by a line feed, `\N` for NULL, and a backslash before a
/// backslash, tab, line feed or carriage return within a value. Each value is written as
/// PostgreSQL's binary bind would have sent it: ids as their text (`UUID.text`), yes/no as `t`/`f`, and
/// times to the microsecond, truncated as PostgresNIO truncates them.
package enum PostgresCopyText {
    /// The rows as COPY's text, or nil when a value is one COPY's text cannot carry as
    /// its bind would (`BulkValue.other`).
    package static func rows(_ rows: [[BulkValue]], columns: Int) -> ByteBuffer? {
        var out = ByteBuffer()
        out.reserveCapacity(rows.count * columns * 16)
        for row in rows {
            precondition(row.count == columns, "a bulk insert row needs one value per column")
            for (index, value) in row.enumerated() {
                if index > 0 { out.writeInteger(UInt8(ascii: "\t")) }
                switch value {
                case .null: out.writeStaticString("\\N")
                case .text(let text): appendEscaped(text, to: &out)
                case .integer(let number): out.writeString(String(number))
                case .flag(let flag): out.writeInteger(UInt8(ascii: flag ? "t" : "f"))
                case .id(let id): out.writeString(id.text)
                case .time(let time): appendTimestamp(time, to: &out)
                case .other: return nil
                }
            }
            out.writeInteger(UInt8(ascii: "\n"))
        }
        return out
    }

    private static func appendEscaped(_ text: String, to out: inout ByteBuffer) {
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        // Most values need no escaping and go in whole.
        guard text.utf8.contains(where: special) else { out.writeString(text); return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): out.writeStaticString("\\t")
            case UInt8(ascii: "\n"): out.writeStaticString("\\n")
            case UInt8(ascii: "\r"): out.writeStaticString("\\r")
            default: out.writeInteger(byte)
            }
        }
    }

    /// `2026-12-06 19:50:33.123456+00`: the microseconds PostgresNIO would bind
    /// (since 2000-01-01, truncated toward zero), written out in UTC.
    package static func appendTimestamp(_ time: Date, to out: inout ByteBuffer) {
        let sinceY2K = Int64(time.timeIntervalSince(Date(timeIntervalSince1970: 946_684_800)) * 1_000_000)
        let micros = sinceY2K + 946_684_800 * 1_000_000
        let (seconds, fraction) = (floorDivide(micros, 1_000_000), micros - floorDivide(micros, 1_000_000) * 1_000_000)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        appendPadded(Int64(parts.tm_year) + 1900, 4, &out); out.writeInteger(UInt8(ascii: "-"))
        appendPadded(Int64(parts.tm_mon) + 1, 2, &out); out.writeInteger(UInt8(ascii: "-"))
        appendPadded(Int64(parts.tm_mday), 2, &out); out.writeInteger(UInt8(ascii: " "))
        appendPadded(Int64(parts.tm_hour), 2, &out); out.writeInteger(UInt8(ascii: ":"))
        appendPadded(Int64(parts.tm_min), 2, &out); out.writeInteger(UInt8(ascii: ":"))
        appendPadded(Int64(parts.tm_sec), 2, &out); out.writeInteger(UInt8(ascii: "."))
        appendPadded(fraction, 6, &out)
        out.writeStaticString("+00")
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func appendPadded(_ value: Int64, _ width: Int, _ out: inout ByteBuffer) {
        let digits = String(value)
        for _ in digits.count..<max(width, digits.count) { out.writeInteger(UInt8(ascii: "0")) }
        out.writeString(digits)
    }
}
