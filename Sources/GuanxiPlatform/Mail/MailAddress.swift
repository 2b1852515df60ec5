import Foundation

/// One mailbox: an address with an optional display name ("王伟 <wang@example.cn>").
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var name: String?

    /// Checks the address the way the rest of Guanxi checks e-mail (`Validate.email`) and
    /// keeps it as typed, apart from a lower-cased domain.
    public init(_ address: String, name: String? = nil, field: String = "to") throws {
        guard let checked = try Validate.email(address, field: field, required: true) else { throw GuanxiError.invalid(field, "\(field) is required.") }
        let at = checked.lastIndex(of: "@")!
        // What SMTP carries without extensions: a dot-atom of ASCII before the @ and a host
        // name after it (a Chinese domain goes in its xn-- form).
        let local = checked[..<at], host = checked[checked.index(after: at)...]
        guard local.utf8.allSatisfy(Self.isAtext), !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
              host.utf8.allSatisfy(Self.isHostText), !host.contains("..") else {
            throw GuanxiError.invalid(field, "\(field): \(checked) is not an address mail can be sent to (letters, digits and .!#$%&'*+-/=?^_`{|}~ before the @; a Chinese domain in its xn-- form).")
                .localized("msg.mail_address", ["field": field, "value": checked])
        }
        self.address = String(checked[..<at]) + "@" + checked[checked.index(after: at)...].lowercased()
        // A name is one header line: line breaks in it would start a new header.
        // (Checked byte by byte first: Foundation's replacing is slow, and a merge names thousands.)
        let cleaned = name.map { name in
            name.utf8.contains { $0 == 13 || $0 == 10 } ? String(name.map { $0.isNewline ? " " : $0 }) : name
        }?.trimmingCharacters(in: .whitespaces)
        self.name = cleaned?.isEmpty == false ? cleaned : nil
    }

    /// Letters, digits and `!#$%&'*+-/=?^_`{|}~.` (read byte by byte: a mail merge checks one address per message).
    static func isAtext(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "!#$%&'*+-/=?^_`{|}~.".utf8.contains(byte)
    }

    static func isHostText(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The part after the `@`, lower case: what per-domain sending limits count by.
    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    /// The mailbox as a header value, the name encoded when it is not plain ASCII (RFC 2047).
    public var header: String {
        guard let name else { return address }
        return "\(EncodedWords.phrase(name)) <\(address)>"
    }

    public var description: String { name.map { "\($0) <\(address)>" } ?? address }
}
