import Foundation
import OpenAPIRuntime
import Testing
@testable import GuanxiPlatform

/// The API's times, written by hand, read as the OpenAPI runtime's ISO 8601 transcoder writes them.
@Suite("API times")
struct APIDatesTests {
    @Test("A time is written as the runtime's ISO 8601 transcoder writes it — whole seconds, UTC, and the Julian calendar before 1583 — from year 1 to 9999, and read back")
    func sameAsTheRuntime() throws {
        let ours = APIDates(), standard = ISO8601DateTranscoder.iso8601
        var generator = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: -0.5), Date(timeIntervalSince1970: 0.999),
                     Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
                     Date(timeIntervalSince1970: 4_107_542_399), // 2100-02-28T23:59:59
                     Date(timeIntervalSince1970: 1_796_687_626.75)]
        for _ in 0..<5_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: -62_135_596_800 ..< 253_402_300_799, using: &generator))) }
        for date in dates {
            let written = try ours.encode(date), theirs = try standard.encode(date)
            #expect(written == theirs, "\(date.timeIntervalSince1970)")
            #expect(try ours.decode(written).timeIntervalSince1970 == ((date.timeIntervalSince1970 * 1000).rounded() / 1000).rounded(.down), "\(written)")
        }
        #expect(try ours.encode(Date(timeIntervalSince1970: 1_796_687_626.75)) == "2026-12-07T23:53:46Z")
    }
}
