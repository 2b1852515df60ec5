import Foundation

/// A mobile number a text message can go to, in the international form gateways take
/// (`+8613800138000`). Numbers are typed every way (`138 0013 8000`, `+86-138…`,
/// `0086 138…`, `+44 7700 900123`); one without a country code is taken as Chinese,
/// the country Guanxi's users mostly text in.
public struct SMSNumber: Sendable, Hashable, CustomStringConvertible {
    /// The country code and number, digits only (`8613800138000`).
    public let digits: String
    /// How many of `digits` are the country code (2 for China, 1 for the USA …), when known.
    let countryDigits: Int

    public init(_ text: String, field: String = "to") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || " +-().".contains($0)) }) else {
            throw GuanxiError.invalid(field, "\(field) is not a phone number (digits, spaces, + - ( ) only).").localized("msg.sms_number", ["field": field])
        }
        var digits = trimmed.asciiDigits
        let international = trimmed.drop { $0 == "(" || $0 == " " }.hasPrefix("+") || digits.hasPrefix("00")
        if digits.hasPrefix("00") { digits.removeFirst(2) }
        if !international {
            // A national number: Chinese, its trunk 0 (landlines) dropped.
            if digits.hasPrefix("0") { digits.removeFirst() }
            digits = "86" + digits
        }
        guard (8...15).contains(digits.count), !digits.hasPrefix("0") else {
            throw GuanxiError.invalid(field, "\(field) is not a phone number: it needs 7 to 13 digits after the country code.").localized("msg.sms_number", ["field": field])
        }
        self.digits = digits
        countryDigits = digits.hasPrefix("86") ? 2 : 0
    }

    /// `+8613800138000`: what is stored and shown.
    public var international: String { "+" + digits }
    public var description: String { international }
    /// The number without its country code when that is known (`13800138000`): the
    /// form Chinese gateways take for Chinese numbers.
    public var national: String { String(digits.dropFirst(countryDigits)) }

    /// The forms this number may have been typed in on a record (phone fields keep their
    /// digits as typed): with and without the country code, with a trunk 0.
    public var storedForms: [String] {
        countryDigits == 0 ? [digits] : [digits, national, "0" + national, "00" + digits]
    }
}
