/// The bank grading of the source documents (seed 004): 优质 prime, 主要 major,
/// 普通 ordinary, 限制 restricted (deteriorating, at risk of loss) and 潜在 potential
/// (prospects who have not bought yet).
public enum BankGrade: String, CaseIterable, Sendable, Codable {
    case prime, major, ordinary, restricted, potential

    public var chineseName: String {
        switch self {
        case .prime: return "优质客户"
        case .major: return "主要客户"
        case .ordinary: return "普通客户"
        case .restricted: return "限制客户"
        case .potential: return "潜在客户"
        }
    }
}

public struct BankGradeRules: Sendable, Equatable {
    /// Share of buying customers graded prime ("in Chinese banks 4% bring 80%").
    public var primeShare: Double
    /// Share graded prime or major together.
    public var majorShare: Double
    /// Length of the two periods compared for the trend, in days.
    public var trendWindowDays: Int
    /// A customer whose contribution in the last window fell below this fraction of the
    /// window before is restricted (default: a drop of more than 30%).
    public var decliningBelow: Double

    public init(primeShare: Double = 0.04, majorShare: Double = 0.20, trendWindowDays: Int = 180, decliningBelow: Double = 0.7) {
        self.primeShare = primeShare
        self.majorShare = majorShare
        self.trendWindowDays = trendWindowDays
        self.decliningBelow = decliningBelow
    }
}

public enum BankGrades {
    /// Rule, in this order: no purchase with a positive amount ever → potential; a
    /// contribution in the last `trendWindowDays` below `decliningBelow` × the one in the
    /// window before (when that one was positive) → restricted; otherwise ranked by total
    /// contribution like `ValueTiers`: the top `primeShare` → prime, up to `majorShare`
    /// → major, the rest (including zero or negative totals) → ordinary.
    public static func assign(_ history: PurchaseHistory, rules: BankGradeRules = .init()) throws -> [BankGrade] {
        try require(rules.primeShare > 0 && rules.primeShare <= rules.majorShare && rules.majorShare <= 1,
                    "primeShare", "must satisfy 0 < primeShare <= majorShare <= 1")
        try require(rules.trendWindowDays > 0, "trendWindowDays", "must be positive")
        try require(rules.decliningBelow > 0 && rules.decliningBelow <= 1, "decliningBelow", "must be in (0, 1]")
        let n = history.customerCount
        let useMargin = history.hasMargins
        var bought = [Bool](repeating: false, count: n)
        var recent = [Double](repeating: 0, count: n)
        var before = [Double](repeating: 0, count: n)
        let recentStart = history.asOf.value - rules.trendWindowDays
        let beforeStart = recentStart - rules.trendWindowDays
        for p in history.purchases {
            let value = useMargin ? p.margin! : p.amount
            if p.amount > 0 { bought[p.customer] = true }
            if p.day.value > recentStart { recent[p.customer] += value }
            else if p.day.value > beforeStart { before[p.customer] += value }
        }
        let tiers = try ValueTiers.assign(contributions: history.contributions(),
                                          cutoffs: ValueTierCutoffs(vipShare: rules.primeShare, highValueShare: rules.majorShare))
        return (0..<n).map { i in
            if !bought[i] { return .potential }
            if before[i] > 0, recent[i] < rules.decliningBelow * before[i] { return .restricted }
            switch tiers[i] {
            case .vip: return .prime
            case .highValue: return .major
            case .ordinary, .unprofitable: return .ordinary
            }
        }
    }
}
