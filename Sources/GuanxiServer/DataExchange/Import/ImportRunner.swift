import FluentKit
import Foundation
import NIOPosix
import SQLKit
import GuanxiPlatform

/// An import file decoded once: CSV as UTF-8 bytes (read row by row later, so the file
/// is held once, not as text and rows besides), a vCard file's cards, or a job's stored
/// UTF-8 CSV file, read a piece at a time so a large import never holds its whole file.
struct ImportFile: Sendable {
    enum Content: Sendable { case csv([UInt8]), cards([CSVReader.Row], header: [String]), stored(UUID, ImportJobStore) }
    let content: Content

    init(_ data: Data) throws { try self.init(bytes: [UInt8](data)) }

    init(bytes: [UInt8]) throws {
        if VCard.looksLikeVCard(Data(bytes.prefix(64))) {
            let (text, _) = try TextDecoding.decode(Data(bytes))
            let cards = ContactVCard.rows(try VCard.cards(text), locale: "zh-Hans")
            guard !cards.rows.isEmpty else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
            content = .cards(cards.rows, header: cards.header)
        } else {
            content = .csv(try TextDecoding.utf8Bytes(bytes).bytes)
        }
    }

    private init(content: Content) { self.content = content }

    /// A job's file as kept in the database. A UTF-8 CSV file is read from there a piece at
    /// a time; a vCard or GB18030 file is read whole (converting GB18030 needs all of it).
    static func stored(_ job: UUID, in store: ImportJobStore) async throws -> ImportFile {
        guard let first = try await store.piece(of: job, at: 0) else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
        if !VCard.looksLikeVCard(Data(first.prefix(64))), try await store.isUTF8(job) { return ImportFile(content: .stored(job, store)) }
        return try ImportFile(bytes: try await store.content(job))
    }
}

/// The rows of an import file: CSV read as it goes, or the cards of a vCard file.
struct ImportRows: Sendable {
    private var csv: CSVReader.Rows?
    private var cards: IndexingIterator<[CSVReader.Row]>?
    private var stored: StoredRows?
    init(csv: CSVReader.Rows) { self.csv = csv }
    init(cards: [CSVReader.Row]) { self.cards = cards.makeIterator() }
    init(stored: StoredRows) { self.stored = stored }

    mutating func next() async throws -> CSVReader.Row? {
        if csv != nil { return try csv!.next() }
        if stored != nil { return try await stored!.next() }
        return cards?.next()
    }
}

/// The rows of a job's stored CSV file: a window of the file, refilled with the next
/// piece whenever a row runs past its end.
struct StoredRows: Sendable {
    let job: UUID
    let store: ImportJobStore
    private var rows: CSVReader.Rows
    private var nextPiece = 1

    /// Opens the file on its first piece (without a byte order mark).
    init(job: UUID, store: ImportJobStore) async throws {
        var first = try await store.piece(of: job, at: 0) ?? []
        if first.starts(with: [0xEF, 0xBB, 0xBF]) { first.removeFirst(3) }
        (self.job, self.store) = (job, store)
        let separator = CSVReader(detectingIn: first.prefix(65_536)).separator
        // Whether more pieces follow is learnt when a row runs past this one.
        rows = CSVReader.Rows(bytes: first[...], separator: separator, isEnd: false)
    }

    mutating func next() async throws -> CSVReader.Row? {
        while true {
            do {
                return try rows.next()
            } catch is CSVReader.NeedsMore {
                let piece = try await store.piece(of: job, at: nextPiece)
                nextPiece += 1
                rows = CSVReader.Rows(bytes: ArraySlice(rows.rest + (piece ?? [])), separator: rows.separator, line: rows.line, isEnd: piece == nil)
            }
        }
    }
}

/// What a row of an import does.
enum ImportAction { case create, update(UUID, merge: Bool) }

/// Runs an import over its file, row by row, from the job's `nextLine` on.
///
/// Each row is checked as if typed into the kind's form (the service's own validation and
/// permission check); a row with a problem is rejected with its line, column and reason
/// and never stops the others. New records are saved in batches of
/// `GUANXI_IMPORT_BATCH_ROWS` (2,000), each batch in one transaction with the job's
/// progress and the rows rejected meanwhile, so after a crash every row is either fully in
/// or not in, and the job resumes where its last transaction ended. An update saves its
/// record, the fields as they were (for revert) and the progress in one transaction too.
/// A dry run checks everything — updates run and are rolled back — and writes nothing.
struct ImportRunner<Target: ImportTarget>: Sendable {
    let services: AppServices
    let target: Target
    var store: ImportJobStore { ImportJobStore(services: services) }
    var batchSize: Int { services.config.importBatchRows }

