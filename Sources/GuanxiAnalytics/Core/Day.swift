/// A calendar day as a count of days since 1970-01-01 (proleptic Gregorian).
///
/// Analytics works in whole days: recency, tenure and yearly occasions do not depend on
/// the hour or the time zone once the app has turned each timestamp into the customer's
/// local date. Conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days`
/// algorithms (http://howardhinnant.github.io/date_algorithms.html).
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Int

    public init(_ daysSinceEpoch: Int) { value = daysSinceEpoch }

    /// Nil when the month or day does not exist (31 February, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * m + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        value = era * 146_097 + dayOfEra - 719_468
    }

    /// Parses `YYYY-MM-DD`.
    /// Read byte by byte: a run reads a million purchase days, and splitting each into
    /// substrings was a sixth of loading them. Inlinable, so a caller in another module
    /// reads its `String` directly rather than through the generic protocol's witnesses.
    @inlinable public init?(iso text: some StringProtocol) {
        var digits = (0, 0, 0), count = 0, part = 0
        for byte in text.utf8 {
            count += 1
            if count == 5 || count == 8 {
                guard byte == UInt8(ascii: "-") else { return nil }
                part += 1
                continue
            }
            guard count <= 10, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            switch part {
            case 0: digits.0 = digits.0 * 10 + digit
            case 1: digits.1 = digits.1 * 10 + digit
            default: digits.2 = digits.2 * 10 + digit
            }
        }
        guard count == 10 else { return nil }
        self.init(year: digits.0, month: digits.1, day: digits.2)
    }

    public var civil: (year: Int, month: Int, day: Int) {
        let z = value + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public var year: Int { civil.year }

    /// 0 for 1 January.
    public var dayOfYear: Int { value - Day(year: year, month: 1, day: 1)!.value }

    public var description: String {
        let c = civil
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Day, days: Int) -> Day { Day(lhs.value + days) }
    public static func - (lhs: Day, days: Int) -> Day { Day(lhs.value - days) }
    public static func - (lhs: Day, rhs: Day) -> Int { lhs.value - rhs.value }

    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func daysIn(year: Int) -> Int { isLeap(year) ? 366 : 365 }
}
