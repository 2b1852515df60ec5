/// Customer value tiers by contribution, after the source documents' four attitudes
/// (seed 004 and seed 000 篇6): the top 1% are anticipated and kept (屈从型), the next
/// high-value band is followed closely (关怀型), ordinary customers get the standard offer
/// (适应型), and unprofitable ones get no extra resources (冷漠型).
public enum ValueTier: String, CaseIterable, Sendable, Codable {
    case vip, highValue, ordinary, unprofitable

    public var chineseName: String {
        switch self {
        case .vip: return "屈从型"
        case .highValue: return "关怀型"
        case .ordinary: return "适应型"
        case .unprofitable: return "冷漠型"
        }
    }
}

public struct ValueTierCutoffs: Sendable, Equatable {
    /// Share of profitable customers in the VIP tier (default the top 1%).
    public var vipShare: Double
    /// Share of profitable customers in the VIP and high-value tiers together (default 20%).
    public var highValueShare: Double

    public init(vipShare: Double = 0.01, highValueShare: Double = 0.20) {
        self.vipShare = vipShare
        self.highValueShare = highValueShare
    }

    func validate() throws {
        try require(vipShare > 0 && vipShare <= 1, "vipShare", "must be in (0, 1]")
        try require(highValueShare >= vipShare && highValueShare <= 1, "highValueShare", "must be between vipShare and 1")
    }
}

public enum ValueTiers {
    /// One tier per customer, by contribution (margin, or revenue when margins are unknown).
    ///
    /// Rule: a contribution of zero or less is `unprofitable`. The profitable customers
    /// are ranked by contribution, highest first; a customer is `vip` when fewer than
    /// ⌈vipShare × p⌉ profitable customers contribute strictly more, `highValue` when
    /// fewer than ⌈highValueShare × p⌉ do, else `ordinary` (p = number of profitable
    /// customers). Equal contributions always share a tier, so a tie at a cut-off can
    /// make a tier slightly larger than its share.
    public static func assign(contributions: [Double], cutoffs: ValueTierCutoffs = .init()) throws -> [ValueTier] {
        try cutoffs.validate()
        let profitable = contributions.filter { $0 > 0 }.sorted(by: >)
        let p = profitable.count
        let vipCount = Int((cutoffs.vipShare * Double(p)).rounded(.up))
        let highCount = Int((cutoffs.highValueShare * Double(p)).rounded(.up))
        // The smallest contribution that is still inside each band; everything equal to it
        // is inside too.
        let vipFloor = vipCount > 0 ? profitable[vipCount - 1] : .infinity
        let highFloor = highCount > 0 ? profitable[highCount - 1] : .infinity
        return contributions.map { c in
            if c <= 0 { return .unprofitable }
            if c >= vipFloor { return .vip }
            if c >= highFloor { return .highValue }
            return .ordinary
        }
    }
}