    /// Thrown inside a dry run's update transaction to roll it back once it has passed.
    struct DryRunRollback: Error {}

    private struct Pending: Sendable { let prepared: Target.Prepared; let id: UUID; let line: Int; let fields: [String] }

    /// The file's rows after the header, and the header's mapping. Errors concern the
    /// file as a whole: its encoding, quoting, header and the key. A vCard file (contacts
    /// only) reads as one row per card.
    func open(_ file: ImportFile, settings: ImportSettings) async throws -> (rows: ImportRows, header: [String], mapping: ImportMapping) {
        var rows: ImportRows
        let header: CSVReader.Row
        switch file.content {
        case .cards(let cards, let fields):
            guard target.readsCards else {
                throw GuanxiError.invalid("file", "A vCard file holds contacts; import it as contacts.").localized("msg.vcard_contacts_only", [:])
            }
            (rows, header) = (ImportRows(cards: cards), CSVReader.Row(line: 0, fields: fields))
        case .csv(let bytes):
            rows = ImportRows(csv: CSVReader.Rows(bytes: bytes[...], separator: CSVReader(detectingIn: bytes.prefix(65_536)).separator))
            header = try await Self.header(&rows)
        case .stored(let job, let store):
            rows = ImportRows(stored: try await StoredRows(job: job, store: store))
            header = try await Self.header(&rows)
        }
        let custom = try await services.customValues.fields(of: target.kind)
        // Only a file that creates every row must fill every required field; an update or
        // upsert file may carry just the key and what changes.
        let mapping = try ImportMapping.make(header: header.fields, fields: target.fields, custom: custom, explicit: settings.mapping,
                                             requireAll: settings.mode == .create)
        if let key = settings.key {
            let known = target.keys + custom.map { "cf.\($0.key)" }
            guard known.contains(key) else {
                throw GuanxiError.invalid("key", "\(key) cannot find records of this kind; use one of: \(known.joined(separator: ", ")).")
                    .localized("msg.import_key_unknown", ["field": key, "choices": known.joined(separator: ", ")])
            }
            guard mapping.columns.values.contains(target.field(forKey: key)) else {
                throw GuanxiError.invalid("key", "No column of the file fills \(key), the key.").localized("msg.import_key_not_mapped", ["field": key])
            }
        } else if settings.mode != .create {
            throw GuanxiError.invalid("key", "Updating needs a key: the field that finds each row's record.").localized("msg.import_key_needed", [:])
        }
        return (rows, header.fields, mapping)
    }

    private static func header(_ rows: inout ImportRows) async throws -> CSVReader.Row {
        guard let first = try await rows.next() else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
        return first
    }

    /// Runs (or resumes) `job`. Returns the problems met; for a real run they are also
    /// stored with the job. `progress` hears after every batch.
    ///
    /// Four things overlap: while the database writes one batch (on its own thread, the
    /// transaction stepped on the database's event loop), the writer makes the next batch's
    /// statements (on a thread of the pool) and this task checks the batch after that (on
    /// another loop, see `EventLoopExecutor`). Meanwhile a fourth task reads the
    /// batch after that from the file and looks up what it refers to (`prefetch`) on a
    /// side reader, which on SQLite reads beside the writer's transactions rather than
    /// between them (`DatabaseService.withSideReader`), so checking rarely waits for the
    /// file or the database.
    func run(_ job: inout ImportJob, file: ImportFile, dryRun: Bool, by actor: Principal,
             progress: @Sendable (ImportJob) async throws -> Void = { _ in }) async throws -> [ImportProblem] {
        try await withTaskExecutorPreference(services.database.computingExecutor) {
            try await services.database.withSideReader { reader in
                try await runHere(&job, file: file, dryRun: dryRun, by: actor, reading: reader, progress: progress)
            }
        }
    }

