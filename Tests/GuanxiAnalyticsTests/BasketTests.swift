import Testing
@testable import GuanxiAnalytics

@Suite struct BasketTests {
    /// The example of Han, Pei & Yin (2000), items a…p as 0…15, minimum support 3 of 5.
    @Test func findsThePaperExampleItemsets() throws {
        func ids(_ s: String) -> [Int] { s.unicodeScalars.map { Int($0.value) - 97 } }
        let baskets = ["facdgimp", "abcflmo", "bfhjo", "bcksp", "afcelpmn"].map(ids)
        let mined = try FPGrowth.frequentItemsets(baskets, minSupport: 0.6)
        #expect(mined.minCount == 3)
        let found = Set(mined.itemsets.map { String($0.items.map { Character(UnicodeScalar(UInt8($0 + 97))) }) + ":\($0.count)" })
        #expect(found == ["a:3", "b:3", "c:4", "f:4", "m:3", "p:3", "cp:3", "am:3", "cm:3", "fm:3", "ac:3", "af:3", "cf:3",
                          "acm:3", "afm:3", "cfm:3", "acf:3", "acfm:3"])
        #expect(mined.count(of: ids("mfc")) == 3)
        #expect(mined.count(of: ids("b")) == 3)
        #expect(mined.count(of: ids("bc")) == nil)
    }

    @Test func equalsABruteForceMinerOnRandomBaskets() throws {
        var generator = SeededGenerator(seed: 11)
        for round in 0..<6 {
            let itemCount = 8 + round * 2
            let baskets: [[Int]] = (0..<(200 + round * 150)).map { _ in
                let size = 1 + Int(generator.next() % 7)
                // Skewed item popularity so that long itemsets are frequent too.
                return (0..<size).map { _ in Int(Double(itemCount) * generator.nextUnit() * generator.nextUnit()) }
            }
            for minSupport in [0.01, 0.03, 0.1] {
                let mined = try FPGrowth.frequentItemsets(baskets, minSupport: minSupport)
                let expected = bruteForce(baskets, minCount: mined.minCount)
                let found = Dictionary(uniqueKeysWithValues: mined.itemsets.map { ($0.items, $0.count) })
                #expect(found == expected, "round \(round), support \(minSupport)")
                #expect(mined.itemsets.allSatisfy { abs($0.support - Double($0.count) / Double(baskets.count)) < 1e-15 })

                let rules = try AssociationRules.derive(from: mined, minConfidence: 0.3)
                #expect(Set(rules.map { "\($0.antecedent)>\($0.consequent)" }) == bruteForceRules(expected, basketCount: baskets.count, minConfidence: 0.3))
            }
        }
    }

    @Test func supportNeverGrowsWithTheItemset() throws {
        var generator = SeededGenerator(seed: 5)
        let baskets: [[Int]] = (0..<2_000).map { _ in (0..<6).map { _ in Int(generator.next() % 20) } }
        let mined = try FPGrowth.frequentItemsets(baskets, minSupport: 0.005)
        for set in mined.itemsets where set.items.count > 1 {
            for drop in set.items.indices {
                var subset = set.items
                subset.remove(at: drop)
                #expect(mined.count(of: subset)! >= set.count)
            }
        }
    }

    @Test func maxLengthStopsLongItemsets() throws {
        let baskets = Array(repeating: [1, 2, 3, 4], count: 10)
        let mined = try FPGrowth.frequentItemsets(baskets, minSupport: 0.5, maxLength: 2)
        #expect(mined.itemsets.count == 4 + 6)
        #expect(try FPGrowth.frequentItemsets(baskets, minSupport: 0.5).itemsets.count == 15)
    }

    @Test func rulesCarryConfidenceAndLift() throws {
        // Bread in 4 of 5 baskets, milk in 3, both in 3.
        let baskets = [[0, 1], [0, 1], [0, 1], [0], [2]]
        let rules = try AssociationRules.derive(from: try FPGrowth.frequentItemsets(baskets, minSupport: 0.2), minConfidence: 0.5)
        let milkToBread = try #require(rules.first { $0.antecedent == [1] && $0.consequent == [0] })
        #expect(milkToBread.confidence == 1)
        #expect(abs(milkToBread.lift - 1.25) < 1e-12)
        #expect(abs(milkToBread.support - 0.6) < 1e-12)
        let breadToMilk = try #require(rules.first { $0.antecedent == [0] && $0.consequent == [1] })
        #expect(abs(breadToMilk.confidence - 0.75) < 1e-12)
        #expect(try AssociationRules.derive(from: try FPGrowth.frequentItemsets(baskets, minSupport: 0.2), minConfidence: 0.5, minLift: 1.3).isEmpty)
    }

    @Test func crossSellLeavesOutWhatTheCustomerHas() throws {
        let rules = [
            AssociationRule(antecedent: [1], consequent: [2], support: 0.2, confidence: 0.9, lift: 2),
            AssociationRule(antecedent: [1], consequent: [3], support: 0.2, confidence: 0.6, lift: 3),
            AssociationRule(antecedent: [1, 4], consequent: [5, 3], support: 0.1, confidence: 0.7, lift: 1.5),
            AssociationRule(antecedent: [9], consequent: [6], support: 0.3, confidence: 0.95, lift: 4),
        ]
        let offers = CrossSell.recommend(owned: [1, 2, 4], rules: rules)
        #expect(offers.map(\.item) == [3, 5])
        #expect(offers[0].rule.confidence == 0.7)    // the better rule for item 3 wins
        #expect(CrossSell.recommend(owned: [1, 2, 4], rules: rules, limit: 1).map(\.item) == [3])
        #expect(CrossSell.recommend(owned: [], rules: rules).isEmpty)
    }

    @Test func rejectsBadArguments() {
        #expect(throws: AnalyticsError.insufficientData("no baskets to mine")) { try FPGrowth.frequentItemsets([], minSupport: 0.1) }
        #expect(throws: AnalyticsError.invalidArgument(name: "minSupport", reason: "must be in (0, 1]")) {
            try FPGrowth.frequentItemsets([[1]], minSupport: 0)
        }
        #expect(throws: AnalyticsError.self) { try FPGrowth.frequentItemsets([[-1]], minSupport: 0.5) }
    }

    func bruteForce(_ baskets: [[Int]], minCount: Int) -> [[Int]: Int] {
        var counts: [[Int]: Int] = [:]
        for basket in baskets {
            let items = Array(Set(basket)).sorted()
            for mask in 1..<(1 << items.count) {
                counts[items.indices.filter { mask & (1 << $0) != 0 }.map { items[$0] }, default: 0] += 1
            }
        }
        return counts.filter { $0.value >= minCount }
    }

    func bruteForceRules(_ frequent: [[Int]: Int], basketCount: Int, minConfidence: Double) -> Set<String> {
        var rules = Set<String>()
        let n = Double(basketCount)
        for (items, count) in frequent where items.count > 1 {
            for mask in 1..<((1 << items.count) - 1) {
                let a = items.indices.filter { mask & (1 << $0) != 0 }.map { items[$0] }
                let c = items.indices.filter { mask & (1 << $0) == 0 }.map { items[$0] }
                if (Double(count) / n) / (Double(frequent[a]!) / n) >= minConfidence { rules.insert("\(a)>\(c)") }
            }
        }
        return rules
    }
}
