import RealModule

/// The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma
/// Model of Monetary Value", after Colombo & Jiang 1999).
///
/// A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers
/// (γ is called `v` here, as in common implementations). Fitted by maximum likelihood on
/// the customers with at least one repeat purchase, from x and the mean repeat value
/// m̄ₓ (the note's equation 4), with BFGS on ln p, ln q, ln v and the exact gradient.
/// On the note's CDNOW data it gives p = 6.25, q = 3.74, v = 15.44, as published.
public struct GammaGamma: Sendable, Equatable {
    public var p: Double
    public var q: Double
    public var v: Double

    public init(p: Double, q: Double, v: Double) {
        self.p = p
        self.q = q
        self.v = v
    }

    public struct Fit: Sendable {
        public var model: GammaGamma
        public var logLikelihood: Double
        public var iterations: Int
        public var converged: Bool
        /// Customers the fit used (x ≥ 1 and a positive mean repeat value).
        public var customers: Int
    }

    /// Rule: only customers with x ≥ 1 and a positive `averageRepeatValue` carry
    /// information about spend; the others are left out. Fewer than two such customers is
    /// an error. Note: the model assumes spend is independent of frequency; check that on
    /// your data before trusting it.
    public static func fit(_ customers: [LifetimeSummary], start: GammaGamma = GammaGamma(p: 1, q: 1, v: 1)) throws -> Fit {
        let used = customers.filter { $0.x > 0 && $0.averageRepeatValue > 0 && $0.averageRepeatValue.isFinite }
        guard used.count >= 2 else {
            throw AnalyticsError.insufficientData("the Gamma-Gamma model needs at least two customers with repeat purchases of positive value")
        }
        let data = GammaGammaLikelihood(used)
        let x0 = [start.p, start.q, start.v].map { Double.log($0) }
        let result = Minimizer().minimize(from: x0) { point in
            let parameters = point.map { Double.exp($0) }
            let (ll, gradient) = data.logLikelihood(parameters)
            let scale = -1 / Double(used.count)
            return (ll * scale, zip(gradient, parameters).map { $0 * $1 * scale })
        }
        let p = result.point.map { Double.exp($0) }
        return Fit(model: GammaGamma(p: p[0], q: p[1], v: p[2]), logLikelihood: data.logLikelihood(p).value,
                   iterations: result.iterations, converged: result.converged, customers: used.count)
    }

    public func logLikelihood(_ customers: [LifetimeSummary]) -> Double {
        GammaGammaLikelihood(customers.filter { $0.x > 0 && $0.averageRepeatValue > 0 }).logLikelihood([p, q, v]).value
    }

    /// E[M | p, q, v, m̄ₓ, x]: the expected value of this customer's future transactions
    /// (the note's equation 5). For a customer with no repeat purchase it is the
    /// population mean p·v / (q − 1). Nil when q ≤ 1, where that mean does not exist.
    public func expectedAverageValue(_ c: LifetimeSummary) -> Double? {
        guard q > 1 else { return nil }
        guard c.x > 0, c.averageRepeatValue > 0 else { return p * v / (q - 1) }
        let x = Double(c.x)
        return p * (v + x * c.averageRepeatValue) / (p * x + q - 1)
    }
}

struct GammaGammaLikelihood {
    var x: [Double] = []
    var m: [Double] = []

    init(_ customers: [LifetimeSummary]) {
        x = customers.map { Double($0.x) }
        m = customers.map { $0.averageRepeatValue }
    }

    /// LL = Σ lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln v + (px−1) ln m + px ln x − (px+q) ln(xm+v),
    /// and its gradient in (p, q, v).
    func logLikelihood(_ parameters: [Double]) -> (value: Double, gradient: [Double]) {
        let (p, q, v) = (parameters[0], parameters[1], parameters[2])
        let lgQ = Special.logGamma(q), psiQ = Special.digamma(q), logV = Double.log(v)
        var ll = 0.0, dp = 0.0, dq = 0.0, dv = 0.0
        for i in x.indices {
            let px = p * x[i]
            let logM = Double.log(m[i]), logX = Double.log(x[i])
            let total = x[i] * m[i] + v
            let logTotal = Double.log(total)
            ll += Special.logGamma(px + q) - Special.logGamma(px) - lgQ + q * logV + (px - 1) * logM + px * logX - (px + q) * logTotal
            let psiPXQ = Special.digamma(px + q)
            dp += x[i] * (psiPXQ - Special.digamma(px) + logM + logX - logTotal)
            dq += psiPXQ - psiQ + logV - logTotal
            dv += q / v - (px + q) / total
        }
        return (ll, [dp, dq, dv])
    }
}