    private func runHere(_ job: inout ImportJob, file: ImportFile, dryRun: Bool, by actor: Principal, reading: any SQLDatabase,
                         progress: @Sendable (ImportJob) async throws -> Void) async throws -> [ImportProblem] {
        let (rows, header, mapping) = try await open(file, settings: job.settings)
        let settings = job.settings
        let keyField = settings.key.map(target.field(forKey:))
        let keyHeader = keyField.flatMap { k in mapping.columns.first { $0.value == k }.map { header[$0.key] } } ?? ""
        let firstLine = job.nextLine
        var seen: [String: (line: Int, id: UUID?)] = [:]
        var pending: [Pending] = []
        var pendingRejects: [ImportProblem] = []
        var problems: [ImportProblem] = []
        // Batches handed to the writer, oldest first: at most one being written and one
        // being made ready. `failedSoFar` counts the rows the database refused, up to and
        // including a batch; `counted` is how many of them `job` already reflects.
        var writing: [Task<WriteOutcome, any Error>] = []
        var counted = 0

        func problem(_ row: CSVReader.Row, _ column: String, _ reason: String) -> ImportProblem {
            ImportProblem(line: row.line, column: column, reason: reason, fields: row.fields)
        }
        func reject(_ p: ImportProblem, skipped: Bool = false) {
            if skipped { job.skipped += 1 } else { job.rejected += 1 }
            pendingRejects.append(p)
            problems.append(p)
        }
        func says(_ key: String, _ english: String, _ arguments: [String: String]) -> String {
            services.localizer.known(key, actor.locale) != nil ? services.localizer.text(key, actor.locale, arguments) : english
        }
        /// Waits until at most `left` batches are still with the writer; rows the database
        /// refused count as rejected.
        func awaitWriter(leaving left: Int) async throws {
            while writing.count > left {
                let outcome = try await writing.removeFirst().value
                (job.created, job.rejected) = (job.created - (outcome.failedSoFar - counted), job.rejected + (outcome.failedSoFar - counted))
                counted = outcome.failedSoFar
                problems += outcome.failed
            }
        }
        /// Hands what is pending to the writer; `wait` waits until everything is written
        /// (before an update, and at the end).
        func flush(wait: Bool) async throws {
            try await awaitWriter(leaving: 1)
            defer { (pending, pendingRejects) = ([], []) }
            if !dryRun, !(pending.isEmpty && pendingRejects.isEmpty) {
                let (batch, rejects, snapshot, earlier, alreadyCounted) = (pending, pendingRejects, job, writing.last, counted)
                writing.append(Task(executorPreference: services.database.writingExecutor) {
                    try await write(batch, rejects: rejects, job: snapshot, counting: alreadyCounted, after: earlier, by: actor)
                })
            }
            if wait { try await awaitWriter(leaving: 0) }
        }
        func process(_ row: CSVReader.Row, _ mapped: [String: String]?) async throws {
            defer { job.nextLine = row.line + 1 }
            guard var values = mapped else {
                reject(problem(row, "", says("msg.import_ragged", "The row has \(row.fields.count) fields where the header has \(header.count).",
                                             ["count": String(row.fields.count), "expected": String(header.count)])))
                return
            }
            let keyValue = keyField.flatMap { values[$0] }.flatMap { ImportValues.list($0).first }.map(Self.unlabelled)
            var matches: [UUID] = []
            var earlierLine: Int?
            if let key = settings.key, let keyValue {
                let normal = target.normalised(key, keyValue)
                if let earlier = seen[normal] { earlierLine = earlier.line; matches = earlier.id.map { [$0] } ?? [] }
                if matches.isEmpty { matches = try await target.existing(key, keyValue, by: actor, services: services) }
            } else if settings.mode != .create {
                reject(problem(row, keyHeader, says("msg.import_key_blank", "\(keyHeader) is empty; the import finds records by it.", ["field": keyHeader])))
                return
            }
            var action = ImportAction.create
            switch (settings.mode, matches.count) {
            case (_, 2...):
                reject(problem(row, keyHeader, says("msg.import_ambiguous", "\(matches.count) records have \(keyHeader) \(keyValue ?? ""); the import cannot tell which to update.",
                                                    ["count": String(matches.count), "field": keyHeader, "value": keyValue ?? ""])))
                return
            case (.create, 1):
                switch settings.duplicates {
                case .create: action = .create
                case .merge: action = .update(matches[0], merge: true)
                case .skip:
                    let reason = earlierLine.map { says("msg.import_duplicate_row", "Same \(keyHeader) as line \($0); skipped.", ["field": keyHeader, "line": String($0)]) }
                        ?? says("msg.import_duplicate_record", "A record with \(keyHeader) \(keyValue ?? "") exists already; skipped.", ["field": keyHeader, "value": keyValue ?? ""])
                    reject(problem(row, keyHeader, reason), skipped: true)
                    return
                }
            case (.update, 0):
                reject(problem(row, keyHeader, says("msg.import_no_match", "No record has \(keyHeader) \(keyValue ?? "").", ["field": keyHeader, "value": keyValue ?? ""])))
                return
            case (.update, _), (.upsert, 1): action = .update(matches[0], merge: false)
            default: action = .create
            }
            let rowContext = ImportRow(jobID: dryRun ? nil : job.id, line: row.line)
            do {
                switch action {
                case .create:
                    let input = try await target.input(values, settings: settings, isNew: true, row: rowContext, by: actor)
                    let (prepared, id) = try await target.prepare(input, by: actor)
                    pending.append(Pending(prepared: prepared, id: id, line: row.line, fields: row.fields))
                    job.created += 1
                    if let key = settings.key, let keyValue { seen[target.normalised(key, keyValue)] = (row.line, id) }
                case .update(let id, let merge):
                    // What came before is saved first, so the job's progress stays in file order.
                    try await flush(wait: true)
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
                            try await ImportJobStore.recordUpdated(job: snapshot.id, kind: target.kind, id: id, line: row.line, before: before, on: tx)
                            try await store.saveProgress(snapshot, rejects: [], on: tx)
                        }
                    } catch is DryRunRollback {}
                    job.updated += 1
                    if let key = settings.key, let keyValue { seen[target.normalised(key, keyValue)] = (row.line, id) }
                }
            } catch let error as GuanxiError where error.kind != .internal {
                reject(problem(row, column(of: error, mapping: mapping, header: header), services.localizer.message(for: error, actor.locale)))
            }
        }

        var ahead: Task<Ahead, any Error>?
        do {
            var reader = BatchReader(rows: rows, columns: header.count, mapping: mapping, firstLine: firstLine, size: batchSize)
            var batch = try await reader.next()
            try await target.prefetch(batch.compactMap(\.values), by: actor, reading: reading)
            // The next batch is read, its look-ups (and the cancel flag) asked for while
            // this batch is checked — in a task of its own, on the side reader — so the
            // checking waits neither for the file nor for the database.
            ahead = lookAhead(reader, jobID: job.id, dryRun: dryRun, by: actor, reading: reading)
            while !batch.isEmpty {
                for (index, (row, values)) in batch.enumerated() {
                    try await process(row, values)
                    // Checking rows never waits on anything, so it would keep its event
                    // loop to itself; stepping aside now and then lets the writer go on.
                    if index % 64 == 63 { await Task.yield() }
                }
                let next = try await ahead!.value
                ahead = nil
                try await flush(wait: next.cancelled)
                try await progress(job)
                if next.cancelled {
                    job.status = .cancelled
                    try await services.database.db.transaction { [job] tx in try await store.saveProgress(job, rejects: [], on: tx) }
                    return problems
                }
                batch = next.batch
                if !batch.isEmpty { ahead = lookAhead(next.reader, jobID: job.id, dryRun: dryRun, by: actor, reading: reading) }
            }
            try await flush(wait: true)
        } catch {
            // A failed run leaves no write behind it: the caller marks the job failed next.
            for batch in writing { _ = try? await batch.value }
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
            }
        }
        try await progress(job)
        return problems
    }

    /// A file's rows a batch at a time, each with its values by field (nil: a ragged row).
    struct BatchReader: Sendable {
        var rows: ImportRows
        let columns: Int
        let mapping: ImportMapping
        /// Rows before it were imported by an earlier run of the job.
        let firstLine: Int
        let size: Int

        mutating func next() async throws -> [(row: CSVReader.Row, values: [String: String]?)] {
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
    struct Ahead: Sendable {
        let reader: BatchReader
        let batch: [(row: CSVReader.Row, values: [String: String]?)]
        let cancelled: Bool
    }

    /// Reads the next batch of `reader` and looks up what it refers to, in a task of its own.
    private func lookAhead(_ reader: BatchReader, jobID: UUID, dryRun: Bool, by actor: Principal, reading: any SQLDatabase) -> Task<Ahead, any Error> {
        let (target, store) = (target, store)
        // Neither on the computing loop, where the checking runs, nor on the database's,
        // where the writer's transaction steps from statement to statement: reading a
        // batch of the file is milliseconds of work that would hold either up.
        return Task(executorPreference: globalConcurrentExecutor) {
            var reader = reader
            let batch = try await reader.next()
            try await target.prefetch(batch.compactMap(\.values), by: actor, reading: reading)
            return Ahead(reader: reader, batch: batch, cancelled: dryRun ? false : try await store.cancelRequested(jobID, reading: reading))
        }
    }

    /// What writing a batch came to: the rows the database refused, and how many it has
    /// refused in this run up to and including this batch.
    struct WriteOutcome: Sendable { let failed: [ImportProblem]; let failedSoFar: Int }

    /// Writes a batch of new records with the job's progress and the rejects met since the
    /// last batch, in one transaction, once the batch before it (`earlier`) is written. The
    /// statements are made first, while `earlier` may still be writing. `snapshot` counts
    /// `counting` refused rows; those refused since are taken off it before it is saved.
    ///
    /// If the database refuses the batch (a record broke a rule the checks could not see —
    /// another user took the same external id meanwhile), the records are saved one by one
    /// and those refused come back as problems.
    private func write(_ batch: [Pending], rejects: [ImportProblem], job snapshot: ImportJob, counting: Int,
                       after earlier: Task<WriteOutcome, any Error>?, by actor: Principal) async throws -> WriteOutcome {
        // Making the statements is tens of milliseconds of plain computing: on a thread of
        // the pool, so neither event loop stalls — the transaction before this one steps
        // from statement to statement on the database's loop meanwhile.
        let (target, engine) = (target, services.database.engine)
        let writes = try await NIOThreadPool.singleton.runIfActive {
            var writes = BulkWrites(engine: engine)
            try target.insertAll(batch.map(\.prepared), by: actor, to: &writes)
            try ImportJobStore.recordCreated(job: snapshot.id, batch.flatMap { p in
                target.alsoCreated(p.prepared).map { ($0.kind, $0.id, p.line) } + [(target.kind, p.id, p.line)]
            }, to: &writes)
            return writes
        }
        let failedBefore = try await earlier?.value.failedSoFar ?? counting
        var progress = snapshot
        (progress.created, progress.rejected) = (progress.created - (failedBefore - counting), progress.rejected + (failedBefore - counting))
        let (ready, saved) = (writes, progress)
        do {
            // The statements are made; running them is the database's work, and the
            // database's own loop is where the transaction's steps follow each other fastest.
            try await withTaskExecutorPreference(services.database.writingExecutor) {
                try await services.database.db.transaction { tx in
                    try await ready.run(on: tx)
                    try await store.saveProgress(saved, rejects: rejects, on: tx)
                }
            }
            return WriteOutcome(failed: [], failedSoFar: failedBefore)
        } catch where !batch.isEmpty && !(error is CancellationError) {
            var failed: [ImportProblem] = []
            for p in batch {
                do {
                    try await services.database.db.transaction { tx in try await save(p, job: snapshot.id, by: actor, on: tx) }
                } catch {
                    failed.append(ImportProblem(line: p.line, column: "", reason: "\(error)", fields: p.fields))
                }
            }
            var fixed = progress
            (fixed.created, fixed.rejected) = (fixed.created - failed.count, fixed.rejected + failed.count)
            let allRejects = rejects + failed
            try await services.database.db.transaction { [fixed] tx in try await store.saveProgress(fixed, rejects: allRejects, on: tx) }
            return WriteOutcome(failed: failed, failedSoFar: failedBefore + failed.count)
        }
    }

    /// Saves a new record, and notes it (with what was created along with it) for revert.
    private func save(_ p: Pending, job: UUID, by actor: Principal, on tx: any Database) async throws {
        try await target.insert(p.prepared, by: actor, on: tx)
        for also in target.alsoCreated(p.prepared) { try await ImportJobStore.recordCreated(job: job, kind: also.kind, id: also.id, line: p.line, on: tx) }
        try await ImportJobStore.recordCreated(job: job, kind: target.kind, id: p.id, line: p.line, on: tx)
    }

    /// "手机: 138 0013 8000" → "138 0013 8000": a key compares values, not their labels.
    static func unlabelled(_ entry: String) -> String {
        guard let colon = entry.firstIndex(where: { $0 == ":" || $0 == "：" }), !entry[..<colon].contains("@"), entry[..<colon].allSatisfy({ !$0.isNumber }) else { return entry }
        return entry[entry.index(after: colon)...].trimmed
    }

    /// The file's header for the field an error names ("emails[0]" → the e-mail column).
    func column(of error: GuanxiError, mapping: ImportMapping, header: [String]) -> String {
        guard var field = error.field else { return "" }
        if let bracket = field.firstIndex(of: "[") { field = String(field[..<bracket]) }
        if field.hasPrefix("customFields.") { field = "cf." + field.dropFirst("customFields.".count) }
        let aliases = ["customerId": "customer", "ownerId": "owner", "externalId": "external_id", "lifecycleStage": "lifecycle_stage", "reportsToId": "reports_to",
                       "stageId": "stage", "pipelineId": "pipeline", "expectedClose": "expected_close", "lossReason": "loss_reason", "startsAt": "starts_at",
                       "endsAt": "ends_at", "dueAt": "due_at", "relatedId": "customer"]
        field = aliases[field] ?? field
        return mapping.columns.first { $0.value == field }.map { header[$0.key] } ?? field
    }
}
