import Foundation

/// Shows stored UTC times in the viewer's time zone.
package struct DisplayFormat {
    package let formatter: DateFormatter

    package init(timeZone: String, locale: String) {
        formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")
        formatter.locale = Locale(identifier: locale == "en" ? "en_GB" : "zh_CN")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
    }

    package func dateTime(_ date: Date) -> String { formatter.string(from: date) }

    /// The value of a datetime-local form field, in the viewer's time zone.
    package func localInput(_ date: Date) -> String { dateTime(date).replacingOccurrences(of: " ", with: "T") }

    /// "HH:mm" in the viewer's time zone.
    package func time(_ date: Date) -> String { String(dateTime(date).suffix(5)) }

    /// The calendar day in the viewer's time zone, YYYY-MM-DD.
    package func date(_ date: Date) -> String { String(formatter.string(from: date).prefix(10)) }

    /// "3 d 4 h", "5 h 10 min", "12 min": how long something lasted, for people.
    /// A count with its thousands grouped ("1,234,567"), as both Chinese and English write it.
    package static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }

    package static func duration(_ seconds: TimeInterval, locale: String) -> String {
        let minutes = Int(seconds / 60)
        let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60)
        let zh = locale != "en"
        let units = zh ? ("天", "小时", "分钟") : (" d", " h", " min")
        if d > 0 { return "\(d)\(units.0)" + (h > 0 ? " \(h)\(units.1)" : "") }
        if h > 0 { return "\(h)\(units.1)" + (m > 0 ? " \(m)\(units.2)" : "") }
        return "\(m)\(units.2)"
    }
}
