/// A rule "customers who buy the antecedent also buy the consequent".
public struct AssociationRule: Sendable, Hashable {
    public var antecedent: [Int]
    public var consequent: [Int]
    /// Support of antecedent ∪ consequent.
    public var support: Double
    /// support(A ∪ C) / support(A).
    public var confidence: Double
    /// confidence / support(C): above 1 means buying A makes C more likely.
    public var lift: Double
}

public enum AssociationRules {
    /// Every rule A → C with A and C non-empty, disjoint, A ∪ C frequent, and confidence at
    /// least `minConfidence` (and lift at least `minLift`). Supports are divided exactly as
    /// mlxtend's `association_rules` divides them, so the same threshold keeps the same rules.
    public static func derive(from mined: FrequentItemsets, minConfidence: Double, minLift: Double = 0) throws -> [AssociationRule] {
        try require(minConfidence >= 0 && minConfidence <= 1, "minConfidence", "must be in [0, 1]")
        try require(minLift >= 0 && minLift.isFinite, "minLift", "must be a non-negative number")
        let n = Double(mined.basketCount)
        var rules: [AssociationRule] = []
        for set in mined.itemsets where set.items.count >= 2 {
            let k = set.items.count
            // Every non-empty proper subset as antecedent, by bit mask.
            for mask in 1..<((1 << k) - 1) {
                var antecedent: [Int] = []
                var consequent: [Int] = []
                for (bit, item) in set.items.enumerated() {
                    if mask & (1 << bit) != 0 { antecedent.append(item) } else { consequent.append(item) }
                }
                // Subsets of a frequent itemset are frequent, so both counts exist.
                let supportA = Double(mined.index[antecedent]!) / n
                let supportC = Double(mined.index[consequent]!) / n
                let confidence = set.support / supportA
                guard confidence >= minConfidence else { continue }
                let lift = confidence / supportC
                guard lift >= minLift else { continue }
                rules.append(AssociationRule(antecedent: antecedent, consequent: consequent,
                                             support: set.support, confidence: confidence, lift: lift))
            }
        }
        return rules.sorted {
            if $0.confidence != $1.confidence { return $0.confidence > $1.confidence }
            if $0.lift != $1.lift { return $0.lift > $1.lift }
            if $0.antecedent != $1.antecedent { return $0.antecedent.lexicographicallyPrecedes($1.antecedent) }
            return $0.consequent.lexicographicallyPrecedes($1.consequent)
        }
    }
}

/// One product to offer a customer, and the rule that suggests it.
public struct CrossSellRecommendation: Sendable, Equatable {
    public var item: Int
    public var rule: AssociationRule
}

public enum CrossSell {
    /// Up to `limit` items for a customer who already has `owned`: from every rule whose
    /// antecedent the customer has, each consequent item the customer does not have,
    /// scored by the rule's confidence, then lift, then support (the best rule per item
    /// wins). Items the customer already has are never offered.
    public static func recommend(owned: Set<Int>, rules: [AssociationRule], limit: Int = 5) -> [CrossSellRecommendation] {
        var best: [Int: AssociationRule] = [:]
        for rule in rules where rule.antecedent.allSatisfy(owned.contains) {
            for item in rule.consequent where !owned.contains(item) {
                if let current = best[item], !isBetter(rule, than: current) { continue }
                best[item] = rule
            }
        }
        return best.map { CrossSellRecommendation(item: $0.key, rule: $0.value) }
            .sorted { isBetter($0.rule, than: $1.rule) || (!isBetter($1.rule, than: $0.rule) && $0.item < $1.item) }
            .prefix(max(0, limit)).map { $0 }
    }

    static func isBetter(_ a: AssociationRule, than b: AssociationRule) -> Bool {
        if a.confidence != b.confidence { return a.confidence > b.confidence }
        if a.lift != b.lift { return a.lift > b.lift }
        return a.support > b.support
    }
}
