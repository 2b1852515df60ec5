import Foundation

/// An amount of money in minor units (分 for CNY), so sums never drift the way binary
/// floating point does. Amounts travel as decimal text ("150000", "1234.50").
public struct Money: Sendable, Equatable, Comparable, Codable {
    public var minorUnits: Int64

    public init(minorUnits: Int64) { self.minorUnits = minorUnits }

    public static func < (a: Money, b: Money) -> Bool { a.minorUnits < b.minorUnits }

    /// "1234.5" → 123450. Digits with an optional point and up to two decimals; commas
    /// between thousands are allowed; negative amounts are refused unless
    /// `allowNegative` (a purchase's return, say).
    public static func parse(_ text: String?, field: String, allowNegative: Bool = false) throws -> Money? {
        guard let raw = try Validate.text(text, field: field, required: false, max: 30) else { return nil }
        var plain = raw.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "，", with: "")
        let negative = plain.hasPrefix("-")
        if negative {
            guard allowNegative else {
                throw GuanxiError.invalid(field, "\(field) cannot be negative.").localized("msg.negative", ["field": field])
            }
            plain.removeFirst()
        }
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 13, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
              parts.count == 1 || ((1...2).contains(parts[1].count) && parts[1].allSatisfy { $0.isASCII && $0.isNumber })
        else { throw GuanxiError.invalid(field, "\(field) must be an amount like 150000 or 1234.50.").localized("msg.money", ["field": field]) }
        let whole = Int64(parts[0])!
        let cents = parts.count == 2 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0
        return Money(minorUnits: (negative ? -1 : 1) * (whole * 100 + cents))
    }

    /// "1234.50": the form the API sends and accepts.
    public var decimalText: String {
        let whole = abs(minorUnits) / 100
        let cents = abs(minorUnits) % 100
        return "\(minorUnits < 0 ? "-" : "")\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// "1,234.50", for people.
    public var display: String {
        let whole = String(abs(minorUnits) / 100)
        var grouped = ""
        for (index, digit) in whole.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let cents = abs(minorUnits) % 100
        return (minorUnits < 0 ? "-" : "") + String(grouped.reversed()) + ".\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Sums stop at the largest amount rather than trap: each amount is checked, but
    /// enough of the largest ones would overflow, and a trap stops the whole server.
    public static func + (a: Money, b: Money) -> Money {
        let (sum, overflow) = a.minorUnits.addingReportingOverflow(b.minorUnits)
        return Money(minorUnits: overflow ? (b.minorUnits > 0 ? .max : .min) : sum)
    }

    /// The amount times a percentage, rounded half up to the minor unit.
    public func weighted(byPercent percent: Int) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: Int64(percent))
        guard !overflow, product < .max - 50 else { return Money(minorUnits: minorUnits / 100 * Int64(percent)) }
        return Money(minorUnits: (product + 50) / 100)
    }
}
