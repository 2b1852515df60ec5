/// One purchase (transaction) of one customer.
///
/// `amount` is revenue in the currency's major unit; a negative amount is a return.
/// `margin` is the profit on it when known; analyses that rank by contribution use the
/// margin when every purchase has one, else the amount.
public struct Purchase: Sendable, Equatable {
    public var customer: Int
    public var day: Day
    public var amount: Double
    public var margin: Double?

    public init(customer: Int, day: Day, amount: Double, margin: Double? = nil) {
        self.customer = customer
        self.day = day
        self.amount = amount
        self.margin = margin
    }
}

/// Purchases of `customerCount` customers, checked once and cut at the as-of day.
///
/// Rules applied here, so every analysis agrees on them:
/// - a purchase after `asOf` is ignored (it has not happened yet as of that day);
/// - a customer index outside `0..<customerCount` or a non-finite amount or margin is
///   an error naming the purchase;
/// - returns (negative amounts) count in monetary sums but not as a purchase occasion;
/// - several purchases on one day make one occasion (a basket split into lines), which
///   is how the lifetime models count transactions.
public struct PurchaseHistory: Sendable {
    public let customerCount: Int
    public let asOf: Day
    /// Purchases up to `asOf`, in input order.
    public let purchases: [Purchase]
    /// Purchases after `asOf` that were left out.
    public let ignoredAfterAsOf: Int

    public init(customerCount: Int, purchases: [Purchase], asOf: Day) throws {
        try require(customerCount >= 0, "customerCount", "must not be negative")
        var kept: [Purchase] = []
        kept.reserveCapacity(purchases.count)
        var ignored = 0
        for (index, purchase) in purchases.enumerated() {
            guard purchase.customer >= 0, purchase.customer < customerCount else {
                throw AnalyticsError.invalidPurchase(index: index, reason: "customer \(purchase.customer) is not in 0..<\(customerCount)")
            }
            guard purchase.amount.isFinite else {
                throw AnalyticsError.invalidPurchase(index: index, reason: "amount is not a finite number")
            }
            if let margin = purchase.margin, !margin.isFinite {
                throw AnalyticsError.invalidPurchase(index: index, reason: "margin is not a finite number")
            }
            if purchase.day > asOf { ignored += 1; continue }
            kept.append(purchase)
        }
        self.customerCount = customerCount
        self.asOf = asOf
        self.purchases = kept
        self.ignoredAfterAsOf = ignored
    }

    /// True when every kept purchase carries a margin.
    public var hasMargins: Bool { !purchases.isEmpty && purchases.allSatisfy { $0.margin != nil } }

    /// Per customer: the sum of margins when every purchase has one, else of amounts.
    public func contributions() -> [Double] {
        let useMargin = hasMargins
        var totals = [Double](repeating: 0, count: customerCount)
        for p in purchases { totals[p.customer] += useMargin ? p.margin! : p.amount }
        return totals
    }

    /// Purchase days per customer (positive amounts only), sorted, one per day.
    public func occasionDays() -> [[Day]] {
        var days = [[Day]](repeating: [], count: customerCount)
        for p in purchases where p.amount > 0 { days[p.customer].append(p.day) }
        for i in days.indices where days[i].count > 1 {
            days[i].sort()
            var unique: [Day] = []
            unique.reserveCapacity(days[i].count)
            for d in days[i] where unique.last != d { unique.append(d) }
            days[i] = unique
        }
        return days
    }
}
