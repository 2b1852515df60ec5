import Foundation
import GuanxiPlatform

/// iCalendar text (RFC 5545): times in UTC or in a named zone with its VTIMEZONE, text
/// escaped and folded the same way as vCard.
package enum ICalendar {
    package static func utc(_ date: Date) -> String {
        let f = DateFormatter()
        (f.locale, f.timeZone, f.dateFormat) = (Locale(identifier: "en_US_POSIX"), TimeZone(identifier: "UTC"), "yyyyMMdd'T'HHmmss'Z'")
        return f.string(from: date)
    }

    package static func local(_ date: Date, in zone: TimeZone) -> String {
        let f = DateFormatter()
        (f.locale, f.timeZone, f.dateFormat) = (Locale(identifier: "en_US_POSIX"), zone, "yyyyMMdd'T'HHmmss")
        return f.string(from: date)
    }

    /// A zone that keeps one offset all year (Asia/Shanghai) can be written as a VTIMEZONE
    /// with one STANDARD part; times in zones with daylight saving are written in UTC,
    /// which every calendar reads exactly.
    package static func fixedZone(_ identifier: String, around date: Date) -> TimeZone? {
        guard let zone = TimeZone(identifier: identifier), zone.identifier != "UTC", zone.identifier != "GMT",
              zone.nextDaylightSavingTimeTransition(after: date.addingTimeInterval(-400 * 86_400)) == nil else { return nil }
        return zone
    }

    package static func timeZone(_ zone: TimeZone) -> [String] {
        let seconds = zone.secondsFromGMT()
        let offset = String(format: "%@%02d%02d", seconds < 0 ? "-" : "+", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
        return ["BEGIN:VTIMEZONE", "TZID:\(zone.identifier)", "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(offset)",
                "TZOFFSETTO:\(offset)", "TZNAME:\(zone.abbreviation() ?? zone.identifier)", "END:STANDARD", "END:VTIMEZONE"]
    }

    /// `DTSTART;TZID=Asia/Shanghai:20261201T093000`, or `DTSTART:20261201T013000Z`.
    package static func time(_ name: String, _ date: Date, zone: TimeZone?) -> String {
        zone.map { "\(name);TZID=\($0.identifier):\(local(date, in: $0))" } ?? "\(name):\(utc(date))"
    }

    package static func calendar(name: String, zone: TimeZone?, components: [String]) -> String {
        (["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Guanxi//CRM//EN", "CALSCALE:GREGORIAN", "X-WR-CALNAME:\(VCard.escape(name))"]
            + (zone.map(timeZone) ?? [])).map(VCard.line).joined() + components.joined() + VCard.line("END:VCALENDAR")
    }
}
