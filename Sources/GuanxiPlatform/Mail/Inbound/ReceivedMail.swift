import Foundation

/// One received e-mail, read from its RFC 5322 text (`parse`): who it is from and to,
/// its subject and text, its attachments, how it threads, and — for a delivery status
/// notification (RFC 3464) — which addresses could not be reached.
public struct ReceivedMail: Sendable {
    public struct EnclosedFile: Sendable, Equatable {
        public var filename: String
        public var contentType: String
        public var data: Data
        public init(filename: String, contentType: String, data: Data) { (self.filename, self.contentType, self.data) = (filename, contentType, data) }
    }

    /// An address a mail system could not deliver to, as its report says.
    public struct DeliveryFailure: Sendable, Equatable {
        public var address: String
        /// The enhanced status code (`5.1.1`).
        public var status: String
        /// The remote server's words (`550 5.1.1 user unknown`).
        public var diagnostic: String?
    }

    public var header: HeaderFields
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    public var subject: String
    public var from: [ReceivedAddress]
    public var to: [ReceivedAddress]
    public var cc: [ReceivedAddress]
    public var date: Date?
    public var text: String
    public var html: String?
    public var attachments: [EnclosedFile]
    /// An auto-reply, a bounce or a list message: never answered, never made a lead.
    public var isAutomatic: Bool
    /// A delivery report's permanent failures (empty for any other message).
    public var deliveryFailures: [DeliveryFailure]
    /// The Message-ID of the message a delivery report is about.
    public var reportedMessageID: String?
    /// The senders of mail forwarded inside this one (a colleague forwarding a customer's mail).
    public var forwardedFrom: [ReceivedAddress]
    /// Charsets the message named that Guanxi does not know; its text was guessed.
    public var unknownCharsets: [String]
    /// The message as it arrived.
    public var raw: Data?
    /// How many mail servers it passed (`Received` fields); a loop passes many.
    public var hops: Int { header.all("received").count }

    /// Everyone the message names: sender, recipients and the senders of forwarded mail.
    public var everyone: [ReceivedAddress] { from + to + cc + forwardedFrom }

    /// The message IDs it answers, nearest first (`In-Reply-To`, then `References` from the end).
    public var thread: [String] {
        var seen = Set<String>()
        return (inReplyTo + references.reversed()).filter { seen.insert($0).inserted }
    }

    /// Parts deeper or more numerous than this are a malformed or hostile message.
    static let deepest = 20, mostParts = 1000

    public static func parse(_ data: Data) throws -> ReceivedMail {
        let bytes = [UInt8](data)
        var reader = MIMEReader()
        let root = try reader.entity(bytes[...], depth: 0)
        let h = root.header
        guard h["from"] != nil || h["message-id"] != nil || h["subject"] != nil || h["received"] != nil else {
            throw GuanxiError.invalid("message", "This is not an e-mail message: it has no From, Subject, Message-ID or Received field.")
                .localized("msg.not_a_mail", [:])
        }
        var mail = ReceivedMail(header: h, messageID: EncodedWords.messageIDs(h["message-id"]).first,
                                inReplyTo: EncodedWords.messageIDs(h["in-reply-to"]), references: EncodedWords.messageIDs(h["references"]),
                                subject: EncodedWords.decode(h["subject"] ?? "").replacingOccurrences(of: "\t", with: " "),
                                from: EncodedWords.addresses(h["from"]), to: EncodedWords.addresses(h.all("to").joined(separator: ",")),
                                cc: EncodedWords.addresses(h.all("cc").joined(separator: ",")), date: EncodedWords.date(h["date"]),
                                text: "", html: nil, attachments: [], isAutomatic: false, deliveryFailures: [], reportedMessageID: nil,
                                forwardedFrom: [], unknownCharsets: [])
        mail.raw = data
        mail.collect(root, reader: &reader)
        if mail.text.isEmpty, let html = mail.html { mail.text = PlainText.fromHTML(html) }
        mail.unknownCharsets = Array(reader.unknownCharsets).sorted()
        mail.forwardedFrom += mail.forwardedSenders()
        let auto = h["auto-submitted"]?.lowercased(), precedence = h["precedence"]?.lowercased()
        mail.isAutomatic = (auto != nil && auto != "no") || ["bulk", "junk", "list", "auto_reply"].contains(precedence ?? "")
            || h["x-autoreply"] != nil || h["x-autorespond"] != nil || h["list-id"] != nil
            || mail.from.contains { ["mailer-daemon", "postmaster"].contains($0.localPart) } || !mail.deliveryFailures.isEmpty
        return mail
    }

