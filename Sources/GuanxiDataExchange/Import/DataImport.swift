import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// Imports from the web, the API and `guanxi import`, all through one pipeline: the file
/// is checked and kept with a job; the job runs (in the background, or in the shell with
/// a progress bar), can be cancelled, resumed after a crash, and reverted.
public struct DataImport: Sendable {
    package let services: CustomerFileServices
    public init(services: CustomerFileServices) { self.services = services }

    /// The background job kind that runs imports started from the web or the API.
    package static let jobKind = "import"
    package var store: ImportJobStore { ImportJobStore(services: services) }

    /// What a dry run found: counts as a real run would have them, and every problem.
    public struct Report: Sendable {
        public var job: ImportJob
        public var problems: [ImportProblem]
        /// The problems as the rejects download lists them.
        public var rejectsCSV: String
    }

    /// The rows an import left out, as a file to correct and import again: the file's own
    /// header and each row as it was, then three columns saying where and why (which an
    /// import of the corrected file ignores, as it ignores any column it does not know).
    package func rejectsDocument(_ problems: [ImportProblem], header: [String], locale: String) -> String {
        Self.rejectsDocument(problems, header: header, locale: locale, localizer: services.localizer)
    }

    package static func rejectsDocument(_ problems: [ImportProblem], header: [String], locale: String, localizer: Localizer) -> String {
        let width = max(header.count, problems.map(\.fields.count).max() ?? 0)
        let padded = header + (header.count..<width).map { "\(localizer.text("imports.rejects_extra", locale)) \($0 + 1)" }
        let notes = ["line", "column", "reason"].map { localizer.text("imports.rejects_\($0)", locale) }
        return CSVText.document(header: padded + notes, rows: problems.map { problem in
            problem.fields + Array(repeating: "", count: width - problem.fields.count) + [String(problem.line), problem.column, problem.reason]
        })
    }

    /// The mapping of a file's header and its first rows as they would be stored.
    public struct Preview: Sendable {
        public let header: [String]
        /// Per column: the field it fills ("" when none).
        public let fields: [String]
        public let unmapped: [String]
        /// Field key → value, for the first rows.
        public let rows: [[String: String]]
        public let totalRows: Int
    }

    /// The kinds a file can be imported into, in the registry's order.
    package static func importable(_ records: RecordKinds) -> [RecordKind] { records.kinds { $0.importTarget != nil } }

    /// How a file becomes records of `kind`; an error naming the importable kinds when it cannot.
    package func target(_ kind: RecordKind, settings: ImportSettings = ImportSettings()) throws -> any ImportTarget {
        try services.records.named(kind.rawValue, field: "kind") { $0.importTarget != nil }.importTarget!(settings)
    }

    /// Checks the permission, the file (size, encoding, quoting, header, key) and stores
    /// it with a new job. With `queue` the server's background worker runs it.
    public func start(_ kind: RecordKind, fileName: String, data: Data, settings: ImportSettings, queue: Bool, by actor: Principal) async throws -> ImportJob {
        try await create(kind, fileName: fileName, data: data, settings: settings, status: .queued, queue: queue, by: actor)
    }

