import Testing
@testable import GuanxiAnalytics

@Suite struct ValueTests {
    @Test func tiersCutTheTopOnePercentAndTheHighValueBand() throws {
        // 200 profitable customers contributing 1…200, plus two that lost money and one at 0.
        let contributions = (1...200).map(Double.init) + [-50, 0, -1]
        let tiers = try ValueTiers.assign(contributions: contributions)
        // ⌈1% × 200⌉ = 2 VIPs, ⌈20% × 200⌉ = 40 in VIP and high value together.
        #expect(tiers[199] == .vip && tiers[198] == .vip)
        #expect(tiers[197] == .highValue && tiers[160] == .highValue)
        #expect(tiers[159] == .ordinary && tiers[0] == .ordinary)
        #expect(Array(tiers[200...]) == [.unprofitable, .unprofitable, .unprofitable])
        #expect(tiers.filter { $0 == .vip }.count == 2)
        #expect(tiers.filter { $0 == .highValue }.count == 38)
    }

    @Test func tiesAtACutOffShareTheTier() throws {
        let tiers = try ValueTiers.assign(contributions: [10, 10, 10, 5, 1], cutoffs: ValueTierCutoffs(vipShare: 0.2, highValueShare: 0.4))
        #expect(tiers == [.vip, .vip, .vip, .ordinary, .ordinary])
    }

    @Test func tiersPartitionEveryCustomer() throws {
        var generator = SeededGenerator(seed: 3)
        let contributions = (0..<5_000).map { _ in generator.nextUnit() * 1000 - 100 }
        let tiers = try ValueTiers.assign(contributions: contributions)
        #expect(tiers.count == contributions.count)
        #expect(ValueTier.allCases.reduce(0) { total, tier in total + tiers.filter { $0 == tier }.count } == 5_000)
        // A higher contribution never lands in a lower tier.
        let rank: [ValueTier: Int] = [.vip: 3, .highValue: 2, .ordinary: 1, .unprofitable: 0]
        let order = contributions.indices.sorted { contributions[$0] < contributions[$1] }
        #expect(zip(order, order.dropFirst()).allSatisfy { rank[tiers[$0.0]]! <= rank[tiers[$0.1]]! })
    }

    @Test func rejectsCutOffsOutOfOrder() {
        #expect(throws: AnalyticsError.invalidArgument(name: "highValueShare", reason: "must be between vipShare and 1")) {
            try ValueTiers.assign(contributions: [1], cutoffs: ValueTierCutoffs(vipShare: 0.3, highValueShare: 0.2))
        }
    }

    @Test func bankGradesSpotProspectsAndDecline() throws {
        let asOf = day("2026-06-30")
        var purchases: [Purchase] = []
        // Customers 0…49 buy steadily, customer i spends (i + 1) × 100 in each half-year.
        for i in 0..<50 {
            purchases.append(Purchase(customer: i, day: asOf - 300, amount: Double(i + 1) * 100))
            purchases.append(Purchase(customer: i, day: asOf - 30, amount: Double(i + 1) * 100))
        }
        // Customer 50 spent a lot a year ago and little lately; 51 never bought.
        purchases.append(Purchase(customer: 50, day: asOf - 300, amount: 100_000))
        purchases.append(Purchase(customer: 50, day: asOf - 20, amount: 1_000))
        let grades = try BankGrades.assign(try PurchaseHistory(customerCount: 52, purchases: purchases, asOf: asOf))
        #expect(grades[51] == .potential)
        #expect(grades[50] == .restricted)
        // 51 buyers: ⌈4%⌉ = 3 prime, ⌈20%⌉ = 11 prime or major; customer 50 is among the
        // top three by total, so customers 49 and 48 are prime.
        #expect(grades[49] == .prime && grades[48] == .prime)
        #expect(grades[47] == .major && grades[40] == .major)
        #expect(grades[39] == .ordinary && grades[0] == .ordinary)
    }

    @Test func concentrationOfAKnownVector() throws {
        let c = try Concentration(contributions: [1, 2, 3, 4], points: 4)
        // G = 2·(1·1 + 2·2 + 3·3 + 4·4) / (4·10) − 5/4 = 0.25.
        #expect(abs(c.gini - 0.25) < 1e-12)
        #expect(c.top1Percent == 0.4 && c.top4Percent == 0.4 && c.top20Percent == 0.4)
        #expect(c.lorenz.map(\.valueShare) == [0, 0.1, 0.3, 0.6, 1])
        #expect(c.lorenz.map(\.customerShare) == [0, 0.25, 0.5, 0.75, 1])
    }

    @Test func concentrationBounds() throws {
        #expect(abs(try Concentration(contributions: Array(repeating: 7, count: 100)).gini) < 1e-12)
        // One customer has everything: G = (n − 1) / n, the top 1% holds it all.
        let skewed = try Concentration(contributions: Array(repeating: 0, count: 99) + [500])
        #expect(abs(skewed.gini - 0.99) < 1e-12)
        #expect(skewed.top1Percent == 1)
        // Negative contributions count as zero.
        #expect(try Concentration(contributions: [-5, 5]).gini == 0.5)
        #expect(throws: AnalyticsError.self) { try Concentration(contributions: [0, -1]) }
        #expect(throws: AnalyticsError.self) { try Concentration(contributions: []) }
    }
}
