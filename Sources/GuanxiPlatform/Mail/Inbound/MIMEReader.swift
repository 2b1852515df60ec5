import Foundation

/// One MIME entity: a message or a part of one, with its children when it is multipart.
struct MIMEEntity {
    var header: HeaderFields
    var body: ArraySlice<UInt8>
    var children: [MIMEEntity] = []

    /// `Content-Type`, `text/plain` when absent (RFC 2045 §5.2).
    var contentType: (value: String, parameters: [String: String]) {
        header.parameterized("content-type") ?? ("text/plain", [:])
    }
}

/// Splits a message into its MIME tree and decodes the parts' content, within limits
/// that keep a hostile message from costing more than its size.
struct MIMEReader {
    private var parts = 0
    private(set) var unknownCharsets: Set<String> = []

    mutating func entity(_ bytes: ArraySlice<UInt8>, depth: Int) throws -> MIMEEntity {
        parts += 1
        guard depth <= ReceivedMail.deepest, parts <= ReceivedMail.mostParts else {
            throw GuanxiError.invalid("message", "The message nests more than \(ReceivedMail.deepest) levels or holds more than \(ReceivedMail.mostParts) parts.")
                .localized("msg.mail_too_complex", ["depth": String(ReceivedMail.deepest), "parts": String(ReceivedMail.mostParts)])
        }
        let (header, body) = HeaderFields.parse(bytes)
        var entity = MIMEEntity(header: header, body: body)
        let type = entity.contentType
        if type.value.hasPrefix("multipart/"), let boundary = type.parameters["boundary"], !boundary.isEmpty {
            for part in Self.split(body, boundary: Array("--\(boundary)".utf8)) {
                entity.children.append(try self.entity(part, depth: depth + 1))
            }
        }
        return entity
    }

    /// The parts between `--boundary` lines, up to `--boundary--` (RFC 2046 §5.1.1). A
    /// message cut short keeps the parts it has.
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start: Int?
        var index = body.startIndex
        while index < body.endIndex {
            let lineEnd = body[index...].firstIndex(of: UInt8(ascii: "\n")) ?? body.endIndex
            let line = body[index..<lineEnd]
            let after = line.dropFirst(boundary.count)
            // `--b1` is not the boundary `--b` (only white space or `--` may follow it).
            if line.starts(with: boundary), after.starts(with: Array("--".utf8)) || after.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                // The line break before a boundary belongs to the boundary.
                if let s = start {
                    var end = index
                    if end > s, body[end - 1] == UInt8(ascii: "\n") { end -= 1 }
                    if end > s, body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    parts.append(body[s..<end])
                }
                if after.starts(with: Array("--".utf8)) { return parts }
                start = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
            }
            index = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
        }
        if let s = start, s < body.endIndex { parts.append(body[s...]) }
        return parts
    }

    /// The part's content, its transfer encoding undone.
    func content(of entity: MIMEEntity) -> [UInt8] {
        TransferEncoding.decode(entity.body, encoding: entity.header["content-transfer-encoding"])
    }

    /// Text of a part in its charset, noting charsets Guanxi had to guess.
    mutating func text(_ bytes: [UInt8], charset: String?) -> String {
        let (text, known) = Charsets.decode(bytes, charset: charset)
        if !known, let charset { unknownCharsets.insert(charset.lowercased()) }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// The readable text of an HTML mail that came without a plain-text part.
enum PlainText {
    static func fromHTML(_ html: String) -> String {
        var text = html
        for element in ["style", "script", "head"] {
            text = text.replacingOccurrences(of: "(?s)<\(element)[^>]*>.*?</\(element)>", with: "", options: [.regularExpression, .caseInsensitive])
        }
        text = text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
        // A line break closing a block is the block's own end, not an empty line.
        text = text.replacingOccurrences(of: "<br[^>]*>\\s*(</(p|div|li)>)", with: "$1", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<(br|/p|/div|/tr|/li|/h[1-6])[^>]*>", with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n").replacingOccurrences(of: "\n{3,}", with: "\n\n", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
