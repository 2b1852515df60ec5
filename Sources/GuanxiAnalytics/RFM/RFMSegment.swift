/// Named RFM segments on the recency × frequency grid.
///
/// The grid is the widely used one (e.g. Putler's RFM segments): R is the row, F the
/// column, each 1–5. `lost` is the bottom corner of hibernating (R = 1 and F = 1).
///
///     R\F   1              2              3             4             5
///     5     newCustomers   potential      potential     champions     champions
///     4     promising      potential      potential     loyal         loyal
///     3     aboutToSleep   aboutToSleep   needAttention loyal         loyal
///     2     hibernating    hibernating    atRisk        atRisk        cannotLose
///     1     lost           hibernating    atRisk        atRisk        cannotLose
public enum RFMSegment: String, CaseIterable, Sendable, Codable {
    case champions, loyal, potentialLoyalists, newCustomers, promising
    case needAttention, aboutToSleep, atRisk, cannotLose, hibernating, lost

    public init(r: Int, f: Int) {
        switch (r, f) {
        case (5, 4...5): self = .champions
        case (3...4, 4...5): self = .loyal
        case (4...5, 2...3): self = .potentialLoyalists
        case (5, 1): self = .newCustomers
        case (4, 1): self = .promising
        case (3, 3): self = .needAttention
        case (3, 1...2): self = .aboutToSleep
        case (1...2, 3...4): self = .atRisk
        case (1...2, 5): self = .cannotLose
        case (1, 1): self = .lost
        default: self = .hibernating
        }
    }

    /// The segment's Chinese name, as the source documents' audience says it.
    public var chineseName: String {
        switch self {
        case .champions: return "重要价值客户"
        case .loyal: return "忠诚客户"
        case .potentialLoyalists: return "潜力客户"
        case .newCustomers: return "新客户"
        case .promising: return "有望客户"
        case .needAttention: return "需关注客户"
        case .aboutToSleep: return "将沉睡客户"
        case .atRisk: return "流失风险客户"
        case .cannotLose: return "不能失去的客户"
        case .hibernating: return "沉睡客户"
        case .lost: return "已流失客户"
        }
    }
}
