/// The KANO model (Kano et al. 1984) as the source documents use it for tiered service
/// (seed 000 篇3): sort each service feature into must-be, one-dimensional, attractive,
/// indifferent, reverse or questionable from paired questionnaire answers.
public enum KanoAnswer: Int, CaseIterable, Sendable, Codable {
    /// 1 I like it, 2 it must be that way, 3 I am neutral, 4 I can live with it, 5 I dislike it.
    case like = 1, mustBe, neutral, liveWith, dislike
}

public enum KanoCategory: String, CaseIterable, Sendable, Codable {
    case mustBe, oneDimensional, attractive, indifferent, reverse, questionable

    public var chineseName: String {
        switch self {
        case .mustBe: return "必备型"
        case .oneDimensional: return "期望型"
        case .attractive: return "魅力型"
        case .indifferent: return "无差异型"
        case .reverse: return "反向型"
        case .questionable: return "可疑结果"
        }
    }

    /// The standard evaluation table (Berger et al. 1993): the functional answer picks
    /// the row, the dysfunctional answer the column.
    ///
    ///     functional \ dysfunctional   like  must-be  neutral  live-with  dislike
    ///     like                         Q     A        A        A          O
    ///     must-be                      R     I        I        I          M
    ///     neutral                      R     I        I        I          M
    ///     live-with                    R     I        I        I          M
    ///     dislike                      R     R        R        R          Q
    public init(functional: KanoAnswer, dysfunctional: KanoAnswer) {
        switch (functional, dysfunctional) {
        case (.like, .like), (.dislike, .dislike): self = .questionable
        case (.like, .dislike): self = .oneDimensional
        case (.like, _): self = .attractive
        case (.dislike, _), (_, .like): self = .reverse
        case (_, .dislike): self = .mustBe
        default: self = .indifferent
        }
    }
}

public struct KanoFeatureResult: Sendable, Equatable {
    public var counts: [KanoCategory: Int]
    /// The most frequent category. Ties are broken by Berger et al.'s rule of thumb
    /// M > O > A > I (then reverse, then questionable): the category that hurts most when
    /// missing wins.
    public var category: KanoCategory
    /// Better (satisfaction) coefficient (A + O) / (A + O + M + I), in [0, 1].
    public var better: Double
    /// Worse (dissatisfaction) coefficient −(O + M) / (A + O + M + I), in [−1, 0].
    public var worse: Double
    public var respondents: Int
}

public enum Kano {
    static let tieOrder: [KanoCategory] = [.mustBe, .oneDimensional, .attractive, .indifferent, .reverse, .questionable]

    /// Classifies one feature from its respondents' (functional, dysfunctional) pairs.
    /// Better and worse are 0 when no answer falls in A, O, M or I.
    public static func evaluate(_ answers: [(functional: KanoAnswer, dysfunctional: KanoAnswer)]) throws -> KanoFeatureResult {
        guard !answers.isEmpty else { throw AnalyticsError.insufficientData("a KANO feature needs at least one respondent") }
        var counts: [KanoCategory: Int] = [:]
        for answer in answers { counts[KanoCategory(functional: answer.functional, dysfunctional: answer.dysfunctional), default: 0] += 1 }
        let top = tieOrder.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) || ((counts[$0] ?? 0) == (counts[$1] ?? 0) && tieOrder.firstIndex(of: $0)! > tieOrder.firstIndex(of: $1)!) }!
        let (a, o, m, i) = (counts[.attractive] ?? 0, counts[.oneDimensional] ?? 0, counts[.mustBe] ?? 0, counts[.indifferent] ?? 0)
        let denominator = Double(a + o + m + i)
        return KanoFeatureResult(counts: counts, category: top,
                                 better: denominator > 0 ? Double(a + o) / denominator : 0,
                                 worse: denominator > 0 ? -Double(o + m) / denominator : 0,
                                 respondents: answers.count)
    }

    /// Satisfaction = experience − expectation (seed 000 篇3): the mean experience score
    /// minus the mean expectation score of one service item, on the same scale. Negative
    /// means the service falls short of what customers expect.
    public static func satisfactionGap(experience: [Double], expectation: [Double]) throws -> Double {
        guard !experience.isEmpty, !expectation.isEmpty else {
            throw AnalyticsError.insufficientData("a satisfaction gap needs experience and expectation scores")
        }
        try require((experience + expectation).allSatisfy(\.isFinite), "scores", "must be finite numbers")
        return experience.reduce(0, +) / Double(experience.count) - expectation.reduce(0, +) / Double(expectation.count)
    }
}
