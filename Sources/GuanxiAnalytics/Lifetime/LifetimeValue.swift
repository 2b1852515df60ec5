import RealModule

/// Customer lifetime value: the discounted expected margin over a horizon, from a BG/NBD
/// model of purchases and a Gamma-Gamma model of spend.
///
/// CLV = Σₖ₌₁ⁿ (E[Y(k·s)] − E[Y((k−1)·s)]) · E[M] · margin / (1 + d)ᵏ, for n steps of
/// length s (in the models' time unit) and a discount rate d per step — the discrete
/// form most implementations use, so results can be compared.
public struct LifetimeValue: Sendable {
    public var purchases: BGNBD
    public var spend: GammaGamma
    /// Number of steps in the horizon (e.g. 12 monthly steps).
    public var steps: Int
    /// Length of one step in the models' time unit (e.g. 30 for a month in days).
    public var stepLength: Double
    /// Discount rate per step (e.g. 0.01 a month).
    public var discountRate: Double
    /// Share of a transaction's value that is margin (1 when spend is already margin).
    public var marginShare: Double

    public init(purchases: BGNBD, spend: GammaGamma, steps: Int, stepLength: Double, discountRate: Double, marginShare: Double = 1) throws {
        try require(steps >= 1, "steps", "must be at least 1")
        try require(stepLength > 0 && stepLength.isFinite, "stepLength", "must be a positive number")
        try require(discountRate >= 0 && discountRate.isFinite, "discountRate", "must not be negative")
        try require(marginShare.isFinite, "marginShare", "must be a finite number")
        guard spend.q > 1 else {
            throw AnalyticsError.insufficientData("the fitted spend model has q ≤ 1, so expected spend per transaction is undefined")
        }
        self.purchases = purchases
        self.spend = spend
        self.steps = steps
        self.stepLength = stepLength
        self.discountRate = discountRate
        self.marginShare = marginShare
    }

    public func value(_ customer: LifetimeSummary) -> Double {
        let spendPerPurchase = spend.expectedAverageValue(customer)! * marginShare
        var total = 0.0
        var previous = 0.0
        for k in 1...steps {
            let cumulative = purchases.expectedPurchases(Double(k) * stepLength, given: customer)
            total += (cumulative - previous) * spendPerPurchase / Double.pow(1 + discountRate, Double(k))
            previous = cumulative
        }
        return total
    }
}
