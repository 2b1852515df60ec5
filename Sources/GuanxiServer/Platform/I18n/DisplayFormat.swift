import Foundation

/// Shows stored UTC times in the viewer's time zone.
struct DisplayFormat {
    let formatter: DateFormatter

    init(timeZone: String, locale: String) {
        formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Shanghai")
        formatter.locale = Locale(identifier: locale == "en" ? "en_GB" : "zh_CN")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
    }

    func dateTime(_ date: Date) -> String { formatter.string(from: date) }
}
