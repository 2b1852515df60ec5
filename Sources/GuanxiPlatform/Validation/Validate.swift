import Foundation

/// The shared input checks. Each failure names the field and says what is wrong, so
/// the API, the web forms and the command line all answer bad input the same way.
public enum Validate {
    /// Trims a text field, enforces presence and a length limit in characters.
    public static func text(_ value: String?, field: String, required: Bool = true, max: Int = 200) throws -> String? {
        let trimmed = value?.trimmed ?? ""
        if trimmed.isEmpty {
            if required { throw GuanxiError.invalid(field, "\(field) is required.").localized("msg.required", ["field": field]) }
            return nil
        }
        // A character is at least one byte: only text longer in bytes needs counting.
        if trimmed.utf8.count > max, trimmed.count > max { throw GuanxiError.invalid(field, "\(field) must be at most \(max) characters (got \(trimmed.count)).").localized("msg.too_long", ["field": field, "max": String(max)]) }
        // Control characters are single bytes in UTF-8 (no longer character contains a byte under 0x80).
        if trimmed.utf8.contains(where: { $0 < 0x20 && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\t") }) {
            throw GuanxiError.invalid(field, "\(field) contains control characters.").localized("msg.control_chars", ["field": field])
        }
        return trimmed
    }

    public static func requiredText(_ value: String?, field: String, max: Int = 200) throws -> String {
        try text(value, field: field, required: true, max: max)!
    }

    /// Sign-in names: 3–64 letters, digits, dot, dash or underscore.
    public static func username(_ value: String?, field: String = "username") throws -> String {
        let name = try requiredText(value, field: field, max: 64).lowercased()
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard name.count >= 3, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw GuanxiError.invalid(field, "\(field) must be 3 to 64 characters: letters a–z, digits, '.', '-' or '_'.").localized("msg.username", ["field": field])
        }
        return name
    }

    public static func email(_ value: String?, field: String = "email", required: Bool = false) throws -> String? {
        guard let email = try text(value, field: field, required: required, max: 254) else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("." as Character), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.unicodeScalars.contains(where: \.isWhiteSpace)
        else { throw GuanxiError.invalid(field, "\(field) is not a valid e-mail address.").localized("msg.email", ["field": field]) }
        return email
    }

    public static func locale(_ value: String?, field: String = "locale") throws -> String? {
        guard let value = try text(value, field: field, required: false, max: 16) else { return nil }
        guard Localizer.supported.contains(value) else {
            throw GuanxiError.invalid(field, "\(field) must be one of \(Localizer.supported.joined(separator: ", ")).").localized("msg.locale", ["field": field])
        }
        return value
    }

    public static func timeZone(_ value: String?, field: String = "timeZone") throws -> String? {
        guard let value = try text(value, field: field, required: false, max: 64) else { return nil }
        guard TimeZone(identifier: value) != nil else { throw GuanxiError.invalid(field, "\(field) is not a known time zone, e.g. Asia/Shanghai.").localized("msg.time_zone", ["field": field]) }
        return value
    }

    public static func uuid(_ value: String?, field: String) throws -> UUID? {
        guard let value = try text(value, field: field, required: false, max: 36) else { return nil }
        guard let id = UUID(uuidString: value) else { throw GuanxiError.invalid(field, "\(field) is not a valid id.").localized("msg.bad_id", ["field": field]) }
        return id
    }

    /// Seconds since 1970 of the times Guanxi stores: the years 1 to 9999. A client's time
    /// outside them is refused before it reaches a database driver — PostgreSQL's traps on
    /// a time it cannot encode, which stops the whole process.
    public static let storableTimes: ClosedRange<Double> = -62_135_596_800 ... 253_402_300_799

    /// `date` if it lies within `storableTimes`; a validation error naming `field` otherwise.
    public static func storable(_ date: Date, field: String) throws -> Date {
        guard storableTimes.contains(date.timeIntervalSince1970) else {
            throw GuanxiError.invalid(field, "\(field) must be a time between the years 1 and 9999.").localized("msg.time_range", ["field": field])
        }
        return date
    }

    /// An ISO 8601 time with its offset ("2026-12-01T09:30:00+08:00"), fractional seconds or not.
    public static func isoTime(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: text) ?? fractional.date(from: text)
    }

    /// A date and time as a browser's datetime-local field sends it ("2026-12-01T09:30"),
    /// read in the user's time zone; empty gives `.some(nil)` (clear), absent gives nil.
    public static func localTime(_ value: String?, field: String, timeZone: String) throws -> Date?? {
        guard let value else { return nil }
        let text = value.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return .some(nil) }
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            parser.dateFormat = format
            if let date = parser.date(from: text) { return .some(try storable(date, field: field)) }
        }
        throw GuanxiError.invalid(field, "\(field) must be a date and time.").localized("msg.time", ["field": field])
    }

    /// The calendar day `text` writes as YYYY-MM-DD (Gregorian, years 1–9999), as midnight
    /// UTC; nil for anything else ("2026-02-30", "2026-2-3"). Worked out by hand: making a
    /// `DateFormatter` per value was nine-tenths of importing a million purchases.
    package static func isoDay(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), year >= 1, (1...12).contains(month) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...length).contains(day) else { return nil }
        // Days since 1970-01-01 of a Gregorian date (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400, yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let days = era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
        return Date(timeIntervalSince1970: Double(days) * 86_400)
    }

    /// A calendar day written YYYY-MM-DD, as the start of that day in `timeZone`; empty or absent gives nil.
    public static func localDay(_ value: String?, field: String, timeZone: String) throws -> Date? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        let parser = DateFormatter()
        (parser.locale, parser.dateFormat) = (Locale(identifier: "en_US_POSIX"), "yyyy-MM-dd")
        parser.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")
        guard text.count == 10, let day = parser.date(from: text) else {
            throw GuanxiError.invalid(field, "\(field) must be a date written YYYY-MM-DD.").localized("msg.date", ["field": field])
        }
        return try storable(day, field: field)
    }
}
