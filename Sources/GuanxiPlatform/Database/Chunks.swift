/// A long list in pieces of at most `size`, for statements with a bounded number of
/// parameters (`IN (…)` lists, multi-row inserts).
extension Array {
    public func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
