/// How concentrated revenue is: the share of the top customers, the Lorenz curve and the
/// Gini coefficient ("80% of profit comes from 20% of customers — in Chinese banks 4%
/// bring 80%").
///
/// Rule: contributions below zero count as zero (a Lorenz curve is defined for
/// non-negative values); customers with zero count as customers.
public struct Concentration: Sendable, Equatable {
    /// Share of the total contributed by the top 1%, 4% and 20% of customers. The top k%
    /// is the ⌈k% × n⌉ largest contributions.
    public var top1Percent: Double
    public var top4Percent: Double
    public var top20Percent: Double
    /// Gini coefficient in [0, 1): 0 when everyone contributes the same.
    public var gini: Double
    /// Lorenz curve points (cumulative share of customers, cumulative share of the total),
    /// from (0, 0) to (1, 1), customers in ascending order of contribution.
    public var lorenz: [LorenzPoint]

    public struct LorenzPoint: Sendable, Equatable {
        public var customerShare: Double
        public var valueShare: Double
    }

    /// `points` is the number of segments the Lorenz curve is sampled at (for a chart);
    /// the Gini coefficient always uses every customer.
    public init(contributions: [Double], points: Int = 100) throws {
        try require(points >= 1, "points", "must be at least 1")
        let values = contributions.map { max(0, $0) }.sorted()
        let n = values.count
        let total = values.reduce(0, +)
        guard n > 0, total > 0 else {
            throw AnalyticsError.insufficientData("revenue concentration needs at least one customer with a positive contribution")
        }
        func topShare(_ share: Double) -> Double {
            let k = Int((share * Double(n)).rounded(.up))
            return values[(n - k)...].reduce(0, +) / total
        }
        top1Percent = topShare(0.01)
        top4Percent = topShare(0.04)
        top20Percent = topShare(0.20)
        // G = 2 Σ i·xᵢ / (n Σ x) − (n + 1) / n, with xᵢ ascending and i from 1.
        var weighted = 0.0
        for (i, v) in values.enumerated() { weighted += Double(i + 1) * v }
        gini = 2 * weighted / (Double(n) * total) - Double(n + 1) / Double(n)
        var cumulative = [0.0]
        cumulative.reserveCapacity(n + 1)
        for v in values { cumulative.append(cumulative.last! + v) }
        let steps = min(points, n)
        lorenz = (0...steps).map { s in
            let k = Int((Double(s) * Double(n) / Double(steps)).rounded())
            return LorenzPoint(customerShare: Double(k) / Double(n), valueShare: cumulative[k] / total)
        }
    }
}
