import Foundation
import GuanxiPlatform

/// What a client may send to create or change a customer. `nil` leaves a field as it
/// is; an empty string clears it. The API, the web form and imports all fill this in,
/// and `CustomerService` validates it the same way for all of them.
public struct CustomerInput: Sendable {
    public var name: String?
    public var kind: String?
    public var industry: String?
    public var size: String?
    public var province: String?
    public var city: String?
    public var district: String?
    public var address: String?
    public var postcode: String?
    public var phone: String?
    public var email: String?
    public var website: String?
    public var externalID: String?
    public var source: String?
    /// `.some(nil)` moves the customer to the shared pool.
    public var ownerID: UUID??
    public var grade: String?
    public var valueTier: String?
    public var lifecycleStage: String?
    public var relationship: String?
    public var parentID: UUID??
    public var referredByID: UUID??
    public var tags: [String]?
    public var birthday: String?
    public var anniversary: String?
    public var notes: String?
    /// Per channel: the new status (`unknown`, `opted_in`, `opted_out`) and how it was recorded.
    public var consent: [Consent.Channel: (status: String, via: String?)] = [:]
    /// Custom field values by key; a key left out keeps its value.
    public var customFields: [String: CustomInput]?
    /// On create: refuse (409 `probable_duplicate`) when a readable customer has the same
    /// e-mail, phone or name without legal form. The API and the form ask unless told to save anyway.
    public var checkDuplicates = false
    /// The external id was looked up with many others just before and no customer held it
    /// (an import checks a batch's ids in one query, `CustomerImportTarget.prefetch`); the
    /// unique index still refuses one taken since.
    package var externalIDKnownFree = false

    public init() {}
}

/// Field checks specific to the customer file.
package enum CustomerValidate {
    /// One of a fixed vocabulary; empty clears when `optional`.
    package static func choice(_ value: String?, field: String, from allowed: [String]) throws -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard allowed.contains(value) else {
            throw GuanxiError.invalid(field, "\(field) must be one of \(allowed.joined(separator: ", ")).")
                .localized("msg.choice", ["field": field, "choices": allowed.joined(separator: ", ")])
        }
        return value
    }

    /// A phone number as people write it: digits with spaces, dashes, dots, brackets or a
    /// leading +; 5 to 20 digits. Returns the text as typed and its digits.
    private static let phoneBytes = Set("0123456789 +-().".utf8)

    package static func phone(_ value: String?, field: String = "phone") throws -> (text: String, digits: String)? {
        guard let text = try Validate.text(value, field: field, required: false, max: 40) else { return nil }
        let digits = text.asciiDigits
        guard text.utf8.allSatisfy(Self.phoneBytes.contains), (5...20).contains(digits.count) else {
            throw GuanxiError.invalid(field, "\(field) is not a valid phone number.").localized("msg.phone", ["field": field])
        }
        return (text, digits)
    }

    package static func website(_ value: String?, field: String = "website") throws -> String? {
        guard let text = try Validate.text(value, field: field, required: false, max: 200) else { return nil }
        // Only web addresses: "www.x.cn" or one starting http:// or https://. Anything else
        // with a scheme ("javascript:…", "data:…", "file:…") would be a link that runs or
        // opens something other than a page once a client shows it.
        guard text.utf8.allSatisfy({ $0 < 0x80 }) ? isWebAddress(ascii: Array(text.utf8)) : isWebAddress(text)
        else { throw GuanxiError.invalid(field, "\(field) must be a web address starting http:// or https://, or like www.example.com.").localized("msg.website", ["field": field]) }
        return text
    }

    /// The host (before any path, query or fragment) has a dot, does not start with one,
    /// holds only letters, digits, dashes, dots and a port, and nothing is white space.
    private static func isWebAddress(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest = lower.hasPrefix("https://") ? String(text.dropFirst(8)) : lower.hasPrefix("http://") ? String(text.dropFirst(7)) : text
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !text.contains(where: \.isWhitespace) && host.contains(".") && !host.hasPrefix(".")
            && host.allSatisfy({ !$0.isASCII || $0.isLetter || $0.isNumber || "-.:".contains($0) })
            && (!host.contains(":") || host.split(separator: ":").last.map({ $0.allSatisfy(\.isNumber) }) == true)
    }

    /// The same check on an all-ASCII address, byte by byte: the check by characters was
    /// a thirtieth of an import of a hundred thousand companies, nearly all with a website.
    private static func isWebAddress(ascii bytes: [UInt8]) -> Bool {
        func hasScheme(_ scheme: String) -> Bool {
            bytes.count >= scheme.utf8.count && zip(bytes, scheme.utf8).allSatisfy { ((0x41...0x5A).contains($0) ? $0 | 0x20 : $0) == $1 }
        }
        let skip = hasScheme("https://") ? 8 : hasScheme("http://") ? 7 : 0
        let host = bytes[skip...].prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }
        func isHostByte(_ b: UInt8) -> Bool {
            isDigit(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b | 0x20) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
        }
        // The port is the last non-empty part after a colon, as `split(separator:)` gives it.
        let port = host.split(separator: UInt8(ascii: ":")).last
        return !bytes.contains(where: { $0 == 0x20 || (0x09...0x0D).contains($0) }) && host.contains(UInt8(ascii: ".")) && host.first != UInt8(ascii: ".")
            && host.allSatisfy(isHostByte) && (!host.contains(UInt8(ascii: ":")) || port?.allSatisfy(isDigit) == true)
    }

    package static func postcode(_ value: String?, field: String = "postcode") throws -> String? {
        guard let text = try Validate.text(value, field: field, required: false, max: 12) else { return nil }
        guard text.count >= 3, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) else {
            throw GuanxiError.invalid(field, "\(field) is not a postcode.").localized("msg.postcode", ["field": field])
        }
        return text
    }

    /// A calendar date as YYYY-MM-DD; birthdays cannot be in the future.
    package static func date(_ value: String?, field: String, notAfter today: Date? = nil) throws -> String? {
        guard let text = try Validate.text(value, field: field, required: false, max: 10) else { return nil }
        guard let date = Validate.isoDay(text) else {
            throw GuanxiError.invalid(field, "\(field) must be a date written YYYY-MM-DD.").localized("msg.date", ["field": field])
        }
        if let today, date > today {
            throw GuanxiError.invalid(field, "\(field) cannot be in the future.").localized("msg.future_date", ["field": field])
        }
        return text
    }

    /// Up to 20 distinct tags of at most 30 characters each.
    package static func tags(_ values: [String]) throws -> [String] {
        var out: [String] = []
        for value in values {
            guard let tag = try Validate.text(value, field: "tags", required: false, max: 30), !out.contains(tag) else { continue }
            out.append(tag)
        }
        guard out.count <= 20 else { throw GuanxiError.invalid("tags", "A customer can have at most 20 tags.").localized("msg.too_many_tags", [:]) }
        return out
    }
}
