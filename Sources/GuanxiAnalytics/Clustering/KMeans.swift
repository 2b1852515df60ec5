/// k-means clustering (Lloyd 1982) with k-means++ seeding (Arthur & Vassilvitskii 2007) on
/// standardised features.
///
/// Each feature is standardised to mean 0 and standard deviation 1 (population form); a
/// feature that is constant becomes 0 everywhere. With the same seed the result is the
/// same on every machine (`SeededGenerator`). A cluster that loses all its points takes
/// the point farthest from its centre, so k clusters always come back when there are at
/// least k distinct points.
public struct KMeansResult: Sendable {
    /// Cluster of each row, 0..<k.
    public var assignments: [Int]
    /// Centres in standardised units.
    public var centres: [[Double]]
    /// Centres in the original units, for showing to people.
    public var centresInOriginalUnits: [[Double]]
    /// Sum of squared distances of points to their centres (standardised units).
    public var inertia: Double
    public var iterations: Int
    public var sizes: [Int]
}

public enum KMeans {
    public static func cluster(_ rows: [[Double]], k: Int, seed: UInt64 = 1, maxIterations: Int = 300) throws -> KMeansResult {
        let scaled = try Standardised(rows)
        let points = scaled.rows
        let n = points.count
        try require(k >= 1, "k", "must be at least 1")
        try require(k <= n, "k", "must not exceed the number of rows (\(n))")
        var generator = SeededGenerator(seed: seed)
        var centres = seedPlusPlus(points, k: k, generator: &generator)
        var assignments = [Int](repeating: -1, count: n)
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            var changed = false
            for i in 0..<n {
                let nearest = nearestCentre(points[i], centres).index
                if nearest != assignments[i] { assignments[i] = nearest; changed = true }
            }
            if !changed && iterations > 1 { break }
            centres = recomputeCentres(points, assignments, previous: centres)
        }
        let inertia = (0..<n).reduce(0.0) { $0 + squaredDistance(points[$1], centres[assignments[$1]]) }
        var sizes = [Int](repeating: 0, count: k)
        for a in assignments { sizes[a] += 1 }
        return KMeansResult(assignments: assignments, centres: centres, centresInOriginalUnits: centres.map(scaled.original),
                            inertia: inertia, iterations: iterations, sizes: sizes)
    }

    static func seedPlusPlus(_ points: [[Double]], k: Int, generator: inout SeededGenerator) -> [[Double]] {
        var centres = [points[Int(generator.next() % UInt64(points.count))]]
        var distances = points.map { squaredDistance($0, centres[0]) }
        while centres.count < k {
            let total = distances.reduce(0, +)
            var chosen = 0
            if total > 0 {
                // Draw a point with probability proportional to its squared distance.
                var target = generator.nextUnit() * total
                for (i, d) in distances.enumerated() {
                    target -= d
                    if target < 0 { chosen = i; break }
                    chosen = i
                }
            } else {
                chosen = Int(generator.next() % UInt64(points.count))
            }
            centres.append(points[chosen])
            for i in points.indices { distances[i] = min(distances[i], squaredDistance(points[i], points[chosen])) }
        }
        return centres
    }

    static func recomputeCentres(_ points: [[Double]], _ assignments: [Int], previous: [[Double]]) -> [[Double]] {
        let k = previous.count, dims = previous[0].count
        var sums = [[Double]](repeating: [Double](repeating: 0, count: dims), count: k)
        var counts = [Int](repeating: 0, count: k)
        for (point, cluster) in zip(points, assignments) {
            counts[cluster] += 1
            for d in 0..<dims { sums[cluster][d] += point[d] }
        }
        var centres = previous
        for c in 0..<k where counts[c] > 0 { centres[c] = sums[c].map { $0 / Double(counts[c]) } }
        for c in 0..<k where counts[c] == 0 {
            // Empty cluster: move it to the point worst served by its centre.
            let far = points.indices.max { squaredDistance(points[$0], centres[assignments[$0]]) < squaredDistance(points[$1], centres[assignments[$1]]) }!
            centres[c] = points[far]
        }
        return centres
    }

    static func nearestCentre(_ point: [Double], _ centres: [[Double]]) -> (index: Int, distance: Double) {
        var best = (index: 0, distance: Double.infinity)
        for (c, centre) in centres.enumerated() {
            let d = squaredDistance(point, centre)
            if d < best.distance { best = (c, d) }
        }
        return best
    }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { let d = a[i] - b[i]; sum += d * d }
        return sum
    }
}

/// Rows standardised column by column, remembering how to go back.
struct Standardised {
    var rows: [[Double]]
    var means: [Double]
    var deviations: [Double]

    init(_ input: [[Double]]) throws {
        guard let width = input.first?.count, width > 0 else {
            throw AnalyticsError.insufficientData("clustering needs at least one row with at least one feature")
        }
        for (i, row) in input.enumerated() {
            try require(row.count == width, "rows[\(i)]", "has \(row.count) features, expected \(width)")
            try require(row.allSatisfy(\.isFinite), "rows[\(i)]", "contains a value that is not a finite number")
        }
        let n = Double(input.count)
        let m = (0..<width).map { d in input.reduce(0) { $0 + $1[d] } / n }
        let s = (0..<width).map { d in (input.reduce(0) { $0 + ($1[d] - m[d]) * ($1[d] - m[d]) } / n).squareRoot() }
        means = m
        deviations = s
        rows = input.map { row in row.indices.map { s[$0] > 0 ? (row[$0] - m[$0]) / s[$0] : 0 } }
    }

    func original(_ row: [Double]) -> [Double] { row.indices.map { row[$0] * deviations[$0] + means[$0] } }
}
