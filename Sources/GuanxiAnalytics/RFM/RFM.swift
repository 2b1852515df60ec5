/// Recency, frequency and monetary value (Hughes, "Strategic Database Marketing", 1994),
/// scored 1–5 by quintiles.
///
/// Definitions, as of the history's as-of day:
/// - recency: days from the customer's last purchase with a positive amount to as-of;
/// - frequency: the number of purchases with a positive amount;
/// - monetary: the sum of all amounts, returns included (so a customer who returned
///   everything has a monetary value of 0 or less).
/// Scores use `QuantileScore` over the customers who bought at least once: 5 is the
/// most recent, most frequent, highest spending fifth. Customers who never bought have
/// no scores and no segment.
public struct RFMScore: Sendable, Equatable {
    public var customer: Int
    public var recencyDays: Int
    public var frequency: Int
    public var monetary: Double
    public var r: Int
    public var f: Int
    public var m: Int
    public var segment: RFMSegment

    /// The three scores as a code, e.g. "545".
    public var code: String { "\(r)\(f)\(m)" }
}

public enum RFM {
    /// Scores for every customer with at least one positive purchase, in customer order.
    public static func scores(_ history: PurchaseHistory) -> [RFMScore] {
        let n = history.customerCount
        var last = [Int](repeating: Int.min, count: n)
        var frequency = [Int](repeating: 0, count: n)
        var monetary = [Double](repeating: 0, count: n)
        for p in history.purchases {
            monetary[p.customer] += p.amount
            if p.amount > 0 {
                frequency[p.customer] += 1
                if p.day.value > last[p.customer] { last[p.customer] = p.day.value }
            }
        }
        let buyers = (0..<n).filter { frequency[$0] > 0 }
        let recency = buyers.map { Double(history.asOf.value - last[$0]) }
        let rScores = QuantileScore.scores(recency, higherIsBetter: false)
        let fScores = QuantileScore.scores(buyers.map { Double(frequency[$0]) })
        let mScores = QuantileScore.scores(buyers.map { monetary[$0] })
        return buyers.indices.map { i in
            RFMScore(customer: buyers[i], recencyDays: Int(recency[i]), frequency: frequency[buyers[i]],
                     monetary: monetary[buyers[i]], r: rScores[i], f: fScores[i], m: mScores[i],
                     segment: RFMSegment(r: rScores[i], f: fScores[i]))
        }
    }
}
