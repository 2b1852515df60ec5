import Testing
@testable import GuanxiAnalytics

@Suite struct RFMTests {
    /// Five customers worked by hand as of 2026-01-31; customer 5 never bought.
    @Test func scoresAWorkedExampleByQuintiles() throws {
        let purchases = [
            Purchase(customer: 0, day: day("2026-01-30"), amount: 500),
            Purchase(customer: 0, day: day("2026-01-10"), amount: 300),
            Purchase(customer: 0, day: day("2025-12-01"), amount: 200),
            Purchase(customer: 1, day: day("2025-06-01"), amount: 50),
            Purchase(customer: 2, day: day("2026-01-20"), amount: 80),
            Purchase(customer: 2, day: day("2026-01-25"), amount: -30),   // a return
            Purchase(customer: 3, day: day("2025-11-01"), amount: 1000),
            Purchase(customer: 3, day: day("2025-10-01"), amount: 1000),
            Purchase(customer: 4, day: day("2025-12-31"), amount: 100),
            Purchase(customer: 4, day: day("2026-03-01"), amount: 999),   // after as-of: ignored
        ]
        let history = try PurchaseHistory(customerCount: 6, purchases: purchases, asOf: day("2026-01-31"))
        #expect(history.ignoredAfterAsOf == 1)
        let scores = try #require(RFM.scores(history) as [RFMScore]?)
        #expect(scores.map(\.customer) == [0, 1, 2, 3, 4])
        // Recency days 1, 244, 11, 91, 31 → ranks by "more recent is better".
        #expect(scores.map(\.recencyDays) == [1, 244, 11, 91, 31])
        #expect(scores.map(\.r) == [5, 1, 4, 2, 3])
        // Frequency 3, 1, 1, 2, 1: the three ones tie and share the lowest score.
        #expect(scores.map(\.frequency) == [3, 1, 1, 2, 1])
        #expect(scores.map(\.f) == [5, 1, 1, 4, 1])
        // Monetary 1000, 50, 50 (80 − 30), 2000, 100: the two 50s tie.
        #expect(scores.map(\.monetary) == [1000, 50, 50, 2000, 100])
        #expect(scores.map(\.m) == [4, 1, 1, 5, 3])
        #expect(scores[0].code == "554")
        #expect(scores.map(\.segment) == [.champions, .lost, .promising, .atRisk, .aboutToSleep])
    }

    @Test func distinctValuesFillQuintilesEvenly() {
        var generator = SeededGenerator(seed: 7)
        for n in [5, 17, 1000, 1003] {
            let values = (0..<n).map { _ in generator.nextUnit() }
            let scores = QuantileScore.scores(values)
            let sizes = (1...5).map { s in scores.filter { $0 == s }.count }
            #expect(sizes.max()! - sizes.min()! <= 1, "n = \(n): \(sizes)")
            // Higher value, never a lower score.
            let order = values.indices.sorted { values[$0] < values[$1] }
            #expect(zip(order, order.dropFirst()).allSatisfy { scores[$0.0] <= scores[$0.1] })
        }
    }

    @Test func equalValuesAlwaysShareAScore() {
        let values: [Double] = [3, 1, 3, 3, 2, 3, 5, 3, 4, 3]
        let scores = QuantileScore.scores(values)
        #expect(Set(values.indices.filter { values[$0] == 3 }.map { scores[$0] }).count == 1)
        #expect(scores == [2, 1, 2, 2, 1, 2, 5, 2, 5, 2])
    }

    @Test func segmentsFollowTheGrid() {
        #expect(RFMSegment(r: 5, f: 5) == .champions)
        #expect(RFMSegment(r: 5, f: 1) == .newCustomers)
        #expect(RFMSegment(r: 2, f: 5) == .cannotLose)
        #expect(RFMSegment(r: 3, f: 3) == .needAttention)
        #expect(RFMSegment(r: 2, f: 2) == .hibernating)
        #expect(RFMSegment(r: 1, f: 1) == .lost)
        // Every cell of the grid has a segment with a Chinese name.
        for r in 1...5 { for f in 1...5 { #expect(!RFMSegment(r: r, f: f).chineseName.isEmpty) } }
        #expect(Set((1...5).flatMap { r in (1...5).map { RFMSegment(r: r, f: $0) } }).count == RFMSegment.allCases.count)
    }

    @Test func badPurchasesAreRejectedByNumber() {
        #expect(throws: AnalyticsError.invalidPurchase(index: 1, reason: "customer 3 is not in 0..<2")) {
            try PurchaseHistory(customerCount: 2, purchases: [
                Purchase(customer: 0, day: Day(0), amount: 1), Purchase(customer: 3, day: Day(0), amount: 1),
            ], asOf: Day(10))
        }
        #expect(throws: AnalyticsError.invalidPurchase(index: 0, reason: "amount is not a finite number")) {
            try PurchaseHistory(customerCount: 1, purchases: [Purchase(customer: 0, day: Day(0), amount: .nan)], asOf: Day(10))
        }
    }

    @Test func emptyHistoryScoresNobody() throws {
        let history = try PurchaseHistory(customerCount: 3, purchases: [], asOf: Day(0))
        #expect(RFM.scores(history).isEmpty)
    }
}
