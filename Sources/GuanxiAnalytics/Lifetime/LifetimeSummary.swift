/// The unit lifetime models measure time in.
public enum TimeUnit: String, Sendable, CaseIterable {
    case day, week

    public var days: Double { self == .day ? 1 : 7 }
}

/// One customer's purchase history as the lifetime models see it (Fader, Hardie & Lee 2005
/// notation): `x` repeat purchases, the last at `tx` after the first, observed for `T`
/// since the first; times in the chosen unit. `averageRepeatValue` is the mean value of
/// the repeat purchases (the first is left out, as Gamma-Gamma requires); 0 when x = 0.
public struct LifetimeSummary: Sendable, Equatable {
    public var customer: Int
    public var x: Int
    public var tx: Double
    public var T: Double
    public var averageRepeatValue: Double

    public init(customer: Int, x: Int, tx: Double, T: Double, averageRepeatValue: Double = 0) {
        self.customer = customer
        self.x = x
        self.tx = tx
        self.T = T
        self.averageRepeatValue = averageRepeatValue
    }

    /// Summaries of every customer with at least one purchase occasion.
    ///
    /// Rules: purchases on one day are one occasion (their positive amounts add up);
    /// returns are not occasions and do not count in `averageRepeatValue`; customers who
    /// never bought are left out (the models describe customers after their first purchase).
    public static func from(_ history: PurchaseHistory, unit: TimeUnit) -> [LifetimeSummary] {
        var byCustomer = [[(day: Int, amount: Double)]](repeating: [], count: history.customerCount)
        for p in history.purchases where p.amount > 0 { byCustomer[p.customer].append((p.day.value, p.amount)) }
        var result: [LifetimeSummary] = []
        for customer in byCustomer.indices where !byCustomer[customer].isEmpty {
            var rows = byCustomer[customer]
            rows.sort { $0.day < $1.day }
            var occasions: [(day: Int, amount: Double)] = []
            for row in rows {
                if occasions.last?.day == row.day { occasions[occasions.count - 1].amount += row.amount }
                else { occasions.append(row) }
            }
            let first = occasions[0].day
            let x = occasions.count - 1
            let repeatTotal = occasions.dropFirst().reduce(0) { $0 + $1.amount }
            result.append(LifetimeSummary(
                customer: customer, x: x,
                tx: Double(occasions[x].day - first) / unit.days,
                T: Double(history.asOf.value - first) / unit.days,
                averageRepeatValue: x > 0 ? repeatTotal / Double(x) : 0))
        }
        return result
    }
}
