import Foundation
import GuanxiAnalytics
import Testing

/// Random draws for simulating data from the models, on the library's seeded generator.
struct Draws {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    mutating func uniform() -> Double { max(generator.nextUnit(), 1e-300) }

    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000); shape < 1 by the boost u^(1/shape).
    mutating func gamma(shape: Double, rate: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1, rate: rate) * pow(uniform(), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = uniform()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v / rate }
        }
    }

    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a, rate: 1), y = gamma(shape: b, rate: 1)
        return x / (x + y)
    }

    mutating func exponential(rate: Double) -> Double { -log(uniform()) / rate }
}

/// The CDNOW sample of Fader, Hardie & Lee (2005); see Fixtures/README.md.
func cdnowSummaries() throws -> [LifetimeSummary] {
    let url = try #require(Bundle.module.url(forResource: "cdnow-summary", withExtension: "csv", subdirectory: "Fixtures"))
    let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
    return try lines.map { line in
        let f = line.split(separator: ",").map { Double($0)! }
        try #require(f.count == 5)
        return LifetimeSummary(customer: Int(f[0]), x: Int(f[1]), tx: f[2], T: f[3], averageRepeatValue: f[4])
    }
}

func day(_ text: String) -> Day { Day(iso: text)! }
