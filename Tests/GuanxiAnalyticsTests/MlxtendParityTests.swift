import Foundation
import Testing
@testable import GuanxiAnalytics

/// FP-Growth and the rules against the output of mlxtend 0.25.0 on the same baskets
/// (Fixtures/README.md says how the fixture was made).
@Suite struct MlxtendParityTests {
    func fixture(_ name: String) throws -> [Substring] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    func ids(_ text: Substring) -> [Int] { text.split(separator: " ").map { Int($0)! } }

    @Test func findsExactlyTheItemsetsAndRulesMlxtendFinds() throws {
        let baskets = try fixture("mlxtend-baskets").map(ids)
        #expect(baskets.count == 600)
        let mined = try FPGrowth.frequentItemsets(baskets, minSupport: 0.02)
        var expected: [[Int]: Double] = [:]
        for line in try fixture("mlxtend-itemsets") {
            let fields = line.split(separator: " ", maxSplits: 1)
            expected[ids(fields[1])] = Double(fields[0])!
        }
        let found = Dictionary(uniqueKeysWithValues: mined.itemsets.map { ($0.items, $0.support) })
        #expect(found == expected)

        let rules = try AssociationRules.derive(from: mined, minConfidence: 0.4)
        var expectedRules: [String: [Double]] = [:]
        for line in try fixture("mlxtend-rules") {
            let parts = line.split(separator: "|")
            expectedRules[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].split(separator: " ").map { Double($0)! }
        }
        let foundRules = Dictionary(uniqueKeysWithValues: rules.map { rule in
            ("\(rule.antecedent.map(String.init).joined(separator: " ")) > \(rule.consequent.map(String.init).joined(separator: " "))",
             [rule.support, rule.confidence, rule.lift])
        })
        #expect(Set(foundRules.keys) == Set(expectedRules.keys))
        for (key, values) in expectedRules {
            let mine = try #require(foundRules[key])
            #expect(zip(mine, values).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) }, "\(key): \(mine) vs \(values)")
        }
    }
}
