import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// What one analytics run found, as `guanxi analyze --json` prints it and the run log
/// keeps it: fitted parameters, counts per segment, tier and stage, and step timings.
public struct AnalysisSummary: Codable, Sendable, Equatable {
    public struct PurchaseModel: Codable, Sendable, Equatable {
        public var r: Double, alpha: Double, a: Double, b: Double
        public var logLikelihood: Double
        public var iterations: Int
        public var converged: Bool
        public var customers: Int
    }

    public struct SpendModel: Codable, Sendable, Equatable {
        public var p: Double, q: Double, v: Double
        public var logLikelihood: Double
        public var iterations: Int
        public var converged: Bool
        public var customers: Int
    }

    public struct Concentration: Codable, Sendable, Equatable {
        public var top1Percent: Double
        public var top4Percent: Double
        public var top20Percent: Double
        public var gini: Double
        /// The Lorenz curve in 20 steps: (share of customers, share of value), ascending.
        public var lorenz: [[Double]]
    }

    public struct Rule: Codable, Sendable, Equatable {
        public var antecedent: [String]
        public var consequent: [String]
        public var support: Double
        public var confidence: Double
        public var lift: Double
    }

    /// Revenue per month from the purchases and the next six months forecast by
    /// exponential smoothing (Holt-Winters once two years of history exist).
    public struct SalesForecast: Codable, Sendable, Equatable {
        public var method: String
        /// The months of history, YYYY-MM, oldest first, and their revenue.
        public var months: [String]
        public var revenue: [Double]
        /// The six months after the history.
        public var forecastMonths: [String]
        public var forecast: [Double]
        /// About 80 % of outcomes should fall between these (`ForecastSelection`).
        public var low: [Double]?
        public var high: [Double]?
        /// The back-test error of the method chosen, and of "same month last year", as a
        /// share of the held-out months' mean revenue.
        public var error: Double?
        public var seasonalNaiveError: Double?
        /// Months before the business started, left out of the history.
        public var skippedMonths: Int?
    }

    public var asOf: String
    public var timeUnit: String
    public var customers: Int
    public var buyers: Int
    public var purchases: Int
    /// Purchases dated after the as-of day, left out.
    public var ignoredAfterAsOf: Int
    public var purchaseModel: PurchaseModel?
    public var spendModel: SpendModel?
    /// Steps that could not run on this data, and why (for example no repeat purchases).
    public var skipped: [String]
    public var segments: [String: Int]
    public var valueTiers: [String: Int]
    public var bankGrades: [String: Int]
    public var lifecycleStages: [String: Int]
    public var concentration: Concentration?
    public var salesForecast: SalesForecast?
    /// The strongest cross-sell rules over the purchases' items.
    public var rules: [Rule]
    /// Seconds each step took.
    public var timings: [String: Double]
}
