import Foundation
import SQLKit
import Synchronization

/// Fixed-window counters in the database, so every server process shares the same
/// limits. Used for API request limits and for failed sign-ins per network address.
public struct RateLimiter: Sendable {
    package let database: DatabaseService
    package let clock: any Clock
    /// Counts not yet written by `hitBatched`, shared by every copy of this limiter.
    package let unsynced = UnsyncedCounts()

    public init(database: DatabaseService, clock: any Clock) {
        self.database = database
        self.clock = clock
    }

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

    /// Takes back one event `hit` counted in the current window: a sign-in attempt counted
    /// before its password was checked, which turned out right.
    public func giveBack(_ key: String, window: Int) async throws {
        let (start, _) = windowStart(window)
        try await database.sql.raw("""
            UPDATE rate_limits SET count = count - 1 WHERE key = \(bind: key) AND window_start = \(bind: start) AND count > 0
            """).run()
    }

    /// Counts one API request like `hit`, but writes to the database at most once a second
    /// per key — and on every request while this process believes the limit is being
    /// reached — instead of once per request. Within one process the count is exact;
    /// with several processes behind a load balancer each sees the others' requests
    /// within a second, so a token can overshoot its limit by at most one second's worth
    /// of another process's traffic. Failed sign-ins keep the exact `hit`.
    public func hitBatched(_ key: String, limit: Int, window: Int) async throws -> Outcome {
        let (start, retryAfter) = windowStart(window)
        let now = clock.now().timeIntervalSince1970
        let step = unsynced.count(key, window: start, now: now, limit: limit)
        guard step.toWrite > 0 else {
            return Outcome(allowed: step.estimate <= limit, count: step.estimate, retryAfter: retryAfter)
        }
        let total = try await add(step.toWrite, to: key, window: start)
        let count = unsynced.learned(total, for: key, window: start)
        return Outcome(allowed: count <= limit, count: count, retryAfter: retryAfter)
    }

    private func add(_ events: Int, to key: String, window start: Int64) async throws -> Int {
        try await database.sql.raw("""
            INSERT INTO rate_limits (key, window_start, count) VALUES (\(bind: key), \(bind: start), \(bind: events))
            ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + \(bind: events)
            RETURNING count
            """).first(decodingColumn: "count", as: Int.self) ?? events
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

/// The per-process side of `RateLimiter.hitBatched`: for each key, the count last read
/// from the database and the events counted here since.
package final class UnsyncedCounts: Sendable {
    private struct Entry {
        package var window: Int64
        /// The shared count as last written or read, plus what this process has since sent.
        package var known: Int
        package var pending: Int
        package var syncedAt: Double
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Counts one event; says the estimated count and how many events to write now (0: none).
    package func count(_ key: String, window: Int64, now: Double, limit: Int) -> (estimate: Int, toWrite: Int) {
        entries.withLock { entries in
            if entries.count > 10_000 { entries = entries.filter { $0.value.window >= window } }
            var entry = entries[key].flatMap { $0.window == window ? $0 : nil }
                ?? Entry(window: window, known: 0, pending: 0, syncedAt: -.infinity)
            entry.pending += 1
            let estimate = entry.known + entry.pending
            // Write when a second has passed, or when this event may be the one that
            // reaches the limit and the shared count has not yet confirmed it is over.
            var toWrite = 0
            if now - entry.syncedAt >= 1 || (estimate >= limit && entry.known <= limit) {
                toWrite = entry.pending
                entry.known += entry.pending
                entry.pending = 0
                entry.syncedAt = now
            }
            entries[key] = entry
            return (estimate, toWrite)
        }
    }

    /// Takes in the shared count the database returned after a write; returns the count
    /// for the event that triggered it.
    package func learned(_ total: Int, for key: String, window: Int64) -> Int {
        entries.withLock { entries in
            guard var entry = entries[key], entry.window == window else { return total }
            entry.known = max(entry.known, total)
            entries[key] = entry
            return total
        }
    }
}