    /// Gathers the text, the HTML, the attachments and any delivery report from the tree.
    mutating func collect(_ entity: MIMEEntity, reader: inout MIMEReader) {
        let type = entity.contentType
        if type.value.hasPrefix("multipart/") {
            for child in entity.children { collect(child, reader: &reader) }
            return
        }
        if type.value == "message/delivery-status" || type.value == "message/global-delivery-status" {
            deliveryFailures += DeliveryReport.failures(in: entity.body)
            return
        }
        if type.value == "text/rfc822-headers", deliveryFailures.isEmpty == false || header["content-type"]?.lowercased().contains("report") == true {
            reportedMessageID = EncodedWords.messageIDs(HeaderFields.parse(entity.body).0["message-id"]).first
            return
        }
        let data = reader.content(of: entity)
        let disposition = entity.header.parameterized("content-disposition")
        let named = (disposition?.parameters["filename"] ?? type.parameters["name"]).map(EncodedWords.decode)
        let attached = disposition?.value == "attachment" || named != nil
        if type.value == "message/rfc822" {
            // Forwarded as an attachment: the mail inside tells who wrote first.
            if let inner = try? ReceivedMail.parse(Data(data)) {
                if header["content-type"]?.lowercased().contains("report") == true { reportedMessageID = reportedMessageID ?? inner.messageID }
                forwardedFrom += inner.from
                attachments.append(EnclosedFile(filename: named ?? Self.fileName(inner.subject, ".eml"), contentType: "message/rfc822", data: Data(data)))
            }
            return
        }
        if !attached, type.value == "text/plain", text.isEmpty {
            text = reader.text(data, charset: type.parameters["charset"])
        } else if !attached, type.value == "text/html", html == nil {
            html = reader.text(data, charset: type.parameters["charset"])
        } else if !data.isEmpty {
            attachments.append(EnclosedFile(filename: named ?? Self.fileName("attachment", ""), contentType: type.value, data: Data(data)))
        }
    }

    static func fileName(_ base: String, _ suffix: String) -> String {
        let cleaned = base.filter { !"/\\:*?\"<>|".contains($0) && !$0.isNewline }.prefix(100)
        return (cleaned.isEmpty ? "message" : String(cleaned)) + suffix
    }

    /// The "From:" / "发件人：" lines of a forwarded message quoted in the text (Outlook,
    /// Foxmail and webmail all write one under their "original message" line).
    func forwardedSenders() -> [ReceivedAddress] {
        let lower = subject.lowercased()
        guard lower.hasPrefix("fw") || lower.hasPrefix("转发") || lower.hasPrefix("轉寄") || text.contains("Forwarded message")
                || text.contains("Original Message") || text.contains("原始邮件") || text.contains("转发邮件") else { return [] }
        var found: [ReceivedAddress] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: CharacterSet(charactersIn: " >*\t"))
            for label in ["From:", "From：", "发件人:", "发件人：", "寄件者:", "寄件者：", "发件人 :"] where trimmed.hasPrefix(label) {
                // Foxmail writes `"王伟"<wang@example.cn>;`; Outlook `王伟 [mailto:wang@example.cn]`.
                let value = trimmed.dropFirst(label.count).replacingOccurrences(of: "[mailto:", with: "<").replacingOccurrences(of: "]", with: ">")
                found += EncodedWords.addresses(value.trimmingCharacters(in: CharacterSet(charactersIn: " ;；")))
            }
        }
        return found
    }
}

/// The per-recipient fields of a delivery status notification (RFC 3464 §2.3).
enum DeliveryReport {
    static func failures(in body: ArraySlice<UInt8>) -> [ReceivedMail.DeliveryFailure] {
        var failures: [ReceivedMail.DeliveryFailure] = []
        var rest = body
        while !rest.isEmpty {
            let (block, after) = HeaderFields.parse(rest)
            if after.count == rest.count { break }
            rest = after
            guard let recipient = block["final-recipient"] ?? block["original-recipient"] else { continue }
            let action = block["action"]?.lowercased() ?? "", status = block["status"]?.trimmingCharacters(in: .whitespaces) ?? ""
            guard action == "failed" || (action.isEmpty && status.hasPrefix("5")) else { continue }
            // "rfc822; wang@example.cn"
            let address = recipient.split(separator: ";", maxSplits: 1).last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " <>")) } ?? ""
            guard address.contains("@") else { continue }
            let diagnostic = block["diagnostic-code"].map { $0.split(separator: ";", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? $0 }
            failures.append(.init(address: address, status: status, diagnostic: diagnostic))
        }
        return failures
    }
}
