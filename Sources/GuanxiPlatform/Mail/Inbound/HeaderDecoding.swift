import Foundation

/// One mailbox named in a received header; the address is kept as sent, its domain
/// lower-cased (received addresses are not checked the way outgoing ones are).
public struct ReceivedAddress: Sendable, Hashable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String?, address: String) {
        let at = address.lastIndex(of: "@")!
        self.address = String(address[..<at]) + "@" + address[address.index(after: at)...].lowercased()
        self.name = name?.isEmpty == false ? name : nil
    }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }
    /// The part before the @, lower-cased (`mailer-daemon`, `postmaster`).
    public var localPart: String { String(address[..<address.lastIndex(of: "@")!]).lowercased() }
}

extension EncodedWords {
    /// Header text with its RFC 2047 words decoded, in any charset `Charsets` reads.
    /// Adjacent words are joined before decoding: GBK mailers split a character's two
    /// bytes across words, and the space between two words is not part of the text.
    public static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        var output = ""
        var pending: (charset: String, bytes: [UInt8])?
        var gap = ""
        func flush() {
            if let p = pending { output += Charsets.decode(p.bytes, charset: p.charset).text }
            pending = nil
        }
        var rest = Substring(value)
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let word = encodedWord(rest) {
                if let p = pending, p.charset == word.charset {
                    pending = (p.charset, p.bytes + word.bytes)
                } else {
                    flush()
                    pending = word.charset.isEmpty ? nil : (word.charset, word.bytes)
                }
                gap = ""
                rest = rest[word.end...]
                continue
            }
            let character = rest.removeFirst()
            if character == " " || character == "\t", pending != nil {
                gap.append(character)
                continue
            }
            flush()
            output += gap
            gap = ""
            output.append(character)
        }
        flush()
        return output + gap
    }

    /// `=?charset?B|Q?text?=` at the start of `text`: its charset, its bytes, where it ends.
    static func encodedWord(_ text: Substring) -> (charset: String, bytes: [UInt8], end: Substring.Index)? {
        let parts = text.dropFirst(2).split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3].hasPrefix("="), parts[1].count == 1, !parts[0].contains(" "), !parts[2].contains(" ") else { return nil }
        // `UTF-8*zh` names a language too (RFC 2231 §5).
        let charset = String(parts[0].split(separator: "*").first ?? "").lowercased()
        let encoded = parts[2]
        var bytes: [UInt8]
        switch parts[1].uppercased() {
        case "B": bytes = TransferEncoding.base64(Array(encoded.utf8)[...])
        case "Q": bytes = TransferEncoding.quotedPrintable(Array(encoded.utf8)[...], underscoreIsSpace: true)
        default: return nil
        }
        if charset.isEmpty { bytes = [] }
        return (charset, bytes, parts[3].index(after: parts[3].startIndex))
    }

    /// Mailboxes in an address header (`To`, `Cc`, `From`), names decoded; groups
    /// (`undisclosed-recipients:;`) give their members; a piece without an @ is skipped.
    public static func addresses(_ value: String?) -> [ReceivedAddress] {
        guard let value else { return [] }
        var result: [ReceivedAddress] = []
        for var piece in HeaderFields.splitOutsideQuotes(value, on: ",") {
            // "Team: a@x, b@y;" — a group: drop its name, keep its members.
            if let colon = piece.firstIndex(of: ":"), !piece[..<colon].contains("<"), !piece[..<colon].contains("\"") {
                piece = String(piece[piece.index(after: colon)...])
            }
            piece = piece.replacingOccurrences(of: ";", with: "").trimmingCharacters(in: .whitespaces)
            var name: String?, address: String
            if let open = piece.lastIndex(of: "<"), let close = piece[open...].firstIndex(of: ">") {
                address = String(piece[piece.index(after: open)..<close])
                name = cleanName(String(piece[..<open]))
            } else {
                // `wang@example.cn (王伟)`: the comment is the name.
                var bare = piece
                if let open = bare.firstIndex(of: "("), let close = bare.lastIndex(of: ")"), open < close {
                    name = cleanName(String(bare[bare.index(after: open)..<close]))
                    bare.removeSubrange(open...close)
                }
                address = bare
            }
            address = address.trimmingCharacters(in: .whitespaces)
            if address.lowercased().hasPrefix("mailto:") { address.removeFirst(7) }
            guard let at = address.lastIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex,
                  !address.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," }) else { continue }
            result.append(ReceivedAddress(name: name, address: address))
        }
        return result
    }

    static func cleanName(_ raw: String) -> String? {
        var name = raw.trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
        }
        name = decode(name).trimmingCharacters(in: .whitespacesAndNewlines)
        // Outlook quotes the address as the name ('wang@example.cn' <wang@example.cn>).
        if name.hasPrefix("'"), name.hasSuffix("'"), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        return name.isEmpty ? nil : name
    }

    /// The `<id@host>` tokens of `Message-ID`, `In-Reply-To` or `References`, without brackets.
    public static func messageIDs(_ value: String?) -> [String] {
        guard let value else { return [] }
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty, id.count <= 500 { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    /// An RFC 5322 date (`Fri, 4 Dec 2026 09:30:00 +0800`), with or without the weekday
    /// and seconds, and with the obsolete zone names; nil when it cannot be read.
    public static func date(_ value: String?) -> Date? {
        guard var text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let comma = text.firstIndex(of: ",") { text = String(text[text.index(after: comma)...]).trimmingCharacters(in: .whitespaces) }
        if let comment = text.firstIndex(of: "(") { text = String(text[..<comment]).trimmingCharacters(in: .whitespaces) }
        let zones = ["UT": "+0000", "GMT": "+0000", "EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
                     "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700", "Z": "+0000"]
        var words = text.split(separator: " ").map(String.init)
        if let last = words.last, let zone = zones[last.uppercased()] { words[words.count - 1] = zone }
        text = words.joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        for format in ["d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm Z", "d MMM yy HH:mm:ss Z"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
