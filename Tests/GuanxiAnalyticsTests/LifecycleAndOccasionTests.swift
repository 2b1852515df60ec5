import Foundation
import Testing
@testable import GuanxiAnalytics

@Suite struct LifecycleAndOccasionTests {
    let rule = LifecycleRule()

    func facts(tenure: Int? = 500, idle: Int? = 10, recent: Double = 100, previous: Double = 100, alive: Double? = 0.9) -> LifecycleFacts {
        LifecycleFacts(tenureDays: tenure, daysSinceLastPurchase: idle, recentSpend: recent, previousSpend: previous, probabilityAlive: alive)
    }

    @Test func eachBranchOfTheLifecycleRule() {
        #expect(rule.stage(facts(tenure: nil, idle: nil)) == .acquisition)
        #expect(rule.stage(facts(alive: 0.05)) == .lost)
        #expect(rule.stage(facts(alive: 0.3)) == .atRisk)
        #expect(rule.stage(facts(recent: 50, previous: 100)) == .atRisk)
        #expect(rule.stage(facts(tenure: 30, previous: 0)) == .acquisition)
        #expect(rule.stage(facts(recent: 150, previous: 100)) == .growth)
        #expect(rule.stage(facts(tenure: 200)) == .growth)
        #expect(rule.stage(facts()) == .maturity)
        // Without a fitted model the rule falls back on days since the last purchase.
        #expect(rule.stage(facts(idle: 800, recent: 0, previous: 0, alive: nil)) == .lost)
        #expect(rule.stage(facts(idle: 400, recent: 0, previous: 0, alive: nil)) == .atRisk)
        #expect(rule.stage(facts(idle: 10, alive: nil)) == .maturity)
    }

    @Test func factsFromPurchases() throws {
        let asOf = day("2026-06-30")
        let history = try PurchaseHistory(customerCount: 3, purchases: [
            Purchase(customer: 0, day: asOf - 400, amount: 100),
            Purchase(customer: 0, day: asOf - 200, amount: 300),
            Purchase(customer: 0, day: asOf - 20, amount: 50),
            Purchase(customer: 1, day: asOf - 5, amount: 80),
        ], asOf: asOf)
        let all = rule.facts(history, probabilityAlive: [0: 0.8])
        #expect(all[0] == LifecycleFacts(tenureDays: 400, daysSinceLastPurchase: 20, recentSpend: 50, previousSpend: 300, probabilityAlive: 0.8))
        #expect(rule.stage(all[0]) == .atRisk)          // spend fell from 300 to 50
        #expect(rule.stage(all[1]) == .acquisition)     // five days a customer
        #expect(all[2].tenureDays == nil && rule.stage(all[2]) == .acquisition)
    }

    @Test func findsTheMayBirthdayGiftCustomer() throws {
        let history = try PurchaseHistory(customerCount: 3, purchases: [
            // Customer 0: a gift around 12 May three years running, plus other shopping.
            Purchase(customer: 0, day: day("2023-05-10"), amount: 300),
            Purchase(customer: 0, day: day("2024-05-14"), amount: 280),
            Purchase(customer: 0, day: day("2025-05-12"), amount: 350),
            Purchase(customer: 0, day: day("2024-09-01"), amount: 40),
            Purchase(customer: 0, day: day("2025-01-20"), amount: 60),
            // Customer 1: buys at random times.
            Purchase(customer: 1, day: day("2023-02-01"), amount: 10),
            Purchase(customer: 1, day: day("2024-07-15"), amount: 10),
            Purchase(customer: 1, day: day("2025-11-03"), amount: 10),
            // Customer 2: New Year's Eve, across the turn of the year.
            Purchase(customer: 2, day: day("2022-12-29"), amount: 90),
            Purchase(customer: 2, day: day("2024-01-02"), amount: 90),
            Purchase(customer: 2, day: day("2024-12-30"), amount: 90),
        ], asOf: day("2026-03-01"))
        let found = try RepeatOccasionRule().occasions(history)
        #expect(found.map(\.customer) == [0, 2])
        let gift = found[0]
        #expect(gift.years == 3 && gift.yearsObserved == 3)
        #expect(gift.nextDate == day("2026-05-12"))
        let newYear = found[1]
        #expect(newYear.nextDate == day("2026-12-31"))
        #expect(newYear.years == 3)
    }

    @Test func anOccasionNeedsEnoughOfTheYearsObserved() throws {
        // Bought on 10 May 2019 and 2020, then never again in May: 2 of 7 years observed.
        let history = try PurchaseHistory(customerCount: 1, purchases: [
            Purchase(customer: 0, day: day("2019-05-10"), amount: 1),
            Purchase(customer: 0, day: day("2020-05-10"), amount: 1),
        ], asOf: day("2026-06-01"))
        #expect(try RepeatOccasionRule().occasions(history).isEmpty)
        #expect(try RepeatOccasionRule(minShare: 0.25).occasions(history).first?.nextDate == day("2027-05-10"))
        #expect(throws: AnalyticsError.self) { try RepeatOccasionRule(minYears: 1).occasions(history) }
    }

