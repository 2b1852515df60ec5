/// CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends, and a byte-order mark
/// so that Excel opens Chinese text as UTF-8.
///
/// A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
/// formula by a spreadsheet (CSV injection); it is written with a leading apostrophe,
/// which spreadsheets show as plain text. Numbers the app writes itself pass through
/// `number`, which never needs that.
enum CSVText {
    static let byteOrderMark = "\u{FEFF}"

    static func document(header: [String], rows: [[String]]) -> String {
        byteOrderMark + ([header] + rows).map(line).joined()
    }

    /// One record, CRLF-terminated.
    static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    static func cell(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
