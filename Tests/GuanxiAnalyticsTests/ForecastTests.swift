import Testing
@testable import GuanxiAnalytics

@Suite struct ForecastTests {
    @Test func weightedPipelineByMonth() throws {
        let asOf = day("2026-03-15")
        let months = try PipelineForecast.byMonth([
            PipelineDeal(amount: 100_000, probability: 40, expectedClose: day("2026-04-10")),
            PipelineDeal(amount: 50_000, probability: 80, expectedClose: day("2026-04-30")),
            PipelineDeal(amount: 20_000, probability: 10, expectedClose: day("2026-01-31")),   // overdue: counts now
            PipelineDeal(amount: 10_000, probability: 100, expectedClose: day("2027-01-02")),
        ], asOf: asOf)
        #expect(months == [
            PipelineMonth(year: 2026, month: 3, deals: 1, amount: 20_000, weighted: 2_000),
            PipelineMonth(year: 2026, month: 4, deals: 2, amount: 150_000, weighted: 80_000),
            PipelineMonth(year: 2027, month: 1, deals: 1, amount: 10_000, weighted: 10_000),
        ])
        #expect(throws: AnalyticsError.invalidArgument(name: "deals[0].probability", reason: "must be between 0 and 100")) {
            try PipelineForecast.byMonth([PipelineDeal(amount: 1, probability: 120, expectedClose: asOf)], asOf: asOf)
        }
    }

    @Test func holtContinuesALinearTrendExactly() throws {
        let forecast = try SalesForecast(history: [10, 12, 14, 16, 18, 20], horizon: 3)
        #expect(forecast.method == .holt)
        #expect(forecast.sumOfSquaredErrors < 1e-18)
        #expect(zip(forecast.values, [22.0, 24, 26]).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test func holtWintersFollowsTrendAndSeason() throws {
        let season: [Double] = [-30, -20, -5, 0, 5, 10, 20, 15, 5, 0, 10, -10]
        let history = (0..<36).map { 200 + 2 * Double($0) + season[$0 % 12] }
        let forecast = try SalesForecast(history: history, horizon: 12)
        #expect(forecast.method == .holtWinters)
        for h in 0..<12 {
            let truth = 200 + 2 * Double(36 + h) + season[(36 + h) % 12]
            #expect(abs(forecast.values[h] - truth) / truth < 0.02, "month \(h + 1): \(forecast.values[h]) vs \(truth)")
        }
        // December is forecast below November, as every year before.
        #expect(forecast.values[11] < forecast.values[10])
    }

    @Test func shortOrBadHistory() throws {
        let naive = try SalesForecast(history: [5, 7], horizon: 2)
        #expect(naive.method == .naive && naive.values == [7, 7])
        #expect(throws: AnalyticsError.invalidArgument(name: "history", reason: "needs at least one month")) {
            try SalesForecast(history: [], horizon: 1)
        }
        #expect(throws: AnalyticsError.self) { try SalesForecast(history: [1, .infinity, 3], horizon: 1) }
        #expect(throws: AnalyticsError.self) { try SalesForecast(history: [1, 2, 3], horizon: 0) }
    }
}

@Suite("Forecast chosen by a back-test")
struct ForecastSelectionTests {
    /// Two years of a seasonal business: a December peak on a slowly rising base.
    static func seasonal(years: Int) -> [Double] {
        (0..<(12 * years)).map { (i: Int) -> Double in
            let peak: Double = i % 12 == 11 ? 80_000 : i % 12 == 5 ? 30_000 : 0
            return 100_000 + Double(i) * 500 + peak
        }
    }

    @Test("Months before the business started are not history, so the forecast stays near what the business sells")
    func leadingMonthsLeftOut() throws {
        let history = Array(repeating: 800.0, count: 11) + Self.seasonal(years: 3)
        let selection = try ForecastSelection(history: history, horizon: 6)
        #expect(selection.skippedMonths == 11)
        let recent = history.suffix(12).reduce(0, +) / 12
        #expect(selection.values.allSatisfy { $0 < 2 * recent && $0 > recent / 2 })
        #expect(zip(zip(selection.low, selection.values), selection.high).allSatisfy { $0.0 <= $0.1 && $0.1 <= $1 })
    }

    @Test("The chosen method errs no more than \"same month last year\" on the held-out months, and says by how much")
    func beatsSeasonalNaive() throws {
        let selection = try ForecastSelection(history: Self.seasonal(years: 3), horizon: 6)
        let error = try #require(selection.error)
        let naive = try #require(selection.seasonalNaiveError)
        #expect(error <= naive)
        #expect(error < 0.2)
    }

    @Test("A short history has no months to hold out: Holt's trend, no error claimed; one month gives the naive forecast")
    func shortHistories() throws {
        let five = try ForecastSelection(history: [10, 20, 30, 40, 50], horizon: 3)
        #expect(five.method == .holt && five.error == nil)
        let one = try ForecastSelection(history: [42], horizon: 2)
        #expect(one.method == .naive && one.values == [42, 42])
        #expect(throws: AnalyticsError.self) { try ForecastSelection(history: [], horizon: 2) }
    }
}
