import Benchmark
import Foundation
import GuanxiAnalytics

// Figures for the analytics library at the volumes of issue 5: RFM and value tiers over
// 1,000,000 customers and 10,000,000 purchases, a BG/NBD fit on 100,000 customers, and
// FP-Growth on 200,000 baskets over 1,000 products. Data is generated once per process
// (seeded), outside the measured closures.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], warmupIterations: 0,
                                           maxDuration: .seconds(60), maxIterations: 3)

    Benchmark("RFM + value tiers, 1M customers, 10M purchases", closure: { benchmark in
        for _ in benchmark.scaledIterations {
            // The checks and the as-of cut count too: the app pays for them on every run.
            let history = try PurchaseHistory(customerCount: 1_000_000, purchases: VolumeData.purchases, asOf: VolumeData.asOf)
            blackHole(RFM.scores(history))
            blackHole(try ValueTiers.assign(contributions: history.contributions()))
        }
    }, setup: { _ = VolumeData.purchases })

    Benchmark("BG/NBD fit, 100k customers", closure: { benchmark in
        for _ in benchmark.scaledIterations {
            let fit = try BGNBD.fit(VolumeData.lifetimes)
            precondition(fit.converged)
            blackHole(fit)
        }
    }, setup: { _ = VolumeData.lifetimes })

    Benchmark("Gamma-Gamma fit, 100k customers", closure: { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try GammaGamma.fit(VolumeData.lifetimes)) }
    }, setup: { _ = VolumeData.lifetimes })

    Benchmark("FP-Growth, 200k baskets over 1,000 products", closure: { benchmark in
        for _ in benchmark.scaledIterations {
            let mined = try FPGrowth.frequentItemsets(VolumeData.baskets.baskets, minSupport: VolumeData.baskets.minSupport)
            blackHole(try AssociationRules.derive(from: mined, minConfidence: 0.3))
            if let expected = ProcessInfo.processInfo.environment["GUANXI_EXPECT_ITEMSETS"] {
                precondition(Int(expected) == mined.itemsets.count, "found \(mined.itemsets.count) itemsets, mlxtend \(expected)")
            }
        }
    }, setup: { _ = VolumeData.baskets })
}

enum VolumeData {
    static let asOf = Day(year: 2026, month: 6, day: 30)!

    /// 1,000,000 customers, 10,000,000 purchases over three years: purchase counts and
    /// amounts skewed so that value is concentrated as in real customer files.
    static let purchases: [Purchase] = {
        var generator = SeededGenerator(seed: 1)
        let customers = 1_000_000
        var purchases: [Purchase] = []
        purchases.reserveCapacity(10_000_000)
        for i in 0..<10_000_000 {
            // Every customer buys once; the other purchases favour low customer numbers
            // (two draws multiplied), so a few buy very often.
            let customer = Int(Double(customers) * generator.nextUnit() * generator.nextUnit())
            let day = asOf - Int(generator.next() % 1_095)
            let amount = 20 + 500 * generator.nextUnit() * generator.nextUnit() * generator.nextUnit() * 10
            purchases.append(Purchase(customer: i < customers ? i : customer, day: day, amount: amount, margin: amount * 0.3))
        }
        return purchases
    }()

    /// 100,000 customers simulated from the CDNOW estimates over a year in days, with spend.
    static let lifetimes: [LifetimeSummary] = {
        let days = BGNBD(r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426).simulate(customers: 100_000, observedFor: 365, seed: 2)
        return GammaGamma(p: 6.25, q: 3.74, v: 15.44).simulateSpend(days, seed: 3)
    }()

    /// Baskets from the file `GUANXI_BASKETS` names (one basket a line, item ids separated
    /// by spaces; written by scripts/bench-fpgrowth.py so that mlxtend mines the same
    /// data), else generated here. Minimum support `GUANXI_MIN_SUPPORT`, default 0.005.
    static let baskets: (baskets: [[Int]], minSupport: Double) = {
        let environment = ProcessInfo.processInfo.environment
        let minSupport = environment["GUANXI_MIN_SUPPORT"].flatMap(Double.init) ?? 0.005
        if let path = environment["GUANXI_BASKETS"] {
            let text = try! String(contentsOfFile: path, encoding: .utf8)
            return (text.split(separator: "\n").map { $0.split(separator: " ").map { Int($0)! } }, minSupport)
        }
        var generator = SeededGenerator(seed: 4)
        let baskets: [[Int]] = (0..<200_000).map { _ in
            let size = 1 + Int(generator.next() % 10)
            return (0..<size).map { _ in Int(1_000 * generator.nextUnit() * generator.nextUnit() * generator.nextUnit()) }
        }
        return (baskets, minSupport)
    }()
}
