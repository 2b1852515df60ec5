/// Frequent itemsets by FP-Growth (Han, Pei & Yin 2000, "Mining Frequent Patterns without
/// Candidate Generation", SIGMOD).
///
/// Definitions, matching mlxtend's `fpgrowth`: the support of an itemset is the share of
/// baskets that contain all of it (count / baskets); an itemset is frequent when its
/// support is at least `minSupport`. An item repeated within a basket counts once.
///
/// The tree is built from the baskets sorted lexicographically by item rank, so each
/// basket shares its longest prefix with the basket before it and is inserted without
/// searching children. Conditional trees keep the parent's item order (filtering keeps a
/// sorted path sorted), and a tree that is a single path yields all its combinations
/// directly.
public enum FPGrowth {
    public static func frequentItemsets(_ baskets: [[Int]], minSupport: Double, maxLength: Int? = nil) throws -> FrequentItemsets {
        try require(minSupport > 0 && minSupport <= 1, "minSupport", "must be in (0, 1]")
        if let maxLength { try require(maxLength >= 1, "maxLength", "must be at least 1") }
        let n = baskets.count
        guard n > 0 else { throw AnalyticsError.insufficientData("no baskets to mine") }
        // The smallest count whose support, divided out as mlxtend divides it, reaches
        // minSupport: ⌈minSupport × n⌉ up to floating-point rounding at the boundary.
        var minCount = max(1, Int((minSupport * Double(n)).rounded(.up)))
        while minCount > 1, Double(minCount - 1) / Double(n) >= minSupport { minCount -= 1 }
        while Double(minCount) / Double(n) < minSupport { minCount += 1 }

        var itemCounts: [Int: Int] = [:]
        var unique: [Int] = []
        for basket in baskets {
            unique = Array(Set(basket))
            for item in unique {
                guard item >= 0 else { throw AnalyticsError.invalidArgument(name: "baskets", reason: "item ids must not be negative") }
                itemCounts[item, default: 0] += 1
            }
        }
        // Rank 0 is the most frequent item; ties go to the smaller id so the order is stable.
        let frequent = itemCounts.filter { $0.value >= minCount }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let itemOfRank = frequent.map(\.key)
        var rankOfItem: [Int: Int32] = [:]
        for (rank, item) in itemOfRank.enumerated() { rankOfItem[item] = Int32(rank) }

        var paths = WeightedPaths()
        paths.items.reserveCapacity(baskets.reduce(0) { $0 + $1.count })
        var ranks: [Int32] = []
        for basket in baskets {
            ranks.removeAll(keepingCapacity: true)
            for item in basket { if let r = rankOfItem[item] { ranks.append(r) } }
            guard !ranks.isEmpty else { continue }
            ranks.sort()
            var deduplicated: [Int32] = []
            for r in ranks where deduplicated.last != r { deduplicated.append(r) }
            paths.append(deduplicated, weight: 1)
        }

        var miner = Miner(minCount: minCount, maxLength: maxLength ?? Int.max, basketCount: n)
        let tree = FPTree(paths, rankCount: itemOfRank.count)
        miner.mine(tree, itemOfRank: itemOfRank, suffix: [])
        return FrequentItemsets(basketCount: n, minCount: minCount, itemsets: miner.found)
    }
}

/// An FP-tree over ranks 0..<rankCount; node 0 is the root.
struct FPTree {
    var rank: [Int32] = [-1]
    var count: [Int] = [0]
    var parent: [Int32] = [-1]
    var nodesOfRank: [[Int32]]
    var rankTotal: [Int]

