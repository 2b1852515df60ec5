/// Reads CSV as Excel and WPS write it (RFC 4180): comma, semicolon or tab separated —
/// the separator is the one of the three that the header line uses most, outside
/// quotes — with quoted fields that may hold separators, doubled quotes and line breaks.
///
/// It works on UTF-8 bytes, a row at a time (`Rows`), so a file of a million rows is read
/// without holding a million rows: separators, quotes and line ends are ASCII and never
/// occur inside a multi-byte character.
struct CSVReader {
    struct Row: Sendable { let line: Int; let fields: [String] }

    let separator: UInt8

    init(detectingFrom text: String) { self.init(detectingIn: Array(text.utf8.prefix(65_536))) }

    init(detectingIn bytes: some Collection<UInt8>) {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var quoted = false
        for c in bytes {
            if c == UInt8(ascii: "\"") { quoted.toggle() } else if !quoted, c == 10 || c == 13 { break } else if !quoted, counts[c] != nil { counts[c]! += 1 }
        }
        separator = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key != UInt8(ascii: ",")) }!.key
    }

    /// Every row of `text` with the line it starts on; blank lines are skipped.
    func rows(_ text: String) throws -> [Row] {
        let bytes = Array(text.utf8)
        var rows = Rows(bytes: bytes[...], separator: separator)
        var out: [Row] = []
        while let row = try rows.next() { out.append(row) }
        return out
    }

    /// The rows of UTF-8 bytes one at a time. An unbalanced quote is an error naming the
    /// line where the field began.
    struct Rows {
        let bytes: ArraySlice<UInt8>
        let separator: UInt8
        private(set) var position: Int
        private(set) var line = 1

        init(bytes: ArraySlice<UInt8>, separator: UInt8) {
            (self.bytes, self.separator, position) = (bytes, separator, bytes.startIndex)
        }

        mutating func next() throws -> Row? {
            let quote = UInt8(ascii: "\""), cr: UInt8 = 13, lf: UInt8 = 10
            while position < bytes.endIndex {
                let rowStart = line
                var fields: [String] = []
                var field: [UInt8] = []
                var quoted = false, fieldWasQuoted = false, quoteStart = line
                var ended = false
                while position < bytes.endIndex, !ended {
                    let c = bytes[position]
                    position += 1
                    if quoted {
                        if c == quote {
                            if position < bytes.endIndex, bytes[position] == quote { field.append(quote); position += 1 } else { quoted = false }
                        } else if c == cr {
                            // A line break inside a field reads as "\n", however the file ends its lines.
                            if position < bytes.endIndex, bytes[position] == lf { position += 1 }
                            line += 1
                            field.append(lf)
                        } else {
                            if c == lf { line += 1 }
                            field.append(c)
                        }
                        continue
                    }
                    switch c {
                    case quote where field.isEmpty && !fieldWasQuoted:
                        (quoted, fieldWasQuoted, quoteStart) = (true, true, line)
                    case separator:
                        fields.append(String(decoding: field, as: UTF8.self))
                        field.removeAll(keepingCapacity: true)
                        fieldWasQuoted = false
                    case cr, lf:
                        if c == cr, position < bytes.endIndex, bytes[position] == lf { position += 1 }
                        line += 1
                        ended = true
                    default:
                        field.append(c)
                    }
                }
                if quoted {
                    throw GuanxiError.invalid("file", "Line \(quoteStart): a quoted field is never closed.")
                        .localized("msg.csv_unclosed_quote", ["line": String(quoteStart)])
                }
                fields.append(String(decoding: field, as: UTF8.self))
                if fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted { continue }
                return Row(line: rowStart, fields: fields)
            }
            return nil
        }
    }
}
