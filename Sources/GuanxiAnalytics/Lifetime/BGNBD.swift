import RealModule

/// The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your Customers
/// the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2)).
///
/// While active, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase
/// the customer drops out with probability p ~ Beta(a, b). Fitted by maximum likelihood
/// (the paper's equation 6) with BFGS on ln r, ln α, ln a, ln b, with the exact gradient.
/// On the paper's CDNOW sample it gives r = 0.243, α = 4.414, a = 0.793, b = 2.426,
/// LL = −9582.4, as published.
public struct BGNBD: Sendable, Equatable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    public struct Fit: Sendable {
        public var model: BGNBD
        public var logLikelihood: Double
        public var iterations: Int
        public var converged: Bool
        public var customers: Int
    }

    /// Fits the model to customer summaries.
    ///
    /// Errors (never a NaN): no customers; no customer with a repeat purchase (the drop-out
    /// process cannot be told apart from a zero purchase rate); a summary with x < 0,
    /// tx < 0, tx > T or a non-finite time.
    public static func fit(_ customers: [LifetimeSummary], start: BGNBD = BGNBD(r: 1, alpha: 1, a: 1, b: 1)) throws -> Fit {
        guard !customers.isEmpty else { throw AnalyticsError.insufficientData("no customers to fit the BG/NBD model to") }
        for (i, c) in customers.enumerated() {
            guard c.x >= 0, c.tx.isFinite, c.T.isFinite, c.tx >= 0, c.tx <= c.T else {
                throw AnalyticsError.invalidArgument(name: "customers[\(i)]", reason: "needs x ≥ 0 and 0 ≤ tx ≤ T")
            }
        }
        guard customers.contains(where: { $0.x > 0 }) else {
            throw AnalyticsError.insufficientData("no customer has a repeat purchase, so the BG/NBD model cannot be fitted")
        }
        let data = BGNBDLikelihood(customers)
        let x0 = [start.r, start.alpha, start.a, start.b].map { Double.log($0) }
        let result = Minimizer().minimize(from: x0) { point in
            let (ll, gradient) = data.logLikelihood(point.map { Double.exp($0) })
            // Mean negative log-likelihood, gradient by the chain rule through exp.
            let scale = -1 / data.weightTotal
            let parameters = point.map { Double.exp($0) }
            return (ll * scale, zip(gradient, parameters).map { $0 * $1 * scale })
        }
        let p = result.point.map { Double.exp($0) }
        let model = BGNBD(r: p[0], alpha: p[1], a: p[2], b: p[3])
        return Fit(model: model, logLikelihood: data.logLikelihood(p).value, iterations: result.iterations,
                   converged: result.converged, customers: customers.count)
    }

    /// Log-likelihood of the data under this model.
    public func logLikelihood(_ customers: [LifetimeSummary]) -> Double {
        BGNBDLikelihood(customers).logLikelihood([r, alpha, a, b]).value
    }

    /// P(alive | x, tx, T), the paper's equation 12.
    public func probabilityAlive(_ c: LifetimeSummary) -> Double {
        guard c.x > 0 else { return 1 }
        let rx = r + Double(c.x)
        let logOdds = Double.log(a) - Double.log(b + Double(c.x) - 1) + rx * (Double.log(alpha + c.T) - Double.log(alpha + c.tx))
        return 1 / (1 + Double.exp(logOdds))
    }

    /// E[Y(t) | x, tx, T]: expected purchases in the next `t` units (equation 10).
    public func expectedPurchases(_ t: Double, given c: LifetimeSummary) -> Double {
        guard t > 0 else { return 0 }
        let x = Double(c.x)
        let rx = r + x
        let z = t / (alpha + c.T + t)
        let logTerm = rx * Double.log((alpha + c.T) / (alpha + c.T + t))
            + Special.logHypergeometric2F1(a: rx, b: b + x, c: a + b + x - 1, z: z)
        let numerator = (a + b + x - 1) / (a - 1) * -Double.expMinusOne(logTerm)
        var denominator = 1.0
        if c.x > 0 {
            denominator += Double.exp(Double.log(a) - Double.log(b + x - 1) + rx * (Double.log(alpha + c.T) - Double.log(alpha + c.tx)))
        }
        return numerator / denominator
    }

    /// E[X(t)]: expected purchases of a new customer in `t` units after the first
    /// (equation 9).
    public func expectedPurchases(_ t: Double) -> Double {
        guard t > 0 else { return 0 }
        let logTerm = r * Double.log(alpha / (alpha + t))
            + Special.logHypergeometric2F1(a: r, b: b, c: a + b - 1, z: t / (alpha + t))
        return (a + b - 1) / (a - 1) * -Double.expMinusOne(logTerm)
    }
}

