import Foundation
import SQLKit

/// Fixed-window counters in the database, so every server process shares the same
/// limits. Used for API request limits and for failed sign-ins per network address.
public struct RateLimiter: Sendable {
    let database: DatabaseService
    let clock: any Clock

    public struct Outcome: Sendable, Equatable {
        public var allowed: Bool
        public var count: Int
        /// Seconds until the current window ends.
        public var retryAfter: Int
    }

    /// Counts one event for `key` and says whether it stays within `limit` per `window` seconds.
    public func hit(_ key: String, limit: Int, window: Int) async throws -> Outcome {
        let (start, retryAfter) = windowStart(window)
        let count = try await database.sql.raw("""
            INSERT INTO rate_limits (key, window_start, count) VALUES (\(bind: key), \(bind: start), 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
            RETURNING count
            """).first(decodingColumn: "count", as: Int.self) ?? 1
        return Outcome(allowed: count <= limit, count: count, retryAfter: retryAfter)
    }

    /// How many events `key` has in the current window, without counting one.
    public func peek(_ key: String, window: Int) async throws -> (count: Int, retryAfter: Int) {
        let (start, retryAfter) = windowStart(window)
        let count = try await database.sql.select().column("count").from("rate_limits")
            .where("key", .equal, key).where("window_start", .equal, start)
            .first(decodingColumn: "count", as: Int.self) ?? 0
        return (count, retryAfter)
    }

    /// Drops counters of windows that ended long ago (run by the housekeeping job).
    public func purge(olderThan seconds: Int = 86_400) async throws {
        let cutoff = Int64(clock.now().timeIntervalSince1970) - Int64(seconds)
        try await database.sql.delete(from: "rate_limits").where("window_start", .lessThan, cutoff).run()
    }

    private func windowStart(_ window: Int) -> (Int64, Int) {
        let now = Int64(clock.now().timeIntervalSince1970)
        let start = now - now % Int64(window)
        return (start, Int(start + Int64(window) - now))
    }
}
