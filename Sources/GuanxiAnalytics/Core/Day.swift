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
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
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
