import GuanxiPlatform
/// Reads CSV as Excel and WPS write it (RFC 4180): comma, semicolon or tab separated —
/// the separator is the one of the three that the header line uses most, outside
/// quotes — with quoted fields that may hold separators, doubled quotes and line breaks.
///
/// It works on UTF-8 bytes, a row at a time (`Rows`), so a file of a million rows is read
/// without holding a million rows: separators, quotes and line ends are ASCII and never
/// occur inside a multi-byte character.
package struct CSVReader {
    package struct Row: Sendable {
        package let line: Int
        package let fields: [String]
        package init(line: Int, fields: [String]) { (self.line, self.fields) = (line, fields) }
    }

    package let separator: UInt8

    package init(detectingFrom text: String) { self.init(detectingIn: Array(text.utf8.prefix(65_536))) }

    package init(detectingIn bytes: some Collection<UInt8>) {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var quoted = false
        for c in bytes {
            if c == UInt8(ascii: "\"") { quoted.toggle() } else if !quoted, c == 10 || c == 13 { break } else if !quoted, counts[c] != nil { counts[c]! += 1 }
        }
        separator = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key != UInt8(ascii: ",")) }!.key
    }

    /// Every row of `text` with the line it starts on; blank lines are skipped.
    package func rows(_ text: String) throws -> [Row] {
        let bytes = Array(text.utf8)
        var rows = Rows(bytes: bytes[...], separator: separator)
        var out: [Row] = []
        while let row = try rows.next() { out.append(row) }
        return out
    }

    /// Thrown by `Rows.next()` over a window that is not the file's end when the window
    /// ends inside the next row: the caller adds the file's next piece and asks again.
    package struct NeedsMore: Error {}

    /// The rows of UTF-8 bytes one at a time. An unbalanced quote is an error naming the
    /// line where the field began.
    ///
    /// `bytes` may be a window on a longer file (`isEnd` false): a row that runs past the
    /// window is not read but `NeedsMore` thrown, with the position left at its start.
    package struct Rows: Sendable {
        package let bytes: ArraySlice<UInt8>
        package let separator: UInt8
        package let isEnd: Bool
        package private(set) var position: Int
        package private(set) var line: Int

        package init(bytes: ArraySlice<UInt8>, separator: UInt8, line: Int = 1, isEnd: Bool = true) {
            (self.bytes, self.separator, self.line, self.isEnd, position) = (bytes, separator, line, isEnd, bytes.startIndex)
        }

        /// What is left of the window, from the start of the next row.
        package var rest: ArraySlice<UInt8> { bytes[position...] }

        package mutating func next() throws -> Row? {
            let quote = UInt8(ascii: "\""), cr: UInt8 = 13, lf: UInt8 = 10
            let (startPosition, startLine) = (position, line)
            /// Whether the byte after the current one is in the window; past a window's
            /// end the row is left for the caller to complete.
            func hasNext() throws -> Bool {
                if position < bytes.endIndex { return true }
                if isEnd { return false }
                (position, line) = (startPosition, startLine)
                throw NeedsMore()
            }
            while try hasNext() {
                let rowStart = line
                var fields: [String] = []
                var field: [UInt8] = []
                var quoted = false, fieldWasQuoted = false, quoteStart = line
                var ended = false
                while !ended, try hasNext() {
                    // Bytes that neither end nor quote anything go in as one run: most of a file.
                    let run = position
                    while position < bytes.endIndex, Self.isPlain(bytes[position], separator: quoted ? quote : separator) { position += 1 }
                    if position > run {
                        field.append(contentsOf: bytes[run..<position])
                        continue
                    }
                    let c = bytes[position]
                    position += 1
                    if quoted {
                        if c == quote {
                            if try hasNext(), bytes[position] == quote { field.append(quote); position += 1 } else { quoted = false }
                        } else if c == cr {
                            // A line break inside a field reads as "\n", however the file ends its lines.
                            if try hasNext(), bytes[position] == lf { position += 1 }
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
                        if c == cr, try hasNext(), bytes[position] == lf { position += 1 }
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

        /// Not a quote, a line break or (outside quotes) the separator; inside quotes the
        /// quote is passed as `separator`.
        @inline(__always)
        private static func isPlain(_ byte: UInt8, separator: UInt8) -> Bool {
            byte != separator && byte != UInt8(ascii: "\"") && byte != 13 && byte != 10
        }
    }
}
