import Foundation

/// A monthly revenue forecast whose method is chosen by a back-test, with its error and
/// an uncertainty band, on a history that starts when the business did.
///
/// - Leading months before the business really started are not history: it starts at the
///   first month with at least a fifth of the median of the months that sold anything.
/// - The last `holdout` months (6) are held out; each candidate — Holt-Winters (given two
///   seasons before the holdout), Holt's trend, seasonal naive (the same month a year
///   earlier), naive (the last month) — forecasts them from the months before, and the
///   one with the smallest mean absolute error is refitted on the whole history.
/// - The error is reported as a percentage of the held-out months' mean (MAE ÷ mean), with
///   the seasonal-naive error beside it, so a reader sees whether the model beats "same
///   as last year"; the band is ± 1.28 × the back-test's root mean squared error (about
///   80 % if errors were normal).
public struct ForecastSelection: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable { case holtWinters, holt, seasonalNaive, naive }

    /// Months of the history dropped as before the business started.
    public var skippedMonths: Int
    public var method: Method
    public var values: [Double]
    public var low: [Double]
    public var high: [Double]
    /// Back-test error of the chosen method and of seasonal naive, as a share of the
    /// held-out months' mean (nil when the history is too short to hold months out).
    public var error: Double?
    public var seasonalNaiveError: Double?

    public static let holdout = 6

    public init(history full: [Double], horizon: Int) throws {
        let selling = full.filter { $0 > 0 }.sorted()
        let median = selling.isEmpty ? 0 : selling[selling.count / 2]
        let start = full.firstIndex { $0 >= median / 5 && $0 > 0 } ?? 0
        let history = Array(full[start...])
        skippedMonths = start
        let holdout = Self.holdout
        var candidates: [(method: Method, mae: Double, rmse: Double)] = []
        var seasonalError: Double?
        var heldMean = 0.0
        if history.count >= holdout + 3 {
            let train = Array(history.dropLast(holdout)), held = Array(history.suffix(holdout))
            heldMean = held.reduce(0, +) / Double(holdout)
            for method in Method.allCases {
                guard let predicted = try? Self.forecast(train, method: method, horizon: holdout) else { continue }
                let errors = zip(held, predicted).map { $0 - $1 }
                let mae = errors.map(abs).reduce(0, +) / Double(holdout)
                let rmse = (errors.map { $0 * $0 }.reduce(0, +) / Double(holdout)).squareRoot()
                candidates.append((method, mae, rmse))
                if method == .seasonalNaive { seasonalError = heldMean > 0 ? mae / heldMean : nil }
            }
        }
        let best = candidates.min { $0.mae < $1.mae }
        method = best?.method ?? (history.count >= 3 ? .holt : .naive)
        values = try Self.forecast(history, method: method, horizon: horizon).map { max(0, $0) }
        let spread = 1.28 * (best?.rmse ?? 0)
        low = values.map { max(0, $0 - spread) }
        high = values.map { $0 + spread }
        error = best.flatMap { heldMean > 0 ? $0.mae / heldMean : nil }
        seasonalNaiveError = seasonalError
    }

    /// `method`'s forecast of the `horizon` months after `history`; throws when the history
    /// is too short for it.
    static func forecast(_ history: [Double], method: Method, horizon: Int) throws -> [Double] {
        let m = SalesForecast.seasonLength
        switch method {
        case .holtWinters:
            try require(history.count >= 2 * m, "history", "needs two seasons")
            return try SalesForecast(history: history, horizon: horizon).values
        case .holt:
            try require(history.count >= 3, "history", "needs three months")
            return try SalesForecast(history: Array(history.suffix(2 * m - 1)), horizon: horizon).values
        case .seasonalNaive:
            try require(history.count >= m, "history", "needs a season")
            return (0..<horizon).map { history[history.count - m + $0 % m] }
        case .naive:
            try require(!history.isEmpty, "history", "needs a month")
            return Array(repeating: history.last!, count: horizon)
        }
    }
}
