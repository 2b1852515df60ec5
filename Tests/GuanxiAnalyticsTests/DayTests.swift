import Testing
@testable import GuanxiAnalytics

@Suite struct DayTests {
    @Test func convertsCivilDatesBothWays() {
        #expect(Day(year: 1970, month: 1, day: 1)!.value == 0)
        #expect(Day(year: 2000, month: 3, day: 1)!.value == 11_017)
        #expect(Day(year: 1969, month: 12, day: 31)!.value == -1)
        for value in stride(from: -800_000, through: 800_000, by: 997) {
            let c = Day(value).civil
            #expect(Day(year: c.year, month: c.month, day: c.day)!.value == value)
        }
    }

    @Test func parsesAndPrintsISODates() {
        #expect(Day(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(Day(iso: "2023-13-01") == nil)
        #expect(Day(iso: "2023-1-01") == nil)
        #expect(Day(iso: "not a date") == nil)
        for bad in ["2023-01-1x", "2023-01-011", "2023/01/01", "+023-01-01", "2023-01-", "", "２０２３-01-01", "2023--1-01"] { #expect(Day(iso: bad) == nil, "\(bad)") }
        #expect(Day(iso: "1999-12-31".dropFirst(0))?.description == "1999-12-31")
    }

    @Test func countsDaysOfTheYear() {
        #expect(day("2023-01-01").dayOfYear == 0)
        #expect(day("2023-12-31").dayOfYear == 364)
        #expect(day("2024-12-31").dayOfYear == 365)
        #expect(day("2024-03-01") - day("2024-02-01") == 29)
    }
}
