import Foundation

/// Writes a `MailMessage` as RFC 5322 text: 7-bit headers (RFC 2047 words for Chinese
/// subjects and names), UTF-8 bodies in base64, `multipart/alternative` for text with
/// HTML, `multipart/mixed` around attachments. The result is plain ASCII with CRLF line
/// ends, stored as is in the outbox, so a retry sends exactly the same bytes.
public struct MessageWriter: Sendable {
    public init() {}

    /// The written message and its `Message-ID` (without angle brackets).
    public func write(_ message: MailMessage, id: UUID, date: Date) -> (text: String, messageID: String) {
        let messageID = "\(id.uuidString.lowercased())@\(message.from.domain)"
        var headers: [(String, String)] = [
            ("Date", Self.date(date)),
            ("From", message.from.header),
            ("To", message.to.header),
            ("Message-ID", "<\(messageID)>"),
            ("Subject", EncodedWords.text(message.subject)),
            ("MIME-Version", "1.0"),
        ]
        if let replyTo = message.replyTo { headers.append(("Reply-To", replyTo.header)) }
        if let parent = message.inReplyTo { headers += [("In-Reply-To", "<\(parent)>"), ("References", "<\(parent)>")] }
        switch message.purpose {
        case .marketing:
            if let url = message.unsubscribeURL {
                headers += [("List-Unsubscribe", "<\(url)>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
            }
            headers.append(("Precedence", "bulk"))
        case .automatic:
            headers.append(("Auto-Submitted", "auto-generated"))
        case .transactional:
            break
        }
        var body = Self.part("text/plain; charset=UTF-8", Data(Self.crlf(message.text).utf8))
        if let html = message.html {
            body = multipart("alternative", seed: id, index: 1, [body, Self.part("text/html; charset=UTF-8", Data(Self.crlf(html).utf8))])
        }
        if !message.attachments.isEmpty {
            body = multipart("mixed", seed: id, index: 2, [body] + message.attachments.map { file in
                let name = Self.parameter(file.filename)
                return Self.part("\(file.contentType); name=\(name)", file.data, extra: [("Content-Disposition", "attachment; filename=\(name)")])
            })
        }
        let head = headers.map { EncodedWords.fold("\($0.0): \($0.1)") }.joined(separator: "\r\n")
        return (head + "\r\n" + body, messageID)
    }

    /// One MIME entity: its headers, a blank line, and its body in base64.
    static func part(_ contentType: String, _ data: Data, extra: [(String, String)] = []) -> String {
        let headers = [("Content-Type", contentType), ("Content-Transfer-Encoding", "base64")] + extra
        return headers.map { EncodedWords.fold("\($0.0): \($0.1)") }.joined(separator: "\r\n") + "\r\n\r\n"
            + data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed]) + "\r\n"
    }

    func multipart(_ subtype: String, seed: UUID, index: Int, _ parts: [String]) -> String {
        // A boundary from the message id cannot occur in base64 text (it holds "=_").
        let boundary = "=_guanxi_\(index)_\(seed.uuidString.lowercased())"
        var text = "Content-Type: multipart/\(subtype);\r\n boundary=\"\(boundary)\"\r\n\r\n"
        for part in parts { text += "--\(boundary)\r\n" + part }
        return text + "--\(boundary)--\r\n"
    }

    /// A quoted MIME parameter such as a file name; a Chinese name in encoded words, which
    /// the common mail programs read there although RFC 2047 does not ask them to.
    static func parameter(_ value: String) -> String {
        let plain = EncodedWords.isPlain(value) ? value : EncodedWords.words(value).joined(separator: " ")
        return "\"" + plain.replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "\"", with: "'") + "\""
    }

    /// Any line ending becomes CRLF, as mail requires.
    package static func crlf(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 64)
        var afterCR = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\r"): out += [13, 10]
            case UInt8(ascii: "\n") where afterCR: break
            case UInt8(ascii: "\n"): out += [13, 10]
            default: out.append(byte)
            }
            afterCR = byte == UInt8(ascii: "\r")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 5322 date in UTC: "Sat, 05 Dec 2026 14:03:00 +0000" (written out by hand: a
    /// date formatter made for each message was a sixth of a mail merge's time).
    package static func date(_ date: Date) -> String {
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - day * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = day + 719_468, era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097, yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(days[((day % 7) + 7) % 7]), \(two(d)) \(months[m - 1]) \(y) \(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
    }
}
