import FluentKit
import Foundation
import SQLKit

/// A job taken from the queue by one worker.
public struct ClaimedJob: Sendable, Equatable {
    public var id: UUID
    public var kind: String
    public var payload: String
    public var attempts: Int
    public var maxAttempts: Int
}

/// The background job queue, in the database so that any number of server processes
/// share it. Claiming is one atomic statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
/// SQLite runs one writer at a time), so each job runs once.
public struct JobQueue: Sendable {
    package init(database: DatabaseService, clock: any Clock) { self.database = database; self.clock = clock }
    package let database: DatabaseService
    package let clock: any Clock
    /// A running job whose worker has not finished it after this long is assumed lost and retried.
    package let staleAfter: TimeInterval = 600

    /// Queues a job. With a `uniqueKey`, a job with the same key is queued only once
    /// (every process can schedule the same periodic job without duplicates).
    @discardableResult
    public func enqueue(kind: String, payload: String = "{}", runAt: Date? = nil, maxAttempts: Int = 3, uniqueKey: String? = nil) async throws -> Bool {
        try await insert(kind: kind, on: database.sql, payload: payload, runAt: runAt, maxAttempts: maxAttempts, uniqueKey: uniqueKey)
    }

    /// Queues a job inside the caller's transaction (`tx`), with the change it is to act on.
    @discardableResult
    public func enqueue(kind: String, on tx: any Database, payload: String = "{}", runAt: Date? = nil, maxAttempts: Int = 3, uniqueKey: String? = nil) async throws -> Bool {
        try await insert(kind: kind, on: tx as! any SQLDatabase, payload: payload, runAt: runAt, maxAttempts: maxAttempts, uniqueKey: uniqueKey)
    }

    private func insert(kind: String, on sql: any SQLDatabase, payload: String, runAt: Date?, maxAttempts: Int, uniqueKey: String?) async throws -> Bool {
        let now = clock.now()
        let rows = try await sql.raw("""
            INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, unique_key, created_at)
            VALUES (\(bind: UUID()), \(bind: kind), \(bind: payload), 'queued', \(bind: runAt ?? now), 0, \(bind: maxAttempts), \(bind: uniqueKey), \(bind: now))
            ON CONFLICT (unique_key) DO NOTHING RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Takes the next due job for `worker`, or nil when none is due.
    public func claim(worker: String) async throws -> ClaimedJob? {
        let now = clock.now()
        let lock = database.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let row = try await database.sql.raw("""
            UPDATE jobs SET status = 'running', locked_by = \(bind: worker), locked_at = \(bind: now), attempts = attempts + 1
            WHERE id = (
                SELECT id FROM jobs
                WHERE (status = 'queued' AND run_at <= \(bind: now))
                   OR (status = 'running' AND locked_at < \(bind: now.addingTimeInterval(-staleAfter)))
                ORDER BY run_at LIMIT 1\(unsafeRaw: lock)
            )
            RETURNING id, kind, payload, attempts, max_attempts
            """).first()
        guard let row else { return nil }
        return ClaimedJob(
            id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
            payload: try row.decode(column: "payload", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self))
    }

    public func complete(_ job: ClaimedJob) async throws {
        try await database.sql.update("jobs").set("status", to: "done").set("finished_at", to: clock.now()).set("locked_by", to: SQLLiteral.null)
            .where("id", .equal, job.id).run()
    }

    /// Records a failure; the job is retried a minute later until it runs out of attempts.
    public func fail(_ job: ClaimedJob, error: String) async throws {
        let final = job.attempts >= job.maxAttempts
        try await database.sql.update("jobs")
            .set("status", to: final ? "failed" : "queued")
            .set("run_at", to: clock.now().addingTimeInterval(final ? 0 : 60))
            .set("last_error", to: String(error.prefix(2000)))
            .set("finished_at", to: final ? SQLBind(clock.now()) : SQLBind(Date?.none))
            .where("id", .equal, job.id).run()
    }

    /// Forgets finished jobs older than `age` seconds (run by the housekeeping job); failed
    /// ones stay for an administrator to read.
    public func purgeFinished(olderThan age: TimeInterval = 7 * 86_400) async throws {
        try await database.sql.delete(from: "jobs").where("status", .equal, "done")
            .where("finished_at", .lessThan, clock.now().addingTimeInterval(-age)).run()
    }

    /// Counts by status, for `/metrics` and the status page.
    public func counts() async throws -> [String: Int] {
        let rows = try await database.sql.raw("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all()
        var out: [String: Int] = [:]
        for row in rows { out[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        return out
    }
}
