import Foundation
import GuanxiAnalytics
import OpenAPIRuntime

/// How the REST API writes and reads times: RFC 3339 in UTC to the second
/// (`2026-12-07T23:13:46Z`), as the OpenAPI runtime's own ISO 8601 transcoder does. That
/// one formats through ICU behind a lock — 7 % of a list of fifty contacts, which holds
/// three times each — so times are written here by hand; reading stays with it.
package struct APIDates: DateTranscoder {
    private let standard = ISO8601DateTranscoder.iso8601

    package init() {}

    package func encode(_ date: Date) throws -> String {
        // To the millisecond first, as ICU takes a time, then down to the second.
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds.isFinite, abs(milliseconds) < 1e18 else { return try standard.encode(date) }
        let total = Int64(milliseconds).floorDivided(by: 1000)
        let (days, second) = (total.floorDivided(by: 86_400), total.floorModulo(86_400))
        let (year, month, day) = Day(Int(days)).civil
        // Before 1583 the standard transcoder counts in the Julian calendar (ICU's), and past
        // four digits it writes years its own way: such times are left to it.
        guard (1583...9999).contains(year) else { return try standard.encode(date) }
        var out = [UInt8]()
        out.reserveCapacity(20)
        func put(_ value: Int64, _ digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        put(Int64(year), 4); out.append(UInt8(ascii: "-")); put(Int64(month), 2); out.append(UInt8(ascii: "-")); put(Int64(day), 2)
        out.append(UInt8(ascii: "T")); put(second / 3600, 2); out.append(UInt8(ascii: ":")); put(second / 60 % 60, 2)
        out.append(UInt8(ascii: ":")); put(second % 60, 2); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    package func decode(_ text: String) throws -> Date { try standard.decode(text) }
}

private extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 { (self >= 0 ? self : self - divisor + 1) / divisor }
    func floorModulo(_ divisor: Int64) -> Int64 { self - floorDivided(by: divisor) * divisor }
}
