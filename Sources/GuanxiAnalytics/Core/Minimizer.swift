import RealModule

/// Unconstrained minimisation by BFGS with a backtracking (Armijo) line search
/// (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 6.1 and 3.1).
///
/// The lifetime models call it on the logarithms of their positive parameters, so any
/// real vector is a valid point. Each step moves no coordinate by more than `maxStep`
/// (a factor of e² on a parameter), so a poor starting point far from the optimum, where
/// gradients are huge, does not throw the search into overflow; a step that lands where
/// the objective is not finite is shortened like any other rejected step; and when the
/// curvature estimate stops giving progress the search restarts from steepest descent
/// before it gives up.
struct Minimizer {
    struct Result {
        var point: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Returns value and gradient at a point.
    typealias Objective = ([Double]) -> (value: Double, gradient: [Double])

    var maxIterations = 500
    var gradientTolerance = 1e-7
    var relativeTolerance = 1e-14
    var maxStep = 2.0

    func minimize(from start: [Double], _ objective: Objective) -> Result {
        let n = start.count
        var x = start
        var (fx, g) = objective(x)
        guard fx.isFinite else { return Result(point: x, value: fx, iterations: 0, converged: false) }
        var inverseHessian = identity(n)
        var iteration = 0
        var stalled = 0
        while iteration < maxIterations {
            iteration += 1
            if maxAbs(g) <= gradientTolerance * max(1, abs(fx)) {
                return Result(point: x, value: fx, iterations: iteration, converged: true)
            }
            var next = lineSearch(x, fx, g, direction: multiply(inverseHessian, g).map { -$0 }, objective)
            if next == nil {
                // The curvature estimate has gone bad: start again from steepest descent.
                inverseHessian = identity(n)
                next = lineSearch(x, fx, g, direction: g.map { -$0 }, objective)
            }
            guard let next else {
                return Result(point: x, value: fx, iterations: iteration, converged: maxAbs(g) <= 1e-4 * max(1, abs(fx)))
            }
            let s = zip(next.x, x).map { $0 - $1 }
            let y = zip(next.g, g).map { $0 - $1 }
            let improvement = fx - next.f
            x = next.x
            g = next.g
            fx = next.f
            let sy = dot(s, y)
            if sy > 1e-12 {
                updateInverseHessian(&inverseHessian, s: s, y: y, sy: sy)
            }
            if improvement <= relativeTolerance * max(1, abs(fx)) {
                stalled += 1
                if stalled >= 3 { return Result(point: x, value: fx, iterations: iteration, converged: true) }
            } else {
                stalled = 0
            }
        }
        return Result(point: x, value: fx, iterations: iteration, converged: false)
    }

    /// Backtracking from a step capped at `maxStep` until the Armijo condition holds; nil
    /// when the direction does not descend or no step of 60 halvings does.
    private func lineSearch(_ x: [Double], _ fx: Double, _ g: [Double], direction: [Double], _ objective: Objective)
        -> (x: [Double], f: Double, g: [Double])? {
        let slope = dot(direction, g)
        guard slope < 0 else { return nil }
        var step = min(1, maxStep / max(maxAbs(direction), .leastNormalMagnitude))
        for _ in 0..<60 {
            let candidate = zip(x, direction).map { $0 + step * $1 }
            let (fc, gc) = objective(candidate)
            if fc.isFinite, fc <= fx + 1e-4 * step * slope { return (candidate, fc, gc) }
            step *= 0.5
        }
        return nil
    }

    /// H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ with ρ = 1 / yᵀs.
    private func updateInverseHessian(_ h: inout [[Double]], s: [Double], y: [Double], sy: Double) {
        let n = s.count
        let rho = 1 / sy
        let hy = multiply(h, y)
        let yhy = dot(y, hy)
        for i in 0..<n {
            for j in 0..<n {
                h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
            }
        }
    }

    private func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    }

    private func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] { m.map { dot($0, v) } }
    private func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    private func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
