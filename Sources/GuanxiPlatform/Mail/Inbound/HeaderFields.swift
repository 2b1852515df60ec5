import Foundation

/// The header of a message or of one MIME part: its fields in order, unfolded. Field
/// names compare without case; values are kept as sent (8-bit bytes read as UTF-8 or,
/// failing that, GB18030, since some Chinese mailers put raw GBK in a subject).
public struct HeaderFields: Sendable {
    public private(set) var fields: [(name: String, value: String)] = []

    /// Splits `bytes` at the first empty line: the fields before it, and where the body starts.
    static func parse(_ bytes: ArraySlice<UInt8>) -> (HeaderFields, body: ArraySlice<UInt8>) {
        var header = HeaderFields()
        var index = bytes.startIndex
        var current: [UInt8] = []
        func finish() {
            defer { current = [] }
            guard let colon = current.firstIndex(of: UInt8(ascii: ":")) else { return }
            let name = String(decoding: current[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty, !name.contains(" ") else { return }
            let value = Charsets.guess(Data(current[(colon + 1)...])).trimmingCharacters(in: .whitespaces)
            header.fields.append((name, value))
        }
        while index < bytes.endIndex {
            var end = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let next = end < bytes.endIndex ? end + 1 : end
            if end > index, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[index..<end]
            if line.isEmpty {
                finish()
                return (header, bytes[next...])
            }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                // A folded line continues the field above it (RFC 5322 §2.2.3).
                current.append(UInt8(ascii: " "))
                current += line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            } else {
                finish()
                current = Array(line)
            }
            index = next
        }
        finish()
        return (header, bytes[bytes.endIndex...])
    }

    /// The first value of the field, if present.
    public subscript(_ name: String) -> String? {
        let name = name.lowercased()
        return fields.first { $0.name == name }?.value
    }

    public func all(_ name: String) -> [String] {
        let name = name.lowercased()
        return fields.filter { $0.name == name }.map(\.value)
    }

    /// A structured field such as `Content-Type: text/plain; charset="gbk"`: its lower-cased
    /// main value and its parameters, names lower-cased. RFC 2231 parameters
    /// (`filename*=UTF-8''%E6%8A%A5`, `name*0*=…; name*1*=…`) are joined and decoded.
    public func parameterized(_ name: String) -> (value: String, parameters: [String: String])? {
        guard let raw = self[name] else { return nil }
        let pieces = Self.splitOutsideQuotes(raw, on: ";")
        let value = (pieces.first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var plain: [String: String] = [:]
        var continued: [String: [(Int, String, Bool)]] = [:]
        for piece in pieces.dropFirst() {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            var key = piece[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var text = piece[piece.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
            let extended = key.hasSuffix("*")
            if extended { key.removeLast() }
            if let star = key.firstIndex(of: "*"), let number = Int(key[key.index(after: star)...]) {
                continued[String(key[..<star]), default: []].append((number, text, extended))
            } else if extended {
                plain[key] = Self.percentDecoded(text, charsetPrefixed: true)
            } else {
                plain[key] = text
            }
        }
        for (key, parts) in continued where plain[key] == nil {
            let ordered = parts.sorted { $0.0 < $1.0 }
            if ordered.contains(where: \.2) {
                // The first part names the charset; the others are percent-encoded bytes of it.
                let joined = ordered.map { $0.2 ? $0.1 : $0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0.1 }.joined()
                plain[key] = Self.percentDecoded(joined, charsetPrefixed: true)
            } else {
                plain[key] = ordered.map(\.1).joined()
            }
        }
        return (value, plain)
    }

    /// `UTF-8'zh'%E6%8A%A5%E4%BB%B7` → 报价.
    static func percentDecoded(_ text: String, charsetPrefixed: Bool) -> String {
        var charset: String?
        var encoded = Substring(text)
        if charsetPrefixed {
            let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3 { (charset, encoded) = (String(parts[0]), parts[2]) }
        }
        var bytes: [UInt8] = []
        var index = encoded.utf8.startIndex
        let utf8 = encoded.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high < utf8.endIndex,
               let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(index, offsetBy: 3)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return Charsets.decode(bytes, charset: charset?.isEmpty == false ? charset : "utf-8").text
    }

    /// Splits on `separator` where it is not inside double quotes, angle brackets or a comment.
    static func splitOutsideQuotes(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false, escaped = false, angle = 0, comment = 0
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where quoted: escaped = true
            case "\"" where comment == 0: quoted.toggle()
            case "<" where !quoted && comment == 0: angle += 1
            case ">" where !quoted && comment == 0: angle = max(0, angle - 1)
            case "(" where !quoted: comment += 1
            case ")" where !quoted: comment = max(0, comment - 1)
            case separator where !quoted && angle == 0 && comment == 0:
                parts.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}
