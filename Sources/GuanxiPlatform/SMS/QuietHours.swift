import Foundation

/// A daily period in which no marketing text goes out (`21:00`–`08:00` in the
/// organisation's time zone): messages due then wait for its end.
public struct QuietHours: Sendable, Equatable {
    /// Minutes after midnight.
    let from: Int, until: Int
    let timeZone: TimeZone

    public init(from: String, until: String, timeZone: String) throws {
        guard let start = Self.minutes(from) else {
            throw GuanxiError.invalid("quietFrom", "quietFrom must be a time such as 21:00.").localized("msg.sms_quiet", ["field": "quietFrom"])
        }
        guard let end = Self.minutes(until) else {
            throw GuanxiError.invalid("quietUntil", "quietUntil must be a time such as 08:00.").localized("msg.sms_quiet", ["field": "quietUntil"])
        }
        guard start != end else {
            throw GuanxiError.invalid("quietUntil", "quietUntil must differ from quietFrom.").localized("msg.sms_quiet_same", [:])
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw GuanxiError.invalid("timeZone", "timeZone must be a time zone such as Asia/Shanghai.").localized("msg.time_zone", ["field": "timeZone"])
        }
        (self.from, self.until, self.timeZone) = (start, end, zone)
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        return h * 60 + m
    }

    /// When the quiet period around `date` ends, or nil when `date` is not in one.
    public func end(around date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let now = parts.hour! * 60 + parts.minute!
        let quiet = from < until ? (from..<until).contains(now) : (now >= from || now < until)
        guard quiet else { return nil }
        let midnight = calendar.startOfDay(for: date)
        var end = calendar.date(byAdding: .minute, value: until, to: midnight)!
        if end <= date { end = calendar.date(byAdding: .day, value: 1, to: end)! }
        return end
    }
}
