import Mustache

/// How every page escapes the values it shows. swift-mustache's own HTML escaping looks
/// each character up in a dictionary of grapheme clusters — about a tenth of a list
/// page's time. This one reads bytes, hands back the text itself when nothing needs
/// escaping (most values), and escapes the same five characters (`< > & " '`). It is
/// also stricter: a quote followed by a combining mark is one grapheme the character
/// lookup does not recognise, but its byte is escaped here.
package struct HTMLEscaping: MustacheContentType {
    /// The name templates know it by (`{{% CONTENT_TYPE: GUANXI_HTML}}`).
    package static let name = "GUANXI_HTML"
    /// What `WebRenderer` puts before every template so that it, and each partial (which
    /// swift-mustache starts again in its own HTML escaping), escapes this way.
    package static let pragma = "{{% CONTENT_TYPE: \(name)}}"

    package static func register() { MustacheContentTypes.register(HTMLEscaping(), named: name) }

    package func escapeText(_ text: String) -> String { Self.escape(text) }

    package static func escape(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: needsEscape) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