    init(_ paths: WeightedPaths, rankCount: Int) {
        nodesOfRank = Array(repeating: [], count: rankCount)
        rankTotal = Array(repeating: 0, count: rankCount)
        let order = (0..<paths.count).sorted { paths.path($0).lexicographicallyPrecedes(paths.path($1)) }
        var stack: [Int32] = []          // nodes of the previous path, root excluded
        var previous: ArraySlice<Int32> = []
        for i in order {
            let path = paths.path(i)
            let weight = paths.weights[i]
            var shared = 0
            while shared < path.count, shared < previous.count,
                  path[path.startIndex + shared] == previous[previous.startIndex + shared] { shared += 1 }
            stack.removeLast(stack.count - shared)
            for node in stack { count[Int(node)] += weight }
            for r in path.dropFirst(shared) {
                let node = Int32(rank.count)
                rank.append(r)
                count.append(weight)
                parent.append(stack.last ?? 0)
                nodesOfRank[Int(r)].append(node)
                stack.append(node)
            }
            for r in path { rankTotal[Int(r)] += weight }
            previous = path
        }
    }

    /// True when every node hangs under the one made just before it.
    var isSinglePath: Bool {
        for node in 1..<rank.count where parent[node] != Int32(node - 1) { return false }
        return true
    }
}

struct Miner {
    let minCount: Int
    let maxLength: Int
    let basketCount: Int
    var found: [FrequentItemset] = []

    mutating func emit(_ items: [Int], _ count: Int) {
        found.append(FrequentItemset(items: items.sorted(), count: count, support: Double(count) / Double(basketCount)))
    }

    mutating func mine(_ tree: FPTree, itemOfRank: [Int], suffix: [Int]) {
        if tree.isSinglePath {
            mineSinglePath(tree, itemOfRank: itemOfRank, suffix: suffix)
            return
        }
        for r in stride(from: tree.rankTotal.count - 1, through: 0, by: -1) {
            let support = tree.rankTotal[r]
            guard support >= minCount else { continue }
            let itemset = suffix + [itemOfRank[r]]
            emit(itemset, support)
            guard itemset.count < maxLength else { continue }
            // Conditional pattern base: the path above each node of rank r, weighted by it.
            var base = WeightedPaths()
            var localCounts = [Int](repeating: 0, count: r)
            var path: [Int32] = []
            for node in tree.nodesOfRank[r] {
                path.removeAll(keepingCapacity: true)
                var up = tree.parent[Int(node)]
                while up > 0 {
                    path.append(tree.rank[Int(up)])
                    up = tree.parent[Int(up)]
                }
                guard !path.isEmpty else { continue }
                let weight = tree.count[Int(node)]
                for p in path { localCounts[Int(p)] += weight }
                base.append(path.reversed(), weight: weight)
            }
            // Keep the frequent ranks, renumbered in the same order.
            var newRank = [Int32](repeating: -1, count: r)
            var localItems: [Int] = []
            for old in 0..<r where localCounts[old] >= minCount {
                newRank[old] = Int32(localItems.count)
                localItems.append(itemOfRank[old])
            }
            guard !localItems.isEmpty else { continue }
            var filtered = WeightedPaths()
            for i in 0..<base.count {
                let kept = base.path(i).lazy.map { newRank[Int($0)] }.filter { $0 >= 0 }
                var any = false
                for _ in kept { any = true; break }
                if any { filtered.append(kept, weight: base.weights[i]) }
            }
            mine(FPTree(filtered, rankCount: localItems.count), itemOfRank: localItems, suffix: itemset)
        }
    }

    /// Every combination of the path's nodes is frequent with the count of its deepest node.
    mutating func mineSinglePath(_ tree: FPTree, itemOfRank: [Int], suffix: [Int]) {
        let nodes = (1..<tree.rank.count).filter { tree.count[$0] >= minCount }
        guard !nodes.isEmpty else { return }
        let room = maxLength - suffix.count
        func extend(_ start: Int, _ chosen: inout [Int], _ deepestCount: Int) {
            for k in start..<nodes.count {
                let node = nodes[k]
                chosen.append(itemOfRank[Int(tree.rank[node])])
                emit(suffix + chosen, tree.count[node])
                if chosen.count < room { extend(k + 1, &chosen, tree.count[node]) }
                chosen.removeLast()
            }
        }
        var chosen: [Int] = []
        extend(0, &chosen, 0)
    }
}
