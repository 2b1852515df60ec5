import FluentKit
import Foundation
import NIOPosix
import GuanxiCustomerFile
import GuanxiPlatform

/// Saves an import's new records a batch at a time, and owns the job's progress as far as
/// the database decides it. Each batch is one transaction with the job's progress and the
/// rows refused since the batch before, so after a crash every row is either fully in or
/// not in, and the job resumes where its last transaction ended.
///
/// At most one batch is written while the next is made ready: the statements of a batch
/// are made on a thread of the pool while the database still writes the one before it.
/// If the database refuses a batch (a record broke a rule the checks could not see —
/// another user took the same external id meanwhile), its records are saved one by one,
/// and those refused come back as problems: off the job's created count, onto its rejected.
package struct ImportBatchWriter<Target: ImportTarget>: Sendable {
    /// A checked new record waiting for its batch.
    package struct Pending: Sendable { package let prepared: Target.Prepared; package let id: UUID; package let line: Int; package let fields: [String] }

    package let services: CustomerFileServices
    package let target: Target
    package let actor: Principal
    /// A dry run hands nothing to the database.
    package let dryRun: Bool
    package var store: ImportJobStore { ImportJobStore(services: services) }

    private var pending: [Pending] = []
    private var rejects: [ImportProblem] = []
    /// Batches with the database, oldest first.
    private var writing: [Task<Outcome, any Error>] = []
    /// How many refused rows the job's counts already reflect.
    private var counted = 0

    package init(services: CustomerFileServices, target: Target, actor: Principal, dryRun: Bool) {
        (self.services, self.target, self.actor, self.dryRun) = (services, target, actor, dryRun)
    }

    /// What writing a batch came to: the rows the database refused, and how many it has
    /// refused in this run up to and including this batch.
    package struct Outcome: Sendable { package let failed: [ImportProblem]; package let failedSoFar: Int }

    /// A new record for the next batch.
    package mutating func add(_ record: Pending) { pending.append(record) }

    /// A row not imported, saved with the next batch's progress.
    package mutating func refused(_ problem: ImportProblem) { rejects.append(problem) }

    /// Hands what is waiting to the database as a batch (after the batch before it has
    /// gone in), with `job` as its progress; `wait` waits until everything is written
    /// (before an update, and at the end). Returns the rows the database refused meanwhile,
    /// already counted into `job`.
    package mutating func flush(_ job: inout ImportJob, wait: Bool) async throws -> [ImportProblem] {
        var refused = try await settle(&job, leaving: 1)
        defer { (pending, rejects) = ([], []) }
        if !dryRun, !(pending.isEmpty && rejects.isEmpty) {
            let (batch, batchRejects, snapshot, earlier, alreadyCounted, writer) = (pending, rejects, job, writing.last, counted, self)
            writing.append(Task(executorPreference: services.database.writingExecutor) {
                try await writer.write(batch, rejects: batchRejects, job: snapshot, counting: alreadyCounted, after: earlier)
            })
        }
        if wait { refused += try await settle(&job, leaving: 0) }
        return refused
    }

    /// Waits for every batch handed over, ignoring their outcome: a failed run leaves no
    /// write behind it.
    package func abandon() async {
        for batch in writing { _ = try? await batch.value }
    }

    /// Waits until at most `left` batches are still with the database; the rows it refused
    /// move from `job.created` to `job.rejected`.
    private mutating func settle(_ job: inout ImportJob, leaving left: Int) async throws -> [ImportProblem] {
        var refused: [ImportProblem] = []
        while writing.count > left {
            let outcome = try await writing.removeFirst().value
            (job.created, job.rejected) = (job.created - (outcome.failedSoFar - counted), job.rejected + (outcome.failedSoFar - counted))
            counted = outcome.failedSoFar
            refused += outcome.failed
        }
        return refused
    }

    /// Writes a batch with the job's progress and `rejects` in one transaction, once the
    /// batch before it (`earlier`) is written. `snapshot` counts `counting` refused rows;
    /// those refused since are taken off it before it is saved.
    private func write(_ batch: [Pending], rejects: [ImportProblem], job snapshot: ImportJob, counting: Int,
                       after earlier: Task<Outcome, any Error>?) async throws -> Outcome {
        // Making the statements is tens of milliseconds of plain computing: on a thread of
        // the pool, so neither event loop stalls — the transaction before this one steps
        // from statement to statement on the database's loop meanwhile.
        let (target, engine, actor) = (target, services.database.engine, actor)
        let writes = try await NIOThreadPool.singleton.runIfActive {
            var writes = BulkWrites(engine: engine)
            let noted: [(kind: RecordKind, id: UUID, line: Int)] = batch.flatMap { p in
                target.alsoCreated(p.prepared).map { ($0.kind, $0.id, p.line) } + [(target.kind, p.id, p.line)]
            }
            // The ledger audits the creations it notes (`AuditLog.ledgeredCreations`).
            try AuditLog.$ledgeredCreations.withValue(Set(noted.map(\.id.text))) { try target.insertAll(batch.map(\.prepared), by: actor, to: &writes) }
            try ImportJobStore.recordCreated(job: snapshot.id, own: target.kind, noted, to: &writes)
            return writes
        }
        let failedBefore = try await earlier?.value.failedSoFar ?? counting
        var progress = snapshot
        (progress.created, progress.rejected) = (progress.created - (failedBefore - counting), progress.rejected + (failedBefore - counting))
        let (ready, saved, store) = (writes, progress, store)
        do {
            // The statements are made; running them is the database's work, and the
            // database's own loop is where the transaction's steps follow each other fastest.
            try await withTaskExecutorPreference(services.database.writingExecutor) {
                try await services.database.db.transaction { tx in
                    try await ready.run(on: tx)
                    try await store.saveProgress(saved, rejects: rejects, on: tx)
                }
            }
            return Outcome(failed: [], failedSoFar: failedBefore)
        } catch where !batch.isEmpty && !(error is CancellationError) {
            var failed: [ImportProblem] = []
            for p in batch {
                do {
                    try await services.database.db.transaction { tx in try await save(p, job: snapshot.id, on: tx) }
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    // Two rows of one batch with the same external id, or a record saved
                    // meanwhile that holds it: the checks could not see the other.
                    failed.append(ImportProblem(line: p.line, column: "", reason: services.localizer.text("msg.import_row_clash", actor.locale), fields: p.fields))
                } catch {
                    failed.append(ImportProblem(line: p.line, column: "", reason: "\(error)", fields: p.fields))
                }
            }
            var fixed = progress
            (fixed.created, fixed.rejected) = (fixed.created - failed.count, fixed.rejected + failed.count)
            let allRejects = rejects + failed
            try await services.database.db.transaction { [fixed] tx in try await store.saveProgress(fixed, rejects: allRejects, on: tx) }
            return Outcome(failed: failed, failedSoFar: failedBefore + failed.count)
        }
    }

    /// Saves a new record, and notes it (with what was created along with it) for revert.
    private func save(_ p: Pending, job: UUID, on tx: any Database) async throws {
        let also = target.alsoCreated(p.prepared)
        try await AuditLog.$ledgeredCreations.withValue(Set((also.map(\.id) + [p.id]).map(\.text))) { try await target.insert(p.prepared, by: actor, on: tx) }
        for also in also { try await ImportJobStore.recordCreated(job: job, own: target.kind, kind: also.kind, id: also.id, line: p.line, on: tx) }
        try await ImportJobStore.recordCreated(job: job, own: target.kind, kind: target.kind, id: p.id, line: p.line, on: tx)
    }
}
