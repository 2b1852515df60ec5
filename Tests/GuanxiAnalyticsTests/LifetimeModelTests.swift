import Foundation
import Testing
@testable import GuanxiAnalytics

@Suite struct LifetimeModelTests {
    static let published = BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    /// Fader, Hardie & Lee (2005), CDNOW: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    @Test func bgnbdReproducesThePublishedCDNOWEstimates() throws {
        let fit = try BGNBD.fit(try cdnowSummaries())
        #expect(fit.converged)
        #expect(abs(fit.model.r - 0.243) < 0.0005)
        #expect(abs(fit.model.alpha - 4.414) < 0.005)
        #expect(abs(fit.model.a - 0.793) < 0.0005)
        #expect(abs(fit.model.b - 2.426) < 0.005)
        #expect(abs(fit.logLikelihood - -9582.4) < 0.05)
    }

    @Test func bgnbdConvergesFromPoorStartingPoints() throws {
        let data = try cdnowSummaries()
        for start in [BGNBD(r: 20, alpha: 0.01, a: 10, b: 0.05), BGNBD(r: 0.001, alpha: 500, a: 0.01, b: 40)] {
            let fit = try BGNBD.fit(data, start: start)
            #expect(abs(fit.model.r - 0.2426) < 0.001 && abs(fit.model.b - 2.4258) < 0.01, "from \(start): \(fit.model)")
            #expect(abs(fit.logLikelihood - -9582.4256) < 0.001)
        }
    }

    /// Reference values from the paper's equations evaluated with SciPy's hyp2f1.
    @Test func bgnbdPredictionsMatchTheClosedForms() {
        let m = Self.published
        let customer = LifetimeSummary(customer: 0, x: 2, tx: 30.43, T: 38.86)
        #expect(abs(m.expectedPurchases(39, given: customer) - 1.226028174767135) < 1e-9)
        #expect(abs(m.probabilityAlive(customer) - 0.726578570080673) < 1e-12)
        #expect(abs(m.expectedPurchases(39, given: LifetimeSummary(customer: 0, x: 0, tx: 0, T: 38.86)) - 0.19509805201125396) < 1e-9)
        #expect(abs(m.expectedPurchases(39, given: LifetimeSummary(customer: 0, x: 26, tx: 35.14, T: 35.86)) - 18.513365278562787) < 1e-7)
        #expect(abs(m.expectedPurchases(39) - 1.1967231933207985) < 1e-9)
        #expect(abs(m.expectedPurchases(78) - 1.8605190579427455) < 1e-9)
        #expect(m.probabilityAlive(LifetimeSummary(customer: 0, x: 0, tx: 0, T: 10)) == 1)
        #expect(m.expectedPurchases(0, given: customer) == 0)
    }

    @Test func hypergeometricSeriesMatchesReferenceValues() {
        func close(_ a: Double, _ b: Double, _ c: Double, _ z: Double, _ expected: Double) -> Bool {
            let value = Special.logHypergeometric2F1(a: a, b: b, c: c, z: z)
            return abs(value - log(expected)) < 1e-10
        }
        #expect(close(1.5, 2.5, 3.7, 0.3, 1.4214419569129735))
        #expect(close(20.2, 22.4, 24.1, 0.9, 4.195383500791952e18))
        #expect(close(0.5, 0.5, 1.5, 0.99, 1.4780376623747613))
        #expect(abs(Special.logHypergeometric2F1(a: 300, b: 302, c: 303, z: 0.5) - log(1.0235936031845445e90)) < 1e-8)
        #expect(Special.logHypergeometric2F1(a: 3, b: 4, c: 5, z: 0) == 0)
    }

    @Test func digammaMatchesKnownValues() {
        #expect(abs(Special.digamma(1) - -0.5772156649015329) < 1e-13)
        #expect(abs(Special.digamma(0.5) - -1.9635100260214235) < 1e-13)
        #expect(abs(Special.digamma(10) - 2.251752589066721) < 1e-13)
    }

    /// 8,000 customers simulated from known parameters, fitted back.
    @Test func bgnbdRecoversSimulatedParameters() throws {
        let truth = BGNBD(r: 0.5, alpha: 6, a: 0.8, b: 2.5)
        let customers = truth.simulate(customers: 8_000, observedFor: 52, seed: 42)
        let fit = try BGNBD.fit(customers)
        #expect(fit.converged)
        #expect(abs(fit.model.r - truth.r) / truth.r < 0.15, "\(fit.model)")
        #expect(abs(fit.model.alpha - truth.alpha) / truth.alpha < 0.2, "\(fit.model)")
        #expect(abs(fit.model.a - truth.a) / truth.a < 0.3, "\(fit.model)")
        #expect(abs(fit.model.b - truth.b) / truth.b < 0.35, "\(fit.model)")
        // The fit is a maximum: the truth is no more likely than the estimate.
        #expect(fit.logLikelihood >= truth.logLikelihood(customers))
    }

    @Test func bgnbdRefusesDataItCannotFit() {
        #expect(throws: AnalyticsError.insufficientData("no customers to fit the BG/NBD model to")) { try BGNBD.fit([]) }
        #expect(throws: AnalyticsError.insufficientData("no customer has a repeat purchase, so the BG/NBD model cannot be fitted")) {
            try BGNBD.fit([LifetimeSummary(customer: 0, x: 0, tx: 0, T: 10), LifetimeSummary(customer: 1, x: 0, tx: 0, T: 3)])
        }
        #expect(throws: AnalyticsError.self) { try BGNBD.fit([LifetimeSummary(customer: 0, x: 2, tx: 12, T: 10)]) }
    }

    @Test func bgnbdFitsASingleCustomerWithoutNaN() throws {
        let fit = try BGNBD.fit([LifetimeSummary(customer: 0, x: 3, tx: 20, T: 30)])
        for value in [fit.model.r, fit.model.alpha, fit.model.a, fit.model.b, fit.logLikelihood] { #expect(value.isFinite) }
    }

    /// Fader & Hardie (2013), CDNOW: p = 6.25, q = 3.74, γ = 15.44.
    @Test func gammaGammaReproducesThePublishedCDNOWEstimates() throws {
        let fit = try GammaGamma.fit(try cdnowSummaries())
        #expect(fit.customers == 946)
        #expect(abs(fit.model.p - 6.25) < 0.005)
        #expect(abs(fit.model.q - 3.74) < 0.01)
        #expect(abs(fit.model.v - 15.44) < 0.02)
        #expect(abs(fit.logLikelihood - -4055.923) < 0.01)
    }

    @Test func gammaGammaRecoversSimulatedParameters() throws {
        let truth = GammaGamma(p: 6, q: 4, v: 15)
        let frequencies = (0..<20_000).map { LifetimeSummary(customer: $0, x: 1 + $0 % 10, tx: 1, T: 2) }
        let customers = truth.simulateSpend(frequencies, seed: 9)
        let fit = try GammaGamma.fit(customers)
        #expect(abs(fit.model.p - truth.p) / truth.p < 0.1, "\(fit.model)")
        #expect(abs(fit.model.q - truth.q) / truth.q < 0.15, "\(fit.model)")
        #expect(abs(fit.model.v - truth.v) / truth.v < 0.2, "\(fit.model)")
        #expect(fit.logLikelihood >= truth.logLikelihood(customers))
    }

    @Test func expectedSpendAndLifetimeValueByHand() throws {
        let spend = GammaGamma(p: 6.25, q: 3.74, v: 15.44)
        let customer = LifetimeSummary(customer: 0, x: 2, tx: 30.43, T: 38.86, averageRepeatValue: 22.35)
        // p(v + x·m) / (p·x + q − 1) = 6.25 · (15.44 + 44.7) / (12.5 + 2.74).
        let expected = 6.25 * (15.44 + 2 * 22.35) / (6.25 * 2 + 3.74 - 1)
        #expect(abs(spend.expectedAverageValue(customer)! - expected) < 1e-12)
        #expect(abs(spend.expectedAverageValue(LifetimeSummary(customer: 1, x: 0, tx: 0, T: 5))! - 6.25 * 15.44 / 2.74) < 1e-12)
        #expect(GammaGamma(p: 1, q: 0.9, v: 1).expectedAverageValue(customer) == nil)

        let clv = try LifetimeValue(purchases: Self.published, spend: spend, steps: 3, stepLength: 13, discountRate: 0.02, marginShare: 0.3)
        let y = [0.0, 13, 26, 39].map { Self.published.expectedPurchases($0, given: customer) }
        let byHand = (1...3).reduce(0.0) { total, k in total + (y[k] - y[k - 1]) * expected * 0.3 / pow(1.02, Double(k)) }
        #expect(abs(clv.value(customer) - byHand) < 1e-9)
        #expect(abs(y[3] - 1.226028174767135) < 1e-9)
        #expect(throws: AnalyticsError.self) {
            try LifetimeValue(purchases: Self.published, spend: GammaGamma(p: 1, q: 1, v: 1), steps: 3, stepLength: 1, discountRate: 0)
        }
        #expect(throws: AnalyticsError.invalidArgument(name: "steps", reason: "must be at least 1")) {
            try LifetimeValue(purchases: Self.published, spend: spend, steps: 0, stepLength: 1, discountRate: 0)
        }
    }

    @Test func summariesFromPurchasesCountOccasions() throws {
        let purchases = [
            Purchase(customer: 0, day: day("2026-01-01"), amount: 100),
            Purchase(customer: 0, day: day("2026-01-01"), amount: 20),     // same day: one occasion
            Purchase(customer: 0, day: day("2026-01-15"), amount: 40),
            Purchase(customer: 0, day: day("2026-01-29"), amount: 60),
            Purchase(customer: 0, day: day("2026-02-05"), amount: -60),    // a return, not an occasion
            Purchase(customer: 2, day: day("2026-02-20"), amount: 10),
        ]
        let history = try PurchaseHistory(customerCount: 3, purchases: purchases, asOf: day("2026-02-26"))
        let weeks = LifetimeSummary.from(history, unit: .week)
        #expect(weeks == [
            LifetimeSummary(customer: 0, x: 2, tx: 4, T: 8, averageRepeatValue: 50),
            LifetimeSummary(customer: 2, x: 0, tx: 0, T: 6.0 / 7, averageRepeatValue: 0),
        ])
        #expect(LifetimeSummary.from(history, unit: .day)[0].T == 56)
    }
}