/// The BG/NBD log-likelihood and its gradient over grouped data: customers with the same
/// (x, tx, T) are one row with a weight, and the terms that depend on x alone are summed
/// once per distinct x.
struct BGNBDLikelihood {
    var x: [Double] = []
    var tx: [Double] = []
    var T: [Double] = []
    var weight: [Double] = []
    /// Distinct x values and how many customers have each.
    var distinctX: [(x: Double, count: Double)] = []
    var weightTotal = 0.0

    init(_ customers: [LifetimeSummary]) {
        struct Key: Hashable { var x: Int; var tx: Double; var T: Double }
        var rows: [Key: Int] = [:]
        var counts: [Int: Int] = [:]
        for c in customers {
            let key = Key(x: c.x, tx: c.tx, T: c.T)
            if let row = rows[key] { weight[row] += 1 } else {
                rows[key] = x.count
                x.append(Double(c.x)); tx.append(c.tx); T.append(c.T); weight.append(1)
            }
            counts[c.x, default: 0] += 1
        }
        distinctX = counts.sorted { $0.key < $1.key }.map { (Double($0.key), Double($0.value)) }
        weightTotal = Double(customers.count)
    }

    /// Returns LL and ∂LL/∂(r, α, a, b).
    func logLikelihood(_ p: [Double]) -> (value: Double, gradient: [Double]) {
        let (r, alpha, a, b) = (p[0], p[1], p[2], p[3])
        let logAlpha = Double.log(alpha)
        let (lgR, lgB, lgAB) = (Special.logGamma(r), Special.logGamma(b), Special.logGamma(a + b))
        let (psiR, psiB, psiAB) = (Special.digamma(r), Special.digamma(b), Special.digamma(a + b))
        var ll = 0.0, dr = 0.0, dAlpha = 0.0, da = 0.0, db = 0.0
        // Terms of x alone: lnΓ(r+x) − lnΓ(r) + r ln α and ln B(a, b+x) − ln B(a, b).
        for (x, count) in distinctX {
            ll += count * (Special.logGamma(r + x) - lgR + r * logAlpha
                + lgAB + Special.logGamma(b + x) - lgB - Special.logGamma(a + b + x))
            let psiABX = Special.digamma(a + b + x)
            dr += count * (Special.digamma(r + x) - psiR + logAlpha)
            dAlpha += count * r / alpha
            da += count * (psiAB - psiABX)
            db += count * (psiAB + Special.digamma(b + x) - psiB - psiABX)
        }
        let logA = Double.log(a)
        // ln[(α+T)^−(r+x) + δ(x>0) a/(b+x−1) (α+tx)^−(r+x)], by log-sum-exp.
        for i in x.indices {
            let rx = r + x[i]
            let logAT = Double.log(alpha + T[i])
            let l3 = -rx * logAT
            if x[i] == 0 {
                ll += weight[i] * l3
                dr -= weight[i] * logAT
                dAlpha -= weight[i] * rx / (alpha + T[i])
                continue
            }
            let logAtx = Double.log(alpha + tx[i])
            let bx1 = b + x[i] - 1
            let l4 = logA - Double.log(bx1) - rx * logAtx
            let total = Special.logAddExp(l3, l4)
            let w3 = Double.exp(l3 - total), w4 = Double.exp(l4 - total)
            ll += weight[i] * total
            dr -= weight[i] * (w3 * logAT + w4 * logAtx)
            dAlpha -= weight[i] * rx * (w3 / (alpha + T[i]) + w4 / (alpha + tx[i]))
            da += weight[i] * w4 / a
            db -= weight[i] * w4 / bx1
        }
        return (ll, [dr, dAlpha, da, db])
    }
}
