import Foundation
import GuanxiAnalytics
import Testing

/// The CDNOW sample of Fader, Hardie & Lee (2005); see Fixtures/README.md.
func cdnowSummaries() throws -> [LifetimeSummary] {
    let url = try #require(Bundle.module.url(forResource: "cdnow-summary", withExtension: "csv", subdirectory: "Fixtures"))
    let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
    return try lines.map { line in
        let f = line.split(separator: ",").map { Double($0)! }
        try #require(f.count == 5)
        return LifetimeSummary(customer: Int(f[0]), x: Int(f[1]), tx: f[2], T: f[3], averageRepeatValue: f[4])
    }
}

func day(_ text: String) -> Day { Day(iso: text)! }
