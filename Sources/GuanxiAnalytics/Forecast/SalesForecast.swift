import RealModule

/// Monthly sales forecast by exponential smoothing: Holt-Winters with additive
/// seasonality of period 12 when at least two full years of history exist (Winters 1960;
/// Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", §8.3), Holt's linear
/// trend otherwise (§8.2), and the last value when there are fewer than three months.
///
/// The smoothing parameters α, β, γ are chosen on a grid of 0.05…0.95 (step 0.05) by the
/// smallest sum of squared one-step-ahead errors — deterministic, and no optimiser to
/// stall. The initial state is a classical decomposition of the first two seasons: trend =
/// the change in the seasons' means per month, level = the first season's mean carried to
/// its last month along that trend, seasonal = each month of the first season minus the
/// trend line through it. The second season onwards is smoothed and counts in the errors.
public struct SalesForecast: Sendable, Equatable {
    public enum Method: String, Sendable { case holtWinters, holt, naive }

    public var method: Method
    /// Forecast for each of the next months, the first being the month after the history.
    public var values: [Double]
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    /// Sum of squared one-step-ahead errors over the history with the chosen parameters.
    public var sumOfSquaredErrors: Double

    public static let seasonLength = 12

    /// `history` is one total per month, oldest first, with no gaps (a month without sales is 0).
    public init(history: [Double], horizon: Int) throws {
        try require(horizon >= 1, "horizon", "must be at least 1 month")
        try require(!history.isEmpty, "history", "needs at least one month")
        try require(history.allSatisfy(\.isFinite), "history", "must contain finite numbers only")
        let grid = stride(from: 0.05, through: 0.951, by: 0.05).map { ($0 * 100).rounded() / 100 }
        if history.count >= 2 * Self.seasonLength {
            var best: (sse: Double, a: Double, b: Double, g: Double)?
            for a in grid { for b in grid { for g in grid {
                let sse = Self.holtWinters(history, alpha: a, beta: b, gamma: g, horizon: 0).sse
                if best == nil || sse < best!.sse { best = (sse, a, b, g) }
            } } }
            let chosen = best!
            method = .holtWinters
            (alpha, beta, gamma, sumOfSquaredErrors) = (chosen.a, chosen.b, chosen.g, chosen.sse)
            values = Self.holtWinters(history, alpha: alpha, beta: beta, gamma: gamma, horizon: horizon).forecast
        } else if history.count >= 3 {
            var best: (sse: Double, a: Double, b: Double)?
            for a in grid { for b in grid {
                let sse = Self.holt(history, alpha: a, beta: b, horizon: 0).sse
                if best == nil || sse < best!.sse { best = (sse, a, b) }
            } }
            method = .holt
            (alpha, beta, gamma, sumOfSquaredErrors) = (best!.a, best!.b, 0, best!.sse)
            values = Self.holt(history, alpha: alpha, beta: beta, horizon: horizon).forecast
        } else {
            method = .naive
            (alpha, beta, gamma, sumOfSquaredErrors) = (1, 0, 0, 0)
            values = Array(repeating: history.last!, count: horizon)
        }
    }

    static func holt(_ y: [Double], alpha: Double, beta: Double, horizon: Int) -> (sse: Double, forecast: [Double]) {
        var level = y[0]
        var trend = y[1] - y[0]
        var sse = 0.0
        for t in 1..<y.count {
            let error = y[t] - (level + trend)
            sse += error * error
            let previousLevel = level
            level = alpha * y[t] + (1 - alpha) * (level + trend)
            trend = beta * (level - previousLevel) + (1 - beta) * trend
        }
        return (sse, (0..<horizon).map { level + Double($0 + 1) * trend })
    }

    static func holtWinters(_ y: [Double], alpha: Double, beta: Double, gamma: Double, horizon: Int) -> (sse: Double, forecast: [Double]) {
        let m = seasonLength
        let firstSeason = y[0..<m].reduce(0, +) / Double(m)
        let secondSeason = y[m..<(2 * m)].reduce(0, +) / Double(m)
        var trend = (secondSeason - firstSeason) / Double(m)
        let middle = Double(m - 1) / 2
        var level = firstSeason + trend * middle
        var seasonal = (0..<m).map { y[$0] - (firstSeason + trend * (Double($0) - middle)) }
        var sse = 0.0
        // The first season initialises the state; errors count from the second.
        for t in m..<y.count {
            let s = seasonal[t % m]
            let error = y[t] - (level + trend + s)
            sse += error * error
            let (previousLevel, previousTrend) = (level, trend)
            level = alpha * (y[t] - s) + (1 - alpha) * (level + trend)
            trend = beta * (level - previousLevel) + (1 - beta) * trend
            seasonal[t % m] = gamma * (y[t] - previousLevel - previousTrend) + (1 - gamma) * s
        }
        let n = y.count
        let forecast = (0..<horizon).map { h in level + Double(h + 1) * trend + seasonal[(n + h) % m] }
        return (sse, forecast)
    }
}
