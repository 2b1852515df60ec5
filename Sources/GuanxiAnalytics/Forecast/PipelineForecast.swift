/// An open deal as the weighted pipeline sees it.
public struct PipelineDeal: Sendable, Equatable {
    public var amount: Double
    /// Probability of winning, 0–100.
    public var probability: Double
    public var expectedClose: Day

    public init(amount: Double, probability: Double, expectedClose: Day) {
        self.amount = amount
        self.probability = probability
        self.expectedClose = expectedClose
    }
}

public struct PipelineMonth: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var deals: Int
    public var amount: Double
    /// Σ amount × probability / 100.
    public var weighted: Double
}

public enum PipelineForecast {
    /// Open and weighted amounts by month of expected close, months in order. A deal whose
    /// expected close has passed counts in the as-of month: it is still open, so it is
    /// expected now, not in the past.
    public static func byMonth(_ deals: [PipelineDeal], asOf: Day) throws -> [PipelineMonth] {
        var months: [Int: PipelineMonth] = [:]
        for (i, deal) in deals.enumerated() {
            try require(deal.amount.isFinite && deal.amount >= 0, "deals[\(i)].amount", "must be a non-negative number")
            try require(deal.probability >= 0 && deal.probability <= 100, "deals[\(i)].probability", "must be between 0 and 100")
            let close = max(deal.expectedClose, asOf).civil
            let key = close.year * 12 + close.month - 1
            var row = months[key] ?? PipelineMonth(year: close.year, month: close.month, deals: 0, amount: 0, weighted: 0)
            row.deals += 1
            row.amount += deal.amount
            row.weighted += deal.amount * deal.probability / 100
            months[key] = row
        }
        return months.sorted { $0.key < $1.key }.map(\.value)
    }
}
