import Foundation
import GuanxiPlatform

/// vCard text (RFC 2426 for 3.0, RFC 6350 for 4.0; 2.1 as older phones export it, read
/// only): escaping, line folding at 75 octets without splitting a character, and reading
/// cards back into properties with their parameters.
package enum VCard {
    package enum Version: String, Sendable, CaseIterable { case v3 = "3.0", v4 = "4.0" }

    /// One property of a card: `TEL;TYPE=CELL:138 0013 8000`.
    package struct Property: Sendable, Equatable {
        package let name: String
        /// Parameter names upper-cased; bare 2.1 types (`TEL;CELL`) are kept under TYPE.
        package let parameters: [String: [String]]
        package let value: String
        /// Lower-cased TYPE values: cell, work, home, fax, internet, pref …
        package var types: Set<String> { Set((parameters["TYPE"] ?? []).flatMap { $0.lowercased().split(separator: ",").map(String.init) }) }
    }

    package struct Card: Sendable { package let line: Int; package let properties: [Property] }

    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A content line folded at 75 octets, CRLF-terminated; continuation lines start with a space.
    package static func line(_ text: String) -> String {
        var out = "", current = 0
        for scalar in text.unicodeScalars {
            let size = String(scalar).utf8.count
            if current + size > 75 { out += "\r\n "; current = 1 }
            out.unicodeScalars.append(scalar)
            current += size
        }
        return out + "\r\n"
    }

    /// Splits a structured value (N, ADR, ORG) at unescaped semicolons and unescapes each part.
    package static func components(_ value: String) -> [String] {
        var parts: [String] = [], current = "", escaped = false
        for c in value {
            if escaped { current.append(c == "n" || c == "N" ? "\n" : c); escaped = false }
            else if c == "\\" { escaped = true }
            else if c == ";" { parts.append(current); current = "" }
            else { current.append(c) }
        }
        return parts + [current]
    }

    package static func unescape(_ value: String) -> String { components(value.replacingOccurrences(of: ";", with: "\\;")).joined(separator: ";") }

    /// Every card of a file, each with the line it begins on. Unfolds continuation lines
    /// and decodes 2.1's quoted-printable values.
    package static func cards(_ text: String) throws -> [Card] {
        var lines: [(number: Int, text: String)] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let line = String(raw).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1].text += line.dropFirst()
            } else if let last = lines.last, last.text.uppercased().contains("QUOTED-PRINTABLE"), last.text.hasSuffix("=") {
                lines[lines.count - 1].text = String(last.text.dropLast()) + line
            } else if !line.isEmpty {
                lines.append((number, line))
            }
        }
        var cards: [Card] = [], current: [Property]?, start = 0
        for (number, line) in lines {
            guard let colon = Self.colon(in: line) else {
                throw GuanxiError.invalid("file", "Line \(number): a vCard line needs a colon between its name and value.")
                    .localized("msg.vcard_line", ["line": String(number)])
            }
            var head = line[..<colon].split(separator: ";").map(String.init)
            var name = head.removeFirst().uppercased()
            if let dot = name.lastIndex(of: ".") { name = String(name[name.index(after: dot)...]) }
            var parameters: [String: [String]] = [:]
            for parameter in head {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parameters[pair[0].uppercased(), default: []].append(pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
                else { parameters["TYPE", default: []].append(pair[0]) }
            }
            var value = String(line[line.index(after: colon)...])
            if parameters["ENCODING"]?.first?.uppercased() == "QUOTED-PRINTABLE" { value = quotedPrintable(value) }
            switch name {
            case "BEGIN" where value.uppercased() == "VCARD": (current, start) = ([], number)
            case "END" where value.uppercased() == "VCARD":
                if let properties = current { cards.append(Card(line: start, properties: properties)) }
                current = nil
            default: current?.append(Property(name: name, parameters: parameters, value: value))
            }
        }
        if current != nil {
            throw GuanxiError.invalid("file", "Line \(start): a vCard begins but never ends (END:VCARD is missing).")
                .localized("msg.vcard_unclosed", ["line": String(start)])
        }
        return cards
    }

    /// The colon that ends a line's name and parameters (parameters may quote colons).
    private static func colon(in line: String) -> String.Index? {
        var quoted = false
        for index in line.indices {
            if line[index] == "\"" { quoted.toggle() } else if line[index] == ":" && !quoted { return index }
        }
        return nil
    }

    package static func quotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let b = utf8.popFirst() {
            if b == UInt8(ascii: "="), utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func looksLikeVCard(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(64), as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}").union(.whitespacesAndNewlines))
        return head.uppercased().hasPrefix("BEGIN:VCARD")
    }
}
