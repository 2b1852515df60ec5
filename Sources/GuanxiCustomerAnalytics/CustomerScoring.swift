import Foundation
import Synchronization
import GuanxiAnalytics
import GuanxiCustomerFile
import GuanxiPlatform

/// Turns customers and their purchases into scores with the analytics library. Pure:
/// the caller loads the data and writes the result (`AnalysisRunner`), so this is where
/// the rules of the app's analysis can be read and tested.
///
/// Rules beyond the library's own:
/// - amounts are summed whatever their currency: keep a customer file's purchases in one;
/// - the spend model reads amounts; CLV is margin when purchases carry margins (the
///   file's overall margin share of revenue), revenue otherwise; it covers the next 12
///   months of 30 days, discounted at 1% a month;
/// - a customer without purchases gets no RFM, tier or CLV, bank grade 潜在 and
///   lifecycle stage 培育;
/// - steps that the data cannot support (no repeat purchases for the lifetime models, no
///   baskets with items for rules) are skipped and named in the summary.
package struct CustomerScoring {
    package struct Input: Sendable {
        package var customerIDs: [UUID]
        package var purchases: [Purchase]
        /// Items per purchase, in the order of `purchases` (empty when none were recorded).
        package var items: [[String]]
        package var asOf: Day
        package var unit: TimeUnit
    }

    package struct Output {
        package var scores: [CustomerScore]
        package var summary: AnalysisSummary
    }

    package static func compute(_ input: Input) throws -> Output {
        var timings: [String: Double] = [:]
        var skipped: [String] = []
        let clock = ContinuousClock()
        func timed<T>(_ step: String, _ body: () throws -> T) rethrows -> T {
            let start = clock.now
            defer { let d = clock.now - start; timings[step] = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            return try body()
        }

        // The cross-sell rules mine the baskets alone, and the yearly occasions read only
        // the purchase history, so they run one after the other on a core of their own
        // beside everything else (0.4 s and 0.3 s of a run over a million purchases).
        let rulesQueue = DispatchQueue(label: "guanxi.analysis.rules")
        let minedRules = Mutex<(rules: [AnalysisSummary.Rule], skipped: [String], seconds: Double)>(([], [], 0))
        rulesQueue.async {
            let start = ContinuousClock.now
            var skipped: [String] = []
            let rules = strongestRules(input, skipped: &skipped)
            let d = ContinuousClock.now - start
            minedRules.withLock { $0 = (rules, skipped, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
        }

        let n = input.customerIDs.count
        let history = try timed("check") { try PurchaseHistory(customerCount: n, purchases: input.purchases, asOf: input.asOf) }
        // The yearly occasions need only the history: they follow the rules on that core.
        let foundOccasions = Mutex<(occasions: Result<[Int: Day], any Error>, seconds: Double)>((.success([:]), 0))
        rulesQueue.async {
            let start = ContinuousClock.now
            let found = Result { Dictionary(uniqueKeysWithValues: try RepeatOccasionRule().occasions(history).map { ($0.customer, $0.nextDate) }) }
            let d = ContinuousClock.now - start
            foundOccasions.withLock { $0 = (found, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
        }
        let rfm = timed("rfm") { Dictionary(uniqueKeysWithValues: RFM.scores(history).map { ($0.customer, $0) }) }
        let contributions = history.contributions()
        let tiers = try timed("tiers") { try ValueTiers.assign(contributions: contributions) }
        let grades = try timed("grades") { try BankGrades.assign(history) }

        let summaries = timed("summaries") { LifetimeSummary.from(history, unit: input.unit) }
        var purchaseFit: BGNBD.Fit?
        var spendFit: GammaGamma.Fit?
        do { purchaseFit = try timed("purchaseModel") { try BGNBD.fit(summaries) } } catch { skipped.append("purchase model: \(error)") }
        do { spendFit = try timed("spendModel") { try GammaGamma.fit(summaries) } } catch { skipped.append("spend model: \(error)") }

        var alive: [Int: Double] = [:]
        var expected: [Int: Double] = [:]
        var lifetimeValue: [Int: Double] = [:]
        if let purchases = purchaseFit?.model {
            let year = 365 / input.unit.days
            var clv: LifetimeValue?
            if let spend = spendFit?.model {
                do {
                    clv = try LifetimeValue(purchases: purchases, spend: spend, steps: 12, stepLength: 30 / input.unit.days,
                                            discountRate: 0.01, marginShare: marginShare(history))
                } catch { skipped.append("lifetime value: \(error)") }
            }
            timed("lifetimeValue") {
                for s in summaries {
                    alive[s.customer] = purchases.probabilityAlive(s)
                    expected[s.customer] = purchases.expectedPurchases(year, given: s)
                    if let clv { lifetimeValue[s.customer] = clv.value(s) }
                }
            }
        }
        let lifecycle = LifecycleRule()
        let stages = timed("lifecycle") { lifecycle.facts(history, probabilityAlive: alive).map(lifecycle.stage) }
        rulesQueue.sync {}  // waits for the rules and the occasions
        let mined = minedRules.withLock { $0 }
        let rules = mined.rules
        (timings["rules"], skipped) = (mined.seconds, skipped + mined.skipped)
        let found = foundOccasions.withLock { $0 }
        timings["occasions"] = found.seconds
        let occasions = try found.occasions.get()
        let sales = timed("salesForecast") { salesForecast(history, skipped: &skipped) }

        var revenue = [Double](repeating: 0, count: n)
        for p in history.purchases { revenue[p.customer] += p.amount }
        let asOfText = input.asOf.description
        let scores = (0..<n).map { i -> CustomerScore in
            let r = rfm[i]
            return CustomerScore(
                customerID: input.customerIDs[i], asOf: asOfText, recencyDays: r?.recencyDays, frequency: r?.frequency ?? 0,
                monetary: Self.money(revenue[i]),
                rfm: r.map { ($0.r, $0.f, $0.m) }, segment: r.map { $0.segment.rawValue.snakeCased },
                valueTier: r == nil ? nil : Self.tier(tiers[i]), bankGrade: grades[i].rawValue, lifecycleStage: Self.stage(stages[i]),
                probabilityActive: alive[i], expectedPurchases: expected[i],
                lifetimeValue: lifetimeValue[i].map(Self.money),
                nextOccasion: occasions[i]?.description)
        }
        func counts(_ values: [String?]) -> [String: Int] {
            values.reduce(into: [:]) { totals, v in if let v { totals[v, default: 0] += 1 } }
        }
        let concentration = try? Concentration(contributions: contributions, points: 20)
        let summary = AnalysisSummary(
            asOf: asOfText, timeUnit: input.unit.rawValue, customers: n, buyers: rfm.count, purchases: history.purchases.count,
            ignoredAfterAsOf: history.ignoredAfterAsOf,
            purchaseModel: purchaseFit.map { .init(r: $0.model.r, alpha: $0.model.alpha, a: $0.model.a, b: $0.model.b, logLikelihood: $0.logLikelihood,
                                                   iterations: $0.iterations, converged: $0.converged, customers: $0.customers) },
            spendModel: spendFit.map { .init(p: $0.model.p, q: $0.model.q, v: $0.model.v, logLikelihood: $0.logLikelihood,
                                             iterations: $0.iterations, converged: $0.converged, customers: $0.customers) },
            skipped: skipped, segments: counts(scores.map(\.segment)), valueTiers: counts(scores.map(\.valueTier)),
            bankGrades: counts(scores.map(\.bankGrade)), lifecycleStages: counts(scores.map(\.lifecycleStage)),
            concentration: concentration.map { .init(top1Percent: $0.top1Percent, top4Percent: $0.top4Percent, top20Percent: $0.top20Percent, gini: $0.gini,
                                                     lorenz: $0.lorenz.map { [$0.customerShare, $0.valueShare] }) },
            salesForecast: sales, rules: rules, timings: timings)
        return Output(scores: scores, summary: summary)
    }

    /// Major units to Money, rounded to the minor unit; a value no column can hold (a
    /// model's runaway prediction) is capped rather than trapping.
    package static func money(_ major: Double) -> Money {
        let minor = (major * 100).rounded()
        guard minor.isFinite else { return Money(minorUnits: 0) }
        return Money(minorUnits: Int64(max(-9e15, min(9e15, minor))))
    }

    /// Overall margin as a share of revenue when every purchase carries a margin, else 1.
    package static func marginShare(_ history: PurchaseHistory) -> Double {
        guard history.hasMargins else { return 1 }
        let revenue = history.purchases.reduce(0) { $0 + $1.amount }
        let margin = history.purchases.reduce(0) { $0 + ($1.margin ?? 0) }
        return revenue > 0 ? margin / revenue : 1
    }

    /// Revenue per calendar month, from the first purchase's month to the last complete
    /// month before the as-of day, and the next six months forecast from it.
    package static func salesForecast(_ history: PurchaseHistory, skipped: inout [String]) -> AnalysisSummary.SalesForecast? {
        guard let first = history.purchases.map(\.day).min() else { return nil }
        func index(_ day: Day) -> Int { let c = day.civil; return c.year * 12 + c.month - 1 }
        func label(_ i: Int) -> String { let m = i % 12 + 1; return "\(i / 12)-\(m < 10 ? "0" : "")\(m)" }
        let asOf = history.asOf.civil
        let lastComplete = index(history.asOf) - (asOf.day == Day.daysIn(month: asOf.month, year: asOf.year) ? 0 : 1)
        let start = index(first)
        guard lastComplete >= start else {
            skipped.append("sales forecast: no complete month of purchases yet")
            return nil
        }
        var revenue = [Double](repeating: 0, count: lastComplete - start + 1)
        for p in history.purchases where index(p.day) <= lastComplete { revenue[index(p.day) - start] += p.amount }
        guard let forecast = try? GuanxiAnalytics.ForecastSelection(history: revenue, horizon: 6) else { return nil }
        let kept = forecast.skippedMonths
        return .init(method: forecast.method.rawValue, months: (start + kept...lastComplete).map(label), revenue: Array(revenue[kept...]),
                     forecastMonths: (1...6).map { label(lastComplete + $0) }, forecast: forecast.values, low: forecast.low, high: forecast.high,
                     error: forecast.error, seasonalNaiveError: forecast.seasonalNaiveError, skippedMonths: kept)
    }

    /// Rules over the items of purchases that list them: itemsets in at least 1% of those
    /// baskets (up to three items), confidence at least 30%, the 20 strongest.
    package static func strongestRules(_ input: Input, skipped: inout [String]) -> [AnalysisSummary.Rule] {
        var codes: [String: Int] = [:]
        var names: [String] = []
        var baskets: [[Int]] = []
        for (purchase, items) in zip(input.purchases, input.items) where purchase.day <= input.asOf && !items.isEmpty {
            baskets.append(items.map { code in
                if let id = codes[code] { return id }
                codes[code] = names.count
                names.append(code)
                return names.count - 1
            })
        }
        guard baskets.count >= 20 else {
            skipped.append("rules: fewer than 20 purchases list their items")
            return []
        }
        do {
            let mined = try FPGrowth.frequentItemsets(baskets, minSupport: 0.01, maxLength: 3)
            return try AssociationRules.derive(from: mined, minConfidence: 0.3).prefix(20).map {
                .init(antecedent: $0.antecedent.map { names[$0] }, consequent: $0.consequent.map { names[$0] },
                      support: $0.support, confidence: $0.confidence, lift: $0.lift)
            }
        } catch {
            skipped.append("rules: \(error)")
            return []
        }
    }

    /// The customer file's words for the library's tiers and stages (`Customer.valueTiers`,
    /// `Customer.lifecycleStages`).
    package static func tier(_ tier: ValueTier) -> String {
        switch tier {
        case .vip: return "vip"
        case .highValue: return "high"
        case .ordinary: return "ordinary"
        case .unprofitable: return "low"
        }
    }

    package static func stage(_ stage: LifecycleStage) -> String { stage.rawValue.snakeCased }
}
