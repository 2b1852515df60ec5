/// Scores values 1…`buckets` by their rank, the way RFM quintiles are cut.
///
/// Rule (deterministic, stated so other implementations can match it): a value's score
/// is `1 + ⌊buckets × below / n⌋`, where `below` counts the values strictly smaller than
/// it. Distinct values therefore fill the buckets evenly (sizes differ by at most one),
/// and equal values always share a score — the score of the first of them in ascending
/// order — so a tie is never split between buckets by input order.
enum QuantileScore {
    static func scores(_ values: [Double], buckets: Int = 5, higherIsBetter: Bool = true) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var scores = [Int](repeating: 0, count: n)
        var position = 0
        while position < n {
            var end = position
            while end + 1 < n, values[order[end + 1]] == values[order[position]] { end += 1 }
            // For "lower is better" the count that matters is the values strictly larger.
            let rankCount = higherIsBetter ? position : n - 1 - end
            let score = 1 + (buckets * rankCount) / n
            for k in position...end { scores[order[k]] = score }
            position = end + 1
        }
        return scores
    }
}
