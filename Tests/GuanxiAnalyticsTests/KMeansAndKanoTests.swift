import Testing
@testable import GuanxiAnalytics

@Suite struct KMeansAndKanoTests {
    func blobs(seed: UInt64) -> (rows: [[Double]], truth: [Int]) {
        var draws = RandomDraws(seed: seed)
        let centres: [[Double]] = [[0, 0], [100, 5], [0, 10]]
        var rows: [[Double]] = [], truth: [Int] = []
        for i in 0..<300 {
            let c = i % 3
            rows.append([centres[c][0] + draws.normal() * 3, centres[c][1] + draws.normal() * 0.3])
            truth.append(c)
        }
        return (rows, truth)
    }

    @Test func recoversSeparatedGroupsDeterministically() throws {
        let (rows, truth) = blobs(seed: 1)
        let first = try KMeans.cluster(rows, k: 3, seed: 99)
        let again = try KMeans.cluster(rows, k: 3, seed: 99)
        #expect(first.assignments == again.assignments)
        #expect(first.sizes.sorted() == [100, 100, 100])
        // Same partition as the truth, whatever the cluster numbers.
        for i in rows.indices { for j in rows.indices where truth[i] == truth[j] { #expect(first.assignments[i] == first.assignments[j]) } }
        let centre = first.centresInOriginalUnits[first.assignments[1]]
        #expect(abs(centre[0] - 100) < 2 && abs(centre[1] - 5) < 0.2)
        let good = try Silhouette.score(rows, assignments: first.assignments)
        let two = try KMeans.cluster(rows, k: 2, seed: 99)
        #expect(good > 0.8)
        #expect(good > (try Silhouette.score(rows, assignments: two.assignments)))
    }

    @Test func silhouetteOfAHandExample() throws {
        // Silhouettes do not change with scale: a = 1 for every point, b = 10.5, 9.5, 9.5, 10.5.
        let rows: [[Double]] = [[0], [1], [10], [11]]
        let s = try Silhouette.score(rows, assignments: [0, 0, 1, 1])
        #expect(abs(s - (9.5 / 10.5 + 8.5 / 9.5) / 2) < 1e-12)
    }

    @Test func rejectsBadClusteringInput() {
        #expect(throws: AnalyticsError.invalidArgument(name: "k", reason: "must not exceed the number of rows (2)")) {
            try KMeans.cluster([[1], [2]], k: 3)
        }
        #expect(throws: AnalyticsError.invalidArgument(name: "rows[1]", reason: "has 1 features, expected 2")) {
            try KMeans.cluster([[1, 2], [2]], k: 1)
        }
        #expect(throws: AnalyticsError.self) { try KMeans.cluster([], k: 1) }
        #expect(throws: AnalyticsError.self) { try KMeans.cluster([[.nan]], k: 1) }
    }

    @Test func kanoEvaluationTableCellByCell() {
        let rows: [[KanoCategory]] = [
            [.questionable, .attractive, .attractive, .attractive, .oneDimensional],
            [.reverse, .indifferent, .indifferent, .indifferent, .mustBe],
            [.reverse, .indifferent, .indifferent, .indifferent, .mustBe],
            [.reverse, .indifferent, .indifferent, .indifferent, .mustBe],
            [.reverse, .reverse, .reverse, .reverse, .questionable],
        ]
        for (f, functional) in KanoAnswer.allCases.enumerated() {
            for (d, dysfunctional) in KanoAnswer.allCases.enumerated() {
                #expect(KanoCategory(functional: functional, dysfunctional: dysfunctional) == rows[f][d])
            }
        }
    }

    @Test func kanoFeatureCategoryAndCoefficients() throws {
        // 4 attractive, 3 one-dimensional, 2 must-be, 1 indifferent, 1 reverse.
        let answers: [(functional: KanoAnswer, dysfunctional: KanoAnswer)] =
            Array(repeating: (.like, .neutral), count: 4) + Array(repeating: (.like, .dislike), count: 3)
            + Array(repeating: (.neutral, .dislike), count: 2) + [(.neutral, .neutral), (.dislike, .neutral)]
        let result = try Kano.evaluate(answers)
        #expect(result.category == .attractive)
        #expect(result.respondents == 11)
        #expect(abs(result.better - 0.7) < 1e-12)      // (4 + 3) / 10
        #expect(abs(result.worse - -0.5) < 1e-12)      // −(3 + 2) / 10
        // A tie between must-be and attractive goes to must-be.
        let tie = try Kano.evaluate([(.neutral, .dislike), (.like, .neutral)])
        #expect(tie.category == .mustBe)
        #expect(throws: AnalyticsError.self) { try Kano.evaluate([]) }
    }

    @Test func satisfactionIsExperienceMinusExpectation() throws {
        #expect(try Kano.satisfactionGap(experience: [3, 4, 5], expectation: [5, 5]) == -1)
        #expect(throws: AnalyticsError.self) { try Kano.satisfactionGap(experience: [], expectation: [1]) }
    }
}
