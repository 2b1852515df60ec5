/// An itemset found in at least `minSupport` of the baskets.
public struct FrequentItemset: Sendable, Hashable {
    /// Item ids, ascending.
    public var items: [Int]
    /// Baskets containing every item.
    public var count: Int
    /// count / number of baskets.
    public var support: Double
}

/// The result of mining: every frequent itemset and the counts needed to derive rules.
public struct FrequentItemsets: Sendable {
    public var basketCount: Int
    /// The smallest basket count that is frequent (about ⌈minSupport × baskets⌉, at least 1).
    public var minCount: Int
    public var itemsets: [FrequentItemset]

    /// Count of an itemset given in any order, nil if it is not frequent.
    public func count(of items: [Int]) -> Int? { index[items.sorted()] }

    let index: [[Int]: Int]

    init(basketCount: Int, minCount: Int, itemsets: [FrequentItemset]) {
        self.basketCount = basketCount
        self.minCount = minCount
        self.itemsets = itemsets.sorted { $0.items.count != $1.items.count ? $0.items.count < $1.items.count : $0.items.lexicographicallyPrecedes($1.items) }
        var index: [[Int]: Int] = [:]
        index.reserveCapacity(itemsets.count)
        for set in itemsets { index[set.items] = set.count }
        self.index = index
    }
}

/// Weighted transactions over dense ranks 0..<rankCount, each sorted ascending, kept in
/// one flat buffer (nested arrays cost an allocation per basket).
struct WeightedPaths {
    var items: [Int32] = []
    var starts: [Int] = [0]
    var weights: [Int] = []

    var count: Int { weights.count }

    mutating func append<S: Sequence>(_ path: S, weight: Int) where S.Element == Int32 {
        items.append(contentsOf: path)
        starts.append(items.count)
        weights.append(weight)
    }

    func path(_ i: Int) -> ArraySlice<Int32> { items[starts[i]..<starts[i + 1]] }
}
