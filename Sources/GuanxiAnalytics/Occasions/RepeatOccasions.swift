import RealModule

/// A yearly occasion: a customer who buys around the same date every year (the source
/// documents' customer who bought a birthday gift every May, seed 002).
public struct RepeatOccasion: Sendable, Equatable {
    public var customer: Int
    /// Typical day of the year (0 = 1 January), the circular mean of the purchases in it.
    public var dayOfYear: Int
    /// Distinct years with a purchase around that day.
    public var years: Int
    /// The years from the first such year to the last completed one.
    public var yearsObserved: Int
    /// The next time the occasion comes round on or after the as-of day.
    public var nextDate: Day
}

public struct RepeatOccasionRule: Sendable, Equatable {
    /// Purchases within this many days of the day (either side, across New Year) belong
    /// to the occasion.
    public var windowDays = 15
    /// The occasion must have happened in at least this many distinct years…
    public var minYears = 2
    /// …and in at least this share of the years observed.
    public var minShare = 0.6

    public init(windowDays: Int = 15, minYears: Int = 2, minShare: Double = 0.6) {
        self.windowDays = windowDays
        self.minYears = minYears
        self.minShare = minShare
    }

    /// Rule: for each purchase day (positive amounts), count the distinct years that have
    /// a purchase within `windowDays` of its day of year, measured round the year's circle
    /// (so 28 December and 3 January are 6 days apart, and the January purchase counts for
    /// the year of the December it is near). The day with the most years wins
    /// (ties: the earliest day of year). It is an occasion when those years number at
    /// least `minYears` and at least `minShare` of the years observed — from the first
    /// such year to the last year whose window had closed by the as-of day. The typical
    /// day is the circular mean of the matching purchases; the next date is its first
    /// coming on or after the as-of day (29 February falls back to 28 February).
    public func occasions(_ history: PurchaseHistory) throws -> [RepeatOccasion] {
        try require(windowDays >= 0 && windowDays < 183, "windowDays", "must be between 0 and 182")
        try require(minYears >= 2, "minYears", "must be at least 2")
        try require(minShare > 0 && minShare <= 1, "minShare", "must be in (0, 1]")
        var result: [RepeatOccasion] = []
        for (customer, days) in history.occasionDays().enumerated() where days.count >= minYears {
            if let occasion = occasion(customer: customer, days: days, asOf: history.asOf) { result.append(occasion) }
        }
        return result
    }

    func occasion(customer: Int, days: [Day], asOf: Day) -> RepeatOccasion? {
        let points = days.map { (year: $0.year, angle: angle($0)) }
        var best: (years: Set<Int>, members: [Double], anchor: Double)?
        for anchor in points {
            var years = Set<Int>()
            var members: [Double] = []
            for p in points where circularDistance(p.angle, anchor.angle) <= Double(windowDays) {
                // A purchase on 2 January for a 30 December occasion belongs to the year before.
                let shift = anchor.angle - p.angle > 182 ? -1 : (p.angle - anchor.angle > 182 ? 1 : 0)
                years.insert(p.year + shift)
                members.append(p.angle)
            }
            if best == nil || years.count > best!.years.count || (years.count == best!.years.count && anchor.angle < best!.anchor) {
                best = (years, members, anchor.angle)
            }
        }
        guard let found = best, found.years.count >= minYears else { return nil }
        let typical = circularMean(found.members)
        let day = Int(typical.rounded()) % 365
        // The last completed year is the latest whose window ended by the as-of day.
        let asOfYear = asOf.year
        let windowEnd = dateIn(year: asOfYear, dayOfYear: day) + windowDays
        let lastCompleted = windowEnd <= asOf ? asOfYear : asOfYear - 1
        let observed = max(1, lastCompleted - found.years.min()! + 1)
        guard Double(found.years.count) >= minShare * Double(observed) else { return nil }
        var next = dateIn(year: asOfYear, dayOfYear: day)
        if next < asOf { next = dateIn(year: asOfYear + 1, dayOfYear: day) }
        return RepeatOccasion(customer: customer, dayOfYear: day, years: found.years.count, yearsObserved: observed, nextDate: next)
    }

    /// Position on a 365-day circle; in leap years days after 28 February move back one so
    /// that a date keeps its place from year to year.
    private func angle(_ day: Day) -> Double {
        let d = day.dayOfYear
        return Double(Day.isLeap(day.year) && d >= 59 ? d - 1 : d)
    }

    private func circularDistance(_ a: Double, _ b: Double) -> Double {
        let d = abs(a - b).truncatingRemainder(dividingBy: 365)
        return min(d, 365 - d)
    }

    private func circularMean(_ angles: [Double]) -> Double {
        var s = 0.0, c = 0.0
        for a in angles {
            let theta = a / 365 * 2 * Double.pi
            s += Double.sin(theta)
            c += Double.cos(theta)
        }
        var mean = Double.atan2(y: s, x: c) / (2 * Double.pi) * 365
        if mean < 0 { mean += 365 }
        return mean
    }

    private func dateIn(year: Int, dayOfYear: Int) -> Day {
        let jan1 = Day(year: year, month: 1, day: 1)!
        return jan1 + (Day.isLeap(year) && dayOfYear >= 59 ? dayOfYear + 1 : dayOfYear)
    }
}
