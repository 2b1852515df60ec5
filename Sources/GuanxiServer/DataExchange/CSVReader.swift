/// Reads CSV as Excel and WPS write it (RFC 4180): comma, semicolon or tab separated —
/// the separator is the one of the three that the header line uses most, outside
/// quotes — with quoted fields that may hold separators, doubled quotes and line breaks.
struct CSVReader {
    struct Row: Sendable { let line: Int; let fields: [String] }

    let separator: Character

    init(detectingFrom text: String) {
        var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        for c in text {
            if c == "\"" { quoted.toggle() } else if !quoted, c.isNewline { break } else if !quoted, counts[c] != nil { counts[c]! += 1 }
        }
        separator = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key != ",") }!.key
    }

    /// Every row with the line it starts on; blank lines are skipped. An unbalanced quote
    /// is an error naming the line where the field began.
    func rows(_ text: String) throws -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var quoted = false, fieldWasQuoted = false
        var line = 1, rowStart = 1, quoteStart = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) { rows.append(Row(line: rowStart, fields: fields)) }
            fields = []
            field = ""
            fieldWasQuoted = false
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    if c.isNewline { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                quoted = true
                fieldWasQuoted = true
                quoteStart = line
            case separator:
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r\n", "\n", "\r":
                endRow()
                line += 1
                rowStart = line
            default:
                field.append(c)
            }
        }
        if quoted {
            throw GuanxiError.invalid("file", "Line \(quoteStart): a quoted field is never closed.")
                .localized("msg.csv_unclosed_quote", ["line": String(quoteStart)])
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }
}
