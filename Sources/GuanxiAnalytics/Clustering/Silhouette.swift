/// The silhouette score (Rousseeuw 1987), to compare choices of k: for each point,
/// s = (b − a) / max(a, b), a being its mean distance to its own cluster and b the
/// smallest mean distance to another cluster; the score is the mean of s. A point alone
/// in its cluster has s = 0. Distances are Euclidean on standardised features.
///
/// Exact silhouettes cost n² distances; above `sampleSize` rows the score is the mean over
/// a sample of that many points drawn with the seed (distances still to every point).
public enum Silhouette {
    public static func score(_ rows: [[Double]], assignments: [Int], sampleSize: Int = 2_000, seed: UInt64 = 1) throws -> Double {
        try require(rows.count == assignments.count, "assignments", "must have one cluster per row")
        let points = try Standardised(rows).rows
        let k = (assignments.max() ?? 0) + 1
        try require(k >= 2, "assignments", "silhouette needs at least two clusters")
        var sizes = [Int](repeating: 0, count: k)
        for a in assignments { sizes[a] += 1 }
        var sample = Array(points.indices)
        if sample.count > sampleSize {
            var generator = SeededGenerator(seed: seed)
            sample.shuffle(using: &generator)
            sample = Array(sample.prefix(sampleSize))
        }
        var total = 0.0
        for i in sample {
            let own = assignments[i]
            guard sizes[own] > 1 else { continue }
            var sums = [Double](repeating: 0, count: k)
            for j in points.indices where j != i {
                sums[assignments[j]] += KMeans.squaredDistance(points[i], points[j]).squareRoot()
            }
            let a = sums[own] / Double(sizes[own] - 1)
            var b = Double.infinity
            for c in 0..<k where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
            let s = max(a, b) > 0 ? (b - a) / max(a, b) : 0
            total += s
        }
        return total / Double(sample.count)
    }
}