    /// Starts an import of a local file (`guanxi import`), read a piece at a time into the
    /// job's store and checked from there, so a file of a million rows is never held whole
    /// (one in GB18030 is, once: converting it needs all of it). A file the checks refuse
    /// leaves no job behind.
    public func start(_ kind: RecordKind, file url: URL, settings: ImportSettings, queue: Bool, by actor: Principal) async throws -> ImportJob {
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: kind))
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, let handle = try? FileHandle(forReadingFrom: url) else {
            throw GuanxiError.invalid("file", "Cannot read \(url.path).")
        }
        defer { try? handle.close() }
        try checkSize(bytes: size)
        let settings = try checked(settings)
        let target = try target(kind, settings: settings)
        let now = services.clock.now()
        var job = ImportJob(id: UUID(), kind: kind, fileName: String(url.lastPathComponent.suffix(200)), settings: settings, status: .draft, totalRows: 0,
                            nextLine: 1, created: 0, updated: 0, skipped: 0, rejected: 0, error: nil, cancelRequested: false,
                            createdBy: actor.channel == .console ? nil : actor.userID, createdAt: now, updatedAt: now)
        try await store.insert(job, content: FilePieces(handle))
        do {
            job.totalRows = try await count(target, file: try await ImportFile.stored(job.id, in: store), settings: settings)
        } catch {
            try? await store.remove(job.id)
            throw error
        }
        job.status = .queued
        try await store.setTotal(job.id, rows: job.totalRows, status: job.status)
        if queue { try await enqueue(job.id, by: actor) }
        return job
    }

    /// Keeps an uploaded file with a draft job, to be mapped, previewed, tried and started from its page.
    public func draft(_ kind: RecordKind, fileName: String, data: Data, settings: ImportSettings, by actor: Principal) async throws -> ImportJob {
        try await create(kind, fileName: fileName, data: data, settings: settings, status: .draft, queue: false, by: actor)
    }

    private func create(_ kind: RecordKind, fileName: String, data: Data, settings: ImportSettings, status: ImportJob.Status, queue: Bool,
                        by actor: Principal) async throws -> ImportJob {
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: kind))
        try checkSize(data)
        let settings = try checked(settings)
        let total = try await count(try target(kind), file: try ImportFile(data), settings: settings)
        let now = services.clock.now()
        let job = ImportJob(id: UUID(), kind: kind, fileName: String(fileName.suffix(200)), settings: settings, status: status, totalRows: total, nextLine: 1,
                            created: 0, updated: 0, skipped: 0, rejected: 0, error: nil, cancelRequested: false,
                            createdBy: actor.channel == .console ? nil : actor.userID, createdAt: now, updatedAt: now)
        try await store.insert(job, content: FilePieces(data))
        if queue { try await enqueue(job.id, by: actor) }
        return job
    }

    private func enqueue(_ id: UUID, by actor: Principal) async throws {
        try await services.jobs.enqueue(kind: Self.jobKind, payload: String(decoding: try JSONEncoder().encode(Payload(job: id, user: actor.userID)), as: UTF8.self), maxAttempts: 5)
    }

    /// Changes a draft's settings (its mapping, mode, key …); they are checked against its file.
    public func update(draft id: UUID, settings: ImportSettings, by actor: Principal) async throws -> ImportJob {
        var job = try await draft(id, by: actor)
        job.settings = try checked(settings)
        _ = try await count(try target(job.kind, settings: job.settings), file: try await ImportFile.stored(id, in: store), settings: job.settings)
        try await services.database.sql.update("import_jobs").set("settings", to: try ImportJobStore.encode(job.settings)).set("updated_at", to: services.clock.now())
            .where("id", .equal, id).run()
        return job
    }

    /// Starts a draft: the background worker runs it.
    public func queue(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        _ = try await draft(id, by: actor)
        try await store.setStatus(id, .queued)
        try await enqueue(id, by: actor)
        return try await store.find(id)
    }

    /// The preview and the dry run of a draft's file.
    public func preview(draft id: UUID, rows: Int = 5, by actor: Principal) async throws -> Preview {
        let job = try await find(id, by: actor)
        return try await preview(job.kind, data: Data(try await store.content(id)), settings: job.settings, rows: rows, by: actor)
    }

    public func dryRun(draft id: UUID, by actor: Principal) async throws -> Report {
        let job = try await draft(id, by: actor)
        return try await dryRun(job.kind, data: Data(try await store.content(id)), settings: job.settings, by: actor)
    }

    private func draft(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        let job = try await find(id, by: actor)
        guard job.status == .draft else {
            throw GuanxiError(.conflict, "This import has started; its settings are fixed.", code: "import_started").localized("msg.import_started", [:])
        }
        return job
    }

    package struct Payload: Codable { package let job: UUID; package let user: UUID }

    /// The background worker's side: runs the job as the user who started it, with their
    /// permissions as they are now. A job already finished, cancelled or reverted is left alone.
    package func runQueued(_ payload: String) async throws {
        let p = try JSONDecoder().decode(Payload.self, from: Data(payload.utf8))
        let job = try await store.find(p.job)
        guard job.status == .queued || job.status == .running || job.status == .failed else { return }
        guard let actor = try await services.principals.load(userID: p.user, channel: .session, address: "import") else {
            try await store.setStatus(p.job, .failed, error: "The user who started the import is disabled.")
            return
        }
        _ = try await run(p.job, by: actor, serving: true)
    }

    /// Runs or resumes a job in this process. Refused while another process runs it.
    ///
    /// `serving`: this process answers requests meanwhile (the background worker of
    /// `guanxi serve`). A large import then sets aside only the search index, whose catch-up
    /// goes in short steps: building an index again is one statement that holds SQLite's
    /// writer — and every request — for seconds on a million records. The command line
    /// sets aside all its kind's scattered indexes and catches up in one go.
    public func run(_ id: UUID, by actor: Principal, serving: Bool = false,
                    progress: @escaping @Sendable (ImportJob) async throws -> Void = { _ in }) async throws -> ImportJob {
        var job = try await find(id, by: actor)
        guard job.canResume else {
            throw GuanxiError(.conflict, "This import is \(job.status.rawValue); it cannot run again.", code: "import_finished").localized("msg.import_not_resumable", ["status": job.status.rawValue])
        }
        guard try await store.claim(id) else {
            throw GuanxiError(.conflict, "This import is running in another process.", code: "import_running").localized("msg.import_running", [:])
        }
        job.status = .running
        let indexes = serving ? SetAsideIndexes(serving: services.database, clock: services.clock) : SetAsideIndexes(alone: services.database, clock: services.clock)
        do {
            try await indexes.rebuildAbandoned()
            let target = try target(job.kind, settings: job.settings)
            let toGo = job.totalRows - job.rowsDone
            // The stored file is decoded once; its raw copy is let go before the rows are read.
            let file = try await ImportFile.stored(id, in: store)
            var snapshot: ImportKeySnapshot?
            if services.config.importSetAsideRows > 0, toGo >= services.config.importSetAsideRows {
                // Every row looks up the key in effect, chosen or not. Alone (the command
                // line), the import reads the key's values once (`ImportKeySnapshot`) and, on
                // SQLite, sets its index aside with the others; in the server the key's index
                // answers each batch. On PostgreSQL those look-ups were a fifth of a million
                // contacts' import: a switchboard number shared by a company's contacts
                // matched every one of them saved so far, batch after batch.
                var reading = job.settings
                reading.key = try await ImportPlan.make(file, target: target, settings: job.settings, custom: try await services.customValues.fields(of: target.kind)).key
                if !serving, let key = reading.key, let taken = try await target.keySnapshot(key, on: services.database.sql) {
                    (snapshot, reading.key) = (taken, nil)
                }
                let scattered = target.scatteredIndexes(reading)
                try await indexes.setAside(serving ? scattered.filter { SQLiteSearchIndex.table(ofInsertTrigger: $0) != nil } : scattered, for: id)
            }
            _ = try await runOpened(target, job: &job, file: file, dryRun: false, keySnapshot: snapshot, by: actor, progress: progress)
            // Rows are all in: a server stopping while the indexes are built leaves the rest
            // of them to the hourly upkeep (`rebuildAbandoned`) rather than failing the import.
            do { try await indexes.rebuild(for: id) } catch is CancellationError { return job }
            if services.config.importSetAsideRows > 0, toGo >= services.config.importSetAsideRows { try await refreshStatistics() }
        } catch {
            let message = (error as? GuanxiError).map { services.localizer.message(for: $0, actor.locale) } ?? "\(error)"
            try? await store.setStatus(id, .failed, error: message)
            try? await indexes.rebuild(for: id)
            throw error
        }
        return job
    }

    /// After a large import, PostgreSQL's planner still believes the tables as they were
    /// until its autovacuum gets round to them (a minute or more): meanwhile a list or an
    /// export of the new records may take a slow plan (200,000 contacts exported in 13 s
    /// instead of 5 s). `ANALYZE` brings the statistics up to date at once; it reads a
    /// sample of each table, so it takes a second or two however large they are. SQLite
    /// keeps no statistics unless asked, and its plans do not change with a table's size.
    private func refreshStatistics() async throws {
        guard services.database.engine == .postgres else { return }
        try await services.database.sql.raw("ANALYZE").run()
    }

    private func runOpened<T: ImportTarget>(_ target: T, job: inout ImportJob, file: ImportFile, dryRun: Bool, keySnapshot: ImportKeySnapshot? = nil, by actor: Principal,
                                             progress: @escaping @Sendable (ImportJob) async throws -> Void) async throws -> [ImportProblem] {
        try await ImportRunner(services: services, target: target, keySnapshot: keySnapshot).run(&job, file: file, dryRun: dryRun, by: actor, progress: progress)
    }

    /// Checks every row as the import would and reports, writing nothing.
    public func dryRun(_ kind: RecordKind, data: Data, settings: ImportSettings, by actor: Principal) async throws -> Report {
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: kind))
        try checkSize(data)
        let now = services.clock.now()
        var job = ImportJob(id: UUID(), kind: kind, fileName: "", settings: try checked(settings), status: .running, totalRows: 0, nextLine: 1, created: 0, updated: 0,
                            skipped: 0, rejected: 0, error: nil, cancelRequested: false, createdBy: actor.userID, createdAt: now, updatedAt: now)
        let file = try ImportFile(data)
        let problems = try await runOpened(try target(kind, settings: job.settings), job: &job, file: file, dryRun: true, by: actor, progress: { _ in })
        job.totalRows = job.rowsDone
        return Report(job: job, problems: problems, rejectsCSV: rejectsDocument(problems, header: try await file.header(), locale: actor.locale))
    }

    public func preview(_ kind: RecordKind, data: Data, settings: ImportSettings, rows: Int = 5, by actor: Principal) async throws -> Preview {
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: kind))
        try checkSize(data)
        return try await previewOpened(try target(kind), data: data, settings: try checked(settings), rows: rows)
    }

    private func previewOpened<T: ImportTarget>(_ target: T, data: Data, settings: ImportSettings, rows count: Int) async throws -> Preview {
        var plan = try await ImportRunner(services: services, target: target).plan(try ImportFile(data), settings: settings)
        var first: [[String: String]] = []
        var total = 0
        while let row = try await plan.rows.next() {
            total += 1
            if first.count < count { first.append(plan.mapping.values(row.fields)) }
        }
        return Preview(header: plan.header, fields: plan.header.indices.map { plan.mapping.columns[$0] ?? "" }, unmapped: plan.mapping.unmapped, rows: first, totalRows: total)
    }

    private func count(_ target: some ImportTarget, file: ImportFile, settings: ImportSettings) async throws -> Int {
        var plan = try await ImportRunner(services: services, target: target).plan(file, settings: settings)
        var total = 0
        while try await plan.rows.next() != nil { total += 1 }
        return total
    }

    /// Hands a cancelled or failed import back to the background worker to continue.
    public func resumeLater(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        let job = try await find(id, by: actor)
        guard job.status == .cancelled || job.status == .failed else {
            throw GuanxiError(.conflict, "This import is \(job.status.rawValue); it cannot run again.", code: "import_finished").localized("msg.import_not_resumable", ["status": job.status.rawValue])
        }
        try await store.setStatus(id, .queued)
        try await enqueue(id, by: actor)
        return try await store.find(id)
    }

    /// The hourly upkeep of imports (see `ImportJobStore.purge`).
    public func purgeOld() async throws { try await store.purge() }

    /// Asks a running import to stop after its current batch.
    public func cancel(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        let job = try await find(id, by: actor)
        if job.status == .queued { try await store.setStatus(id, .cancelled) } else { try await store.requestCancel(id) }
        return try await store.find(id)
    }

    /// The job, for its creator, administrators and whoever may import that kind of record with a scope over all.
    public func find(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        let job = try await store.find(id)
        guard job.createdBy == actor.userID || actor.isAdmin || actor.channel == .console || actor.scope(for: .import, on: services.records.permissionKind(of: job.kind)) == .all else {
            throw GuanxiError.notFound("Import")
        }
        return job
    }

    /// The imports the actor may follow, latest first.
    public func recent(by actor: Principal) async throws -> [ImportJob] {
        let everyone = actor.isAdmin || actor.channel == .console
        return try await store.recent(createdBy: everyone ? nil : actor.userID)
    }

    /// The rows the job did not import, as they were, each with its line, column and reason.
    public func rejectsCSV(_ id: UUID, by actor: Principal) async throws -> String {
        _ = try await find(id, by: actor)
        // The file is kept for the revert window; after it, the rejects keep their rows without names.
        let header = (try? await ImportFile.stored(id, in: store).header()) ?? []
        return rejectsDocument(try await store.rejects(of: id), header: header, locale: actor.locale)
    }

    package func checkSize(_ data: Data) throws { try checkSize(bytes: data.count) }

    package func checkSize(bytes: Int) throws {
        let largest = services.config.maxImportBytes
        guard bytes > 0 else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
        guard bytes <= largest else {
            throw GuanxiError(.payloadTooLarge, "The file is larger than \(largest / 1_048_576) MB.", field: "file")
                .localized("msg.file_too_large", ["max": String(largest / 1_048_576)])
        }
    }

    package func checked(_ settings: ImportSettings) throws -> ImportSettings {
        var settings = settings
        settings.tag = try settings.tag.flatMap { try Validate.text($0, field: "tag", required: false, max: 30) }
        settings.source = try settings.source.flatMap { try Validate.text($0, field: "source", required: false, max: 100) }
        settings.key = settings.key.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        return settings
    }
}