    @Test func occasionsMatchTheRuleReadYearBySet() throws {
        // Random histories, some spanning more than 64 years (counted another way), with
        // purchases near New Year and ties between anchors, against the rule written
        // plainly: every anchor's distinct years collected in a set.
        var rng = SeededGenerator(seed: 17)
        var purchases: [Purchase] = []
        let customers = 3_000
        for customer in 0..<customers {
            if customer % 10 == 0 {
                // Around the same day in a dozen of seventy years: an occasion observed over more than 64 years.
                let (first, month) = (1900 + Int(rng.next() % 40), 1 + Int(rng.next() % 12))
                for _ in 0..<12 {
                    purchases.append(Purchase(customer: customer, day: Day(year: first + Int(rng.next() % 70), month: month, day: 1 + Int(rng.next() % 10))!, amount: 1))
                }
                continue
            }
            let first = 1950 + Int(rng.next() % 60)
            for _ in 0..<(1 + Int(rng.next() % 9)) {
                let year = first + Int(rng.next() % 6)
                let date = rng.next() % 3 == 0 ? day("\(year)-12-\(20 + Int(rng.next() % 12))") : Day(year: year, month: 1 + Int(rng.next() % 12), day: 1 + Int(rng.next() % 28))!
                purchases.append(Purchase(customer: customer, day: date, amount: 1))
            }
        }
        let history = try PurchaseHistory(customerCount: customers, purchases: purchases, asOf: day("2026-06-01"))
        let rule = RepeatOccasionRule(minShare: 0.1)
        let found = try rule.occasions(history)
        var expected: [RepeatOccasion] = []
        for (customer, days) in history.occasionDays().enumerated() where days.count >= rule.minYears {
            if let occasion = Self.plainOccasion(rule, customer: customer, days: days, asOf: history.asOf) { expected.append(occasion) }
        }
        #expect(found.count > 100)
        #expect(found.contains { $0.yearsObserved > 64 })
        #expect(found == expected)
    }

    /// The rule as first written: a set of years per anchor, the best anchor's kept.
    static func plainOccasion(_ rule: RepeatOccasionRule, customer: Int, days: [Day], asOf: Day) -> RepeatOccasion? {
        func angle(_ day: Day) -> Double { Double(Day.isLeap(day.year) && day.dayOfYear >= 59 ? day.dayOfYear - 1 : day.dayOfYear) }
        func distance(_ a: Double, _ b: Double) -> Double { let d = abs(a - b).truncatingRemainder(dividingBy: 365); return min(d, 365 - d) }
        let points = days.map { (year: $0.year, angle: angle($0)) }
        var best: (years: Set<Int>, members: [Double], anchor: Double)?
        for anchor in points {
            var years = Set<Int>()
            var members: [Double] = []
            for p in points where distance(p.angle, anchor.angle) <= Double(rule.windowDays) {
                years.insert(p.year + (anchor.angle - p.angle > 182 ? -1 : (p.angle - anchor.angle > 182 ? 1 : 0)))
                members.append(p.angle)
            }
            if best == nil || years.count > best!.years.count || (years.count == best!.years.count && anchor.angle < best!.anchor) {
                best = (years, members, anchor.angle)
            }
        }
        guard let found = best, found.years.count >= rule.minYears else { return nil }
        var s = 0.0, c = 0.0
        for a in found.members { s += sin(a / 365 * 2 * .pi); c += cos(a / 365 * 2 * .pi) }
        var mean = atan2(s, c) / (2 * .pi) * 365
        if mean < 0 { mean += 365 }
        let dayOfYear = Int(mean.rounded()) % 365
        func date(_ year: Int) -> Day { Day(year: year, month: 1, day: 1)! + (Day.isLeap(year) && dayOfYear >= 59 ? dayOfYear + 1 : dayOfYear) }
        let lastCompleted = date(asOf.year) + rule.windowDays <= asOf ? asOf.year : asOf.year - 1
        let observed = max(1, lastCompleted - found.years.min()! + 1)
        guard Double(found.years.count) >= rule.minShare * Double(observed) else { return nil }
        let next = date(asOf.year) < asOf ? date(asOf.year + 1) : date(asOf.year)
        return RepeatOccasion(customer: customer, dayOfYear: dayOfYear, years: found.years.count, yearsObserved: observed, nextDate: next)
    }
}
