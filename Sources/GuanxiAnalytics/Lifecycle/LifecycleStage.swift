/// The customer lifecycle of the source documents (seed 000 篇6/篇8): 培育 acquisition,
/// 成长 growth, 回报 maturity, 挽留 at risk, 终止 lost.
public enum LifecycleStage: String, CaseIterable, Sendable, Codable {
    case acquisition, growth, maturity, atRisk, lost

    public var chineseName: String {
        switch self {
        case .acquisition: return "培育期"
        case .growth: return "成长期"
        case .maturity: return "回报期"
        case .atRisk: return "挽留期"
        case .lost: return "终止期"
        }
    }
}

/// What the lifecycle rule looks at for one customer.
public struct LifecycleFacts: Sendable, Equatable {
    /// Days since the first purchase; nil for a customer who never bought.
    public var tenureDays: Int?
    public var daysSinceLastPurchase: Int?
    /// Spend in the last trend window and in the window before it.
    public var recentSpend: Double
    public var previousSpend: Double
    /// From the BG/NBD model when one was fitted.
    public var probabilityAlive: Double?

    public init(tenureDays: Int?, daysSinceLastPurchase: Int?, recentSpend: Double, previousSpend: Double, probabilityAlive: Double?) {
        self.tenureDays = tenureDays
        self.daysSinceLastPurchase = daysSinceLastPurchase
        self.recentSpend = recentSpend
        self.previousSpend = previousSpend
        self.probabilityAlive = probabilityAlive
    }
}

public struct LifecycleRule: Sendable, Equatable {
    public var lostBelow = 0.1
    public var atRiskBelow = 0.5
    /// Used instead of the probability when no model was fitted.
    public var lostAfterDays = 730
    public var atRiskAfterDays = 365
    public var acquisitionDays = 90
    public var growthDays = 365
    public var trendWindowDays = 180
    public var decliningBelow = 0.7
    public var growingAbove = 1.2

    public init() {}

    /// The rule, checked in this order:
    /// 1. never bought → acquisition (a prospect being cultivated);
    /// 2. P(alive) < `lostBelow` (without a model: no purchase for `lostAfterDays`) → lost;
    /// 3. P(alive) < `atRiskBelow` (without a model: none for `atRiskAfterDays`), or recent
    ///    spend below `decliningBelow` × the window before → at risk;
    /// 4. tenure under `acquisitionDays` → acquisition;
    /// 5. recent spend above `growingAbove` × the window before, or tenure under
    ///    `growthDays` → growth;
    /// 6. otherwise → maturity.
    public func stage(_ facts: LifecycleFacts) -> LifecycleStage {
        guard let tenure = facts.tenureDays, let idle = facts.daysSinceLastPurchase else { return .acquisition }
        if let alive = facts.probabilityAlive {
            if alive < lostBelow { return .lost }
            if alive < atRiskBelow { return .atRisk }
        } else {
            if idle >= lostAfterDays { return .lost }
            if idle >= atRiskAfterDays { return .atRisk }
        }
        if facts.previousSpend > 0, facts.recentSpend < decliningBelow * facts.previousSpend { return .atRisk }
        if tenure < acquisitionDays { return .acquisition }
        if facts.recentSpend > growingAbove * facts.previousSpend || tenure < growthDays { return .growth }
        return .maturity
    }

    /// Facts for every customer of a history; `probabilityAlive` by customer index.
    public func facts(_ history: PurchaseHistory, probabilityAlive: [Int: Double] = [:]) -> [LifecycleFacts] {
        let n = history.customerCount
        var first = [Int](repeating: Int.max, count: n)
        var last = [Int](repeating: Int.min, count: n)
        var recent = [Double](repeating: 0, count: n)
        var previous = [Double](repeating: 0, count: n)
        let recentStart = history.asOf.value - trendWindowDays
        let previousStart = recentStart - trendWindowDays
        for p in history.purchases {
            if p.day.value > recentStart { recent[p.customer] += p.amount }
            else if p.day.value > previousStart { previous[p.customer] += p.amount }
            guard p.amount > 0 else { continue }
            first[p.customer] = min(first[p.customer], p.day.value)
            last[p.customer] = max(last[p.customer], p.day.value)
        }
        return (0..<n).map { i in
            let bought = first[i] != Int.max
            return LifecycleFacts(tenureDays: bought ? history.asOf.value - first[i] : nil,
                                  daysSinceLastPurchase: bought ? history.asOf.value - last[i] : nil,
                                  recentSpend: recent[i], previousSpend: previous[i],
                                  probabilityAlive: probabilityAlive[i])
        }
    }
}
