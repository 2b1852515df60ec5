import Foundation
import Logging
import ServiceLifecycle

/// Runs one kind of background job.
public typealias JobHandler = @Sendable (_ payload: String) async throws -> Void

/// A job the worker schedules once a day, due at `hourUTC` (across all processes, by its
/// unique key). The business areas register theirs (the nightly analytics run).
public struct DailyJob: Sendable {
    public let kind: String
    public let hourUTC: Int
    public init(kind: String, hourUTC: Int) { (self.kind, self.hourUTC) = (kind, hourUTC) }
}

/// Polls the queue and runs due jobs until the server shuts down. Also schedules the
/// periodic housekeeping job each hour and the daily jobs once a day (once across all
/// processes, by their unique keys).
public final class JobWorker: Service, Sendable {
    package let queue: JobQueue
    package let handlers: [String: JobHandler]
    package let pollInterval: TimeInterval
    package let logger: Logger
    package let name: String
    package let clock: any Clock
    package let daily: [DailyJob]
    /// Work done on every poll besides the queued jobs, such as sending the outbox's mail.
    package let rounds: [@Sendable () async throws -> Void]

    public init(queue: JobQueue, handlers: [String: JobHandler], daily: [DailyJob] = [], rounds: [@Sendable () async throws -> Void] = [],
                pollInterval: TimeInterval, clock: any Clock, logger: Logger) {
        self.queue = queue
        self.daily = daily
        self.rounds = rounds
        self.handlers = handlers
        self.pollInterval = pollInterval
        self.clock = clock
        self.logger = logger
        self.name = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    try await scheduleHousekeeping()
                    try await scheduleNightly()
                    while try await runOne() {}
                    for round in rounds { try await round() }
                } catch {
                    logger.error("Background job polling failed: \(error)")
                }
                try? await Task.sleep(for: .seconds(pollInterval))
            }
        } onGracefulShutdown: {}
    }

    /// Runs the next due job, if any; returns whether one ran.
    @discardableResult
    public func runOne() async throws -> Bool {
        guard let job = try await queue.claim(worker: name) else { return false }
        guard let handler = handlers[job.kind] else {
            try await queue.fail(ClaimedJob(id: job.id, kind: job.kind, payload: job.payload, attempts: job.maxAttempts, maxAttempts: job.maxAttempts),
                                 error: "No handler for job kind \(job.kind)")
            return true
        }
        // A job works through many rows at once (the nightly analysis scores every customer);
        // what it let go goes back to the system afterwards, or the server would keep its
        // peak for good.
        defer { FreedMemory.returnToSystem() }
        do {
            try await handler(job.payload)
            try await queue.complete(job)
        } catch {
            logger.warning("Job \(job.kind) \(job.id) failed: \(error)")
            try await queue.fail(job, error: "\(error)")
        }
        return true
    }

    public func scheduleHousekeeping() async throws {
        let hour = Int(clock.now().timeIntervalSince1970 / 3600)
        try await queue.enqueue(kind: Housekeeping.kind, uniqueKey: "\(Housekeeping.kind):\(hour)")
    }

    /// Today's run of each daily job, once across all processes.
    public func scheduleNightly() async throws {
        let day = Int(clock.now().timeIntervalSince1970 / 86_400)
        for job in daily {
            try await queue.enqueue(kind: job.kind, runAt: Date(timeIntervalSince1970: Double(day) * 86_400 + Double(job.hourUTC) * 3600),
                                    maxAttempts: 1, uniqueKey: "\(job.kind):\(day)")
        }
    }
}

/// Hourly upkeep. The platform's own tasks (expired sessions, old counters, finished
/// jobs) and those the business areas add (such as returning neglected customers to the
/// shared pool) run one after another.
package enum Housekeeping {
    package static let kind = "housekeeping"
    package typealias Task = @Sendable () async throws -> Void

    package static func handler(_ tasks: [Task]) -> JobHandler {
        { _ in
            for task in tasks { try await task() }
        }
    }
}
