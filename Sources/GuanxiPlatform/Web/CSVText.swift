/// CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends, and a byte-order mark
/// so that Excel opens Chinese text as UTF-8.
///
/// A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
/// formula by a spreadsheet (CSV injection); it is written with a leading apostrophe,
/// which spreadsheets show as plain text. Numbers the app writes itself pass through
/// `number`, which never needs that.
package enum CSVText {
    package static let byteOrderMark = "\u{FEFF}"

    package static func document(header: [String], rows: [[String]]) -> String {
        byteOrderMark + ([header] + rows).map(line).joined()
    }

    /// One record, CRLF-terminated.
    package static func line(_ cells: [String]) -> String {
        var out = ""
        append(cells, to: &out)
        return out
    }

    /// Appends one record, CRLF-terminated, to `out` — an export writes a page into one string.
    package static func append(_ cells: [String], to out: inout String) {
        for (index, text) in cells.enumerated() {
            if index > 0 { out += "," }
            appendCell(text, to: &out)
        }
        out += "\r\n"
    }

    package static func cell(_ text: String) -> String {
        var out = ""
        appendCell(text, to: &out)
        return out
    }

    /// Looks at the cell's bytes, not its characters: a line break written as CR LF is
    /// one character, which compared unequal to both "\r" and "\n" and went out unquoted.
    private static func appendCell(_ text: String, to out: inout String) {
        let bytes = text.utf8
        let formula = bytes.first.map { formulaStarts.contains($0) } == true && Double(text) == nil
        var quotes = false, special = false
        for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            special = true
            if byte == UInt8(ascii: "\"") { quotes = true; break }
        }
        if special { out += "\"" }
        if formula { out += "'" }
        if quotes {
            for (index, part) in bytes.split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false).enumerated() {
                if index > 0 { out += "\"\"" }
                out += Substring(part)
            }
        } else {
            out += text
        }
        if special { out += "\"" }
    }

    private static let formulaStarts: [UInt8] = Array("=+-@\t\r".utf8)
}
