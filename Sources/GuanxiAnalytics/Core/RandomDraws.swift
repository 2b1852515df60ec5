import RealModule

/// Draws from the distributions the models are built on, on the seeded generator: used to
/// simulate data from a model (to check that a fit recovers what it was given, and to
/// benchmark at volume).
struct RandomDraws {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// Uniform in (0, 1): never exactly 0, so logarithms stay finite.
    mutating func uniform() -> Double { max(generator.nextUnit(), 0x1.0p-60) }

    /// Standard normal by the Box-Muller transform.
    mutating func normal() -> Double {
        (-2 * Double.log(uniform())).squareRoot() * Double.cos(2 * Double.pi * uniform())
    }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000); a shape below 1 by the boost
    /// Gamma(shape) = Gamma(shape + 1) · U^(1/shape).
    mutating func gamma(shape: Double, rate: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1, rate: rate) * Double.pow(uniform(), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            if Double.log(uniform()) < 0.5 * x * x + d - d * v + d * Double.log(v) { return d * v / rate }
        }
    }

    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a, rate: 1), y = gamma(shape: b, rate: 1)
        return x / (x + y)
    }

    mutating func exponential(rate: Double) -> Double { -Double.log(uniform()) / rate }
}

extension BGNBD {
    /// Customers as the model describes them, each observed for `T` units after a first
    /// purchase at 0: λ ~ Gamma(r, α), p ~ Beta(a, b), purchases at rate λ, and after each
    /// repeat purchase the customer drops out with probability p.
    public func simulate(customers: Int, observedFor T: Double, seed: UInt64) -> [LifetimeSummary] {
        var draws = RandomDraws(seed: seed)
        return (0..<customers).map { i in
            let lambda = draws.gamma(shape: r, rate: alpha)
            let p = draws.beta(a, b)
            var t = 0.0, x = 0, last = 0.0
            while true {
                t += draws.exponential(rate: lambda)
                if t > T { break }
                x += 1
                last = t
                if draws.uniform() < p { break }
            }
            return LifetimeSummary(customer: i, x: x, tx: last, T: T)
        }
    }
}

extension GammaGamma {
    /// Gives each customer's repeat purchases (x of them, as given) values drawn as the
    /// model describes them: ν ~ Gamma(q, v) per customer, each value ~ Gamma(p, ν).
    public func simulateSpend(_ customers: [LifetimeSummary], seed: UInt64) -> [LifetimeSummary] {
        var draws = RandomDraws(seed: seed)
        return customers.map { c in
            var c = c
            guard c.x > 0 else { c.averageRepeatValue = 0; return c }
            let nu = draws.gamma(shape: q, rate: v)
            c.averageRepeatValue = (0..<c.x).reduce(0.0) { total, _ in total + draws.gamma(shape: p, rate: nu) } / Double(c.x)
            return c
        }
    }
}
