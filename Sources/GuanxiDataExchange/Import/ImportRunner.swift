import FluentKit
import Foundation
import NIOPosix
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Runs an import over its file, row by row, from the job's `nextLine` on. Three parts:
/// the plan (`ImportPlan`: the file, its mapping and key), the row checks
/// (`ImportRowCheck`, plain functions, and the kind's own validation and permission check
/// through its `ImportTarget`), and the batch writer (`ImportBatchWriter`), which saves new
/// records a batch at a time and owns the job's progress.
///
/// A row with a problem is rejected with its line, column and reason and never stops the
/// others. New records are saved in batches of `GUANXI_IMPORT_BATCH_ROWS` (2,000). An update
/// saves its record, the fields as they were (for revert) and the progress in one
/// transaction. A dry run checks everything — updates run and are rolled back — and writes
/// nothing.
package struct ImportRunner<Target: ImportTarget>: Sendable {
    package let services: CustomerFileServices
    package let target: Target
    /// The key's values on file when the run began, when the index they are looked up by
    /// is set aside for it (`ImportKeySnapshot`).
    package var keySnapshot: ImportKeySnapshot? = nil
    package var store: ImportJobStore { ImportJobStore(services: services) }
    package var batchSize: Int { services.config.importBatchRows }

    /// Thrown inside a dry run's update transaction to roll it back once it has passed.
    package struct DryRunRollback: Error {}

    /// The import's plan for `file`: its rows, mapping and key.
    package func plan(_ file: ImportFile, settings: ImportSettings) async throws -> ImportPlan {
        try await ImportPlan.make(file, target: target, settings: settings, custom: try await services.customValues.fields(of: target.kind))
    }

    /// Runs (or resumes) `job`. Returns the problems met; for a real run they are also
    /// stored with the job. `progress` hears after every batch.
    ///
    /// Four things overlap: while the database writes one batch (on its own thread, the
    /// transaction stepped on the database's event loop), the writer makes the next batch's
    /// statements (on a thread of the pool) and this task checks the batch after that (on
    /// another loop, see `EventLoopExecutor`). Meanwhile a fourth task reads the
    /// batch after that from the file and looks up what it refers to (`prefetch`); on a
    /// SQLite file those reads go to the read-only connections (`DatabaseService.sql`), beside
    /// the writer's transactions rather than between them, so checking rarely waits for the
    /// file or the database.
    package func run(_ job: inout ImportJob, file: ImportFile, dryRun: Bool, by actor: Principal,
             progress: @Sendable (ImportJob) async throws -> Void = { _ in }) async throws -> [ImportProblem] {
        try await withTaskExecutorPreference(services.database.computingExecutor) {
            try await runHere(&job, file: file, dryRun: dryRun, by: actor, reading: services.database.sql, progress: progress)
        }
    }

    private func runHere(_ job: inout ImportJob, file: ImportFile, dryRun: Bool, by actor: Principal, reading: any SQLDatabase,
                         progress: @Sendable (ImportJob) async throws -> Void) async throws -> [ImportProblem] {
        let plan = try await plan(file, settings: job.settings)
        let settings = job.settings
        var writer = ImportBatchWriter(services: services, target: target, actor: actor, dryRun: dryRun)
        // The records this run has created or updated by their key's value, so a later row
        // of the file with the same key finds them.
        var seen: [String: (line: Int, id: UUID?)] = [:]
        // The records on file that the key values of the batch being checked find.
        var onFile: [String: [UUID]] = [:]
        var problems: [ImportProblem] = []

        /// A reason in the importer's language.
        func says(_ reason: ImportRowCheck.Reason) -> String {
            services.localizer.known(reason.key, actor.locale) != nil ? services.localizer.text(reason.key, actor.locale, reason.arguments) : reason.english
        }
        func refuse(_ row: CSVReader.Row, _ column: String, _ reason: String, skipped: Bool = false) {
            if skipped { job.skipped += 1 } else { job.rejected += 1 }
            let problem = ImportProblem(line: row.line, column: column, reason: reason, fields: row.fields)
            writer.refused(problem)
            problems.append(problem)
        }
        func process(_ row: CSVReader.Row, _ mapped: [String: String]?) async throws {
            defer { job.nextLine = row.line + 1 }
            guard var values = mapped else {
                refuse(row, "", says(ImportRowCheck.ragged(fields: row.fields.count, expected: plan.header.count)))
                return
            }
            let keyValue = ImportRowCheck.keyValue(values, keyField: plan.keyField)
            var matches: [UUID] = []
            var earlierLine: Int?
            if let key = plan.key, let keyValue {
                if let earlier = seen[target.normalised(key, keyValue)] { earlierLine = earlier.line; matches = earlier.id.map { [$0] } ?? [] }
                // On file before this run: looked up for the whole batch at once (`lookAhead`).
                if matches.isEmpty { matches = onFile[target.normalised(key, keyValue)] ?? [] }
            }
            let decision = ImportRowCheck.decide(mode: settings.mode, duplicates: settings.duplicates, keyHeader: plan.keyHeader,
                                                 keyValue: keyValue, matches: matches, earlierLine: earlierLine)
            let rowContext = ImportRow(jobID: dryRun ? nil : job.id, line: row.line)
            do {
                switch decision {
                case .refuse(let reason, let skipped):
                    refuse(row, plan.keyHeader, says(reason), skipped: skipped)
                    return
                case .create:
                    let input = try await target.input(values, settings: settings, isNew: true, row: rowContext, by: actor)
                    let (prepared, id) = try await target.prepare(input, by: actor)
                    writer.add(.init(prepared: prepared, id: id, line: row.line, fields: row.fields))
                    job.created += 1
                    if let key = plan.key, let keyValue { seen[target.normalised(key, keyValue)] = (row.line, id) }
                case .update(let id, let merge):
                    // What came before is saved first, so the job's progress stays in file order.
                    problems += try await writer.flush(&job, wait: true)
                    let touched = Array(values.keys) + (settings.tag != nil && target.fields.contains { $0.key == "tags" } && values["tags"] == nil ? ["tags"] : [])
                    let before = try await target.values(of: id, fields: touched, by: actor)
                    if merge { values = values.filter { field, _ in (before[field] ?? "").isEmpty || target.fields.first { $0.key == field }?.multiple == true } }
                    let input = try await target.input(values, settings: settings, isNew: false, row: rowContext, by: actor)
                    var after = job
                    (after.updated, after.nextLine) = (after.updated + 1, row.line + 1)
                    let (snapshot, store) = (after, store)
                    do {
                        try await target.update(id, input, restoring: false, by: actor) { tx in
                            if dryRun { throw DryRunRollback() }
                            try await ImportJobStore.recordUpdated(job: snapshot.id, id: id, line: row.line, before: before, on: tx)
                            try await store.saveProgress(snapshot, rejects: [], on: tx)
                        }
                    } catch is DryRunRollback {}
                    job.updated += 1
                    if let key = plan.key, let keyValue { seen[target.normalised(key, keyValue)] = (row.line, id) }
                }
            } catch let error as GuanxiError where error.kind != .internal {
                refuse(row, ImportRowCheck.column(of: error, mapping: plan.mapping, header: plan.header), services.localizer.message(for: error, actor.locale))
            }
        }

        var ahead: Task<Ahead, any Error>?
        do {
            var reader = BatchReader(rows: plan.rows, columns: plan.header.count, mapping: plan.mapping, firstLine: job.nextLine, size: batchSize)
            var batch = try await reader.next()
            try await target.prefetch(batch.compactMap(\.values), by: actor, reading: reading)
            onFile = try await keyMatches(batch, plan: plan, by: actor)
            // The next batch is read, its look-ups (and the cancel flag) asked for while
            // this batch is checked — in a task of its own, on the side reader — so the
            // checking waits neither for the file nor for the database.
            ahead = lookAhead(reader, plan: plan, jobID: job.id, dryRun: dryRun, by: actor, reading: reading)
            while !batch.isEmpty {
                for (index, (row, values)) in batch.enumerated() {
                    try await process(row, values)
                    // Checking rows never waits on anything, so it would keep its event
                    // loop to itself; stepping aside now and then lets the writer go on.
                    if index % 64 == 63 { await Task.yield() }
                }
                let next = try await ahead!.value
                ahead = nil
                problems += try await writer.flush(&job, wait: next.cancelled)
                try await progress(job)
                if next.cancelled {
                    job.status = .cancelled
                    try await services.database.db.transaction { [job] tx in try await store.saveProgress(job, rejects: [], on: tx) }
                    return problems
                }
                (batch, onFile) = (next.batch, next.onFile)
                if !batch.isEmpty { ahead = lookAhead(next.reader, plan: plan, jobID: job.id, dryRun: dryRun, by: actor, reading: reading) }
            }
            problems += try await writer.flush(&job, wait: true)
        } catch {
            // A failed run leaves no write behind it: the caller marks the job failed next.
            await writer.abandon()
            _ = try? await ahead?.value
            throw error
        }
        job.status = .done
        if !dryRun {
            let finished = job
            try await services.database.db.transaction { tx in
                try await store.saveProgress(finished, rejects: [], on: tx)
                try await services.audit.record(on: tx, actor: actor, action: .import, kind: target.kind, id: finished.id.uuidString, label: finished.fileName, changes: [
                    FieldChange(field: "created", old: nil, new: String(finished.created)), FieldChange(field: "updated", old: nil, new: String(finished.updated)),
                    FieldChange(field: "skipped", old: nil, new: String(finished.skipped)), FieldChange(field: "rejected", old: nil, new: String(finished.rejected)),
                ])
                // Whoever started it hears it is done (a big file runs for minutes).
                if let starter = finished.createdBy {
                    try await services.notifications.add(.init(user: starter, event: .importFinished, title: finished.fileName,
                                                               arguments: ["created": String(finished.created), "updated": String(finished.updated),
                                                                           "skipped": String(finished.skipped), "rejected": String(finished.rejected)],
                                                               link: "/imports/\(finished.id.uuidString)"), on: tx)
                }
            }
        }
        try await progress(job)
        return problems
    }

    /// A file's rows a batch at a time, each with its values by field (nil: a ragged row).
    package struct BatchReader: Sendable {
        package var rows: ImportRows
        package let columns: Int
        package let mapping: ImportMapping
        /// Rows before it were imported by an earlier run of the job.
        package let firstLine: Int
        package let size: Int

        package mutating func next() async throws -> [(row: CSVReader.Row, values: [String: String]?)] {
            var batch: [(row: CSVReader.Row, values: [String: String]?)] = []
            batch.reserveCapacity(size)
            while batch.count < size, let row = try await rows.next() {
                guard row.line >= firstLine else { continue }
                batch.append((row, row.fields.count == columns ? mapping.values(row.fields) : nil))
            }
            return batch
        }
    }

    /// The batch after the one being checked: read, looked up, and whether the import was
    /// asked to stop meanwhile. `reader` goes on after it.
    package struct Ahead: Sendable {
        package let reader: BatchReader
        package let batch: [(row: CSVReader.Row, values: [String: String]?)]
        /// What the batch's key values find on file (`keyMatches`).
        package let onFile: [String: [UUID]]
        package let cancelled: Bool
    }

    /// The records on file that the batch's key values find, among those the importer may
    /// read, by normalised value — one look-up for the batch instead of one per row. A
    /// record the run itself created or updated is found through its own memory instead.
    private func keyMatches(_ batch: [(row: CSVReader.Row, values: [String: String]?)], plan: ImportPlan, by actor: Principal) async throws -> [String: [UUID]] {
        guard let key = plan.key else { return [:] }
        let values = batch.compactMap { $0.values.flatMap { ImportRowCheck.keyValue($0, keyField: plan.keyField) } }
        return try await target.existingAll(key, values, snapshot: keySnapshot, by: actor, services: services)
    }

    /// Reads the next batch of `reader` and looks up what it refers to, in a task of its own.
    private func lookAhead(_ reader: BatchReader, plan: ImportPlan, jobID: UUID, dryRun: Bool, by actor: Principal, reading: any SQLDatabase) -> Task<Ahead, any Error> {
        let (target, store, runner) = (target, store, self)
        // Neither on the computing loop, where the checking runs, nor on the database's,
        // where the writer's transaction steps from statement to statement: reading a
        // batch of the file is milliseconds of work that would hold either up.
        return Task(executorPreference: globalConcurrentExecutor) {
            var reader = reader
            let batch = try await reader.next()
            try await target.prefetch(batch.compactMap(\.values), by: actor, reading: reading)
            let onFile = try await runner.keyMatches(batch, plan: plan, by: actor)
            return Ahead(reader: reader, batch: batch, onFile: onFile, cancelled: dryRun ? false : try await store.cancelRequested(jobID, reading: reading))
        }
    }
}
