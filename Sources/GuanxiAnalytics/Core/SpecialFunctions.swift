import RealModule

/// Special functions the lifetime models need, evaluated in log space where the plain
/// values would overflow.
enum Special {
    static func logGamma(_ x: Double) -> Double { Double.logGamma(x) }

    /// ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b).
    static func logBeta(_ a: Double, _ b: Double) -> Double { logGamma(a) + logGamma(b) - logGamma(a + b) }

    /// ψ(x), the derivative of lnΓ, for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to
    /// x ≥ 10, then the asymptotic series (Abramowitz & Stegun 6.3.18), accurate to ~1e-14.
    static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760))))))
        return result + Double.log(x) - 0.5 / x - series
    }

    /// ln(eᵃ + eᵇ) without overflow.
    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let high = max(a, b)
        return high + Double.log(onePlus: Double.exp(-abs(a - b)))
    }

    /// ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by the Gauss series.
    ///
    /// The series converges for |z| < 1; terms are summed with a running scale so that a
    /// series whose terms first grow (large a and b, as for heavy buyers) does not
    /// overflow. Convergence is declared when a term falls below 1e-16 of the sum once the
    /// terms are decreasing. Near z = 1 this needs many terms; the lifetime models reach
    /// z = t / (α + T + t), which stays below 1 for any finite horizon.
    static func logHypergeometric2F1(a: Double, b: Double, c: Double, z: Double) -> Double {
        precondition(z >= 0 && z < 1, "2F1 series needs 0 <= z < 1")
        if z == 0 { return 0 }
        var logScale = 0.0
        var term = 1.0
        var sum = 1.0
        var k = 0.0
        while k < 10_000_000 {
            let ratio = (a + k) * (b + k) / ((c + k) * (k + 1)) * z
            term *= ratio
            sum += term
            k += 1
            if sum > 1e200 {
                logScale += Double.log(sum)
                term /= sum
                sum = 1
            }
            if ratio < 1 && term < sum * 1e-17 { break }
        }
        return logScale + Double.log(sum)
    }
}
