import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// An import as it stands: what it is doing, how far it got and what it did.
public struct ImportJob: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Uploaded from the web and being looked over (mapping, preview, dry run); not started.
        case draft
        /// Waiting for a worker.
        case queued
        case running
        case done
        /// Stopped on request; what was imported stays and can be reverted, or the job resumed.
        case cancelled
        /// Stopped by an error (the file, the database); can be resumed.
        case failed
        /// Being reverted by the background worker (asked on the web page or through the API).
        case reverting
        /// Everything it created is removed again and what it updated restored.
        case reverted
    }
    public var id: UUID
    public var kind: RecordKind
    public var fileName: String
    public var settings: ImportSettings
    public var status: Status
    public var totalRows: Int
    /// The first line of the file not yet done; rows before it are in (or were rejected).
    public var nextLine: Int
    public var created: Int
    public var updated: Int
    public var skipped: Int
    public var rejected: Int
    public var error: String?
    public var cancelRequested: Bool
    public var createdBy: UUID?
    public var createdAt: Date
    public var updatedAt: Date

    /// Rows handled so far, for the progress bar: lines are counted from the header (line 1).
    public var rowsDone: Int { created + updated + skipped + rejected }
    public var canResume: Bool { [.queued, .running, .cancelled, .failed].contains(status) }
    public var canRevert: Bool { ![.reverted, .queued, .draft].contains(status) }
}

/// A row that was not imported: its line, the column at fault ("" for the whole row),
/// the reason, and the row as it was.
public struct ImportProblem: Sendable, Equatable {
    public let line: Int
    public let column: String
    public let reason: String
    public let fields: [String]
}

/// Reads and writes import jobs, the records they touched and the rows they rejected.
package struct ImportJobStore: Sendable {
    package let services: CustomerFileServices
    package var sql: any SQLDatabase { services.database.sql }

    package init(services: CustomerFileServices) { self.services = services }

    package static let columns = ["id", "kind", "file_name", "settings", "status", "total_rows", "next_line", "created_count", "updated_count",
                          "skipped_count", "rejected_count", "error", "cancel_requested", "created_by", "created_at", "updated_at"]

    package static let chunkSize = 1_048_576

    /// Saves a new job with its file in one transaction, the file in pieces of at most
    /// `chunkSize` bytes: a local file is read a piece at a time and never held whole. Each
    /// piece is stored deflated (`Deflate`, migration 0048): a CSV takes about a quarter.
    package func insert(_ job: ImportJob, content: FilePieces) async throws {
        try await services.database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.insert(into: "import_jobs").columns(Self.columns).values([
                SQLBind(job.id), SQLBind(job.kind.rawValue), SQLBind(job.fileName), SQLBind(try Self.encode(job.settings)), SQLBind(job.status.rawValue),
                SQLBind(job.totalRows), SQLBind(job.nextLine), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(job.error), SQLBind(false),
                SQLBind(job.createdBy), SQLBind(job.createdAt), SQLBind(job.updatedAt),
            ]).run()
            var position = 0
            while let piece = try content.next(), !piece.isEmpty {
                try await sql.insert(into: "import_job_chunks").columns("job_id", "position", "data", "deflated")
                    .values(SQLBind(job.id), SQLBind(position), SQLBind(Data(Deflate.compress([UInt8](piece)))), SQLBind(true)).run()
                position += 1
            }
        }
    }

    package func find(_ id: UUID) async throws -> ImportJob {
        guard let row = try await sql.select().columns(Self.columns).from("import_jobs").where("id", .equal, id).first() else {
            throw GuanxiError.notFound("Import")
        }
        return try Self.job(row)
    }

    /// The job's file, its pieces read one at a time into one buffer.
    package func content(_ id: UUID) async throws -> [UInt8] {
        var out: [UInt8] = []
        // Sized once: growing by doubling would hold the file about twice while copying.
        // Every piece but the last is `chunkSize` bytes once inflated.
        let pieces = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "pieces")
            .from("import_job_chunks").where("job_id", .equal, id).first()?.decode(column: "pieces", as: Int.self) ?? 0
        out.reserveCapacity(pieces * Self.chunkSize)
        var position = 0
        while let piece = try await piece(of: id, at: position) {
            out.append(contentsOf: piece)
            position += 1
        }
        return out
    }

    /// One piece of the job's file (1 MB), nil past the last. A piece stored before
    /// migration 0048 is kept as it was read.
    package func piece(of id: UUID, at position: Int) async throws -> [UInt8]? {
        guard let row = try await sql.select().columns("data", "deflated").from("import_job_chunks")
            .where("job_id", .equal, id).where("position", .equal, position).first() else { return nil }
        let stored = [UInt8](try row.decode(column: "data", as: Data.self))
        guard try row.decode(column: "deflated", as: Bool.self) else { return stored }
        guard let piece = Deflate.decompress(stored, limit: Self.chunkSize) else {
            throw GuanxiError(.internal, "Piece \(position + 1) of this import's stored file is damaged and cannot be read; start the import again from the original file.",
                              code: "import_file_damaged").localized("msg.import_file_damaged", ["piece": String(position + 1)])
        }
        return piece
    }

    /// Whether the job's file is UTF-8 (with or without a byte order mark), checked a piece
    /// at a time; a character may straddle two pieces.
    package func isUTF8(_ id: UUID) async throws -> Bool {
        var carried: [UInt8] = []
        var position = 0
        while let piece = try await piece(of: id, at: position) {
            var bytes = carried + piece
            carried = Array(bytes[TextDecoding.completeUTF8Prefix(bytes)...])
            bytes.removeLast(carried.count)
            guard TextDecoding.isUTF8(bytes) else { return false }
            position += 1
        }
        return carried.isEmpty
    }

    package func recent(limit: Int = 50, createdBy: UUID?) async throws -> [ImportJob] {
        var query = sql.select().columns(Self.columns).from("import_jobs").orderBy("created_at", .descending).limit(limit)
        if let createdBy { query = query.where("created_by", .equal, createdBy) }
        return try await query.all().map(Self.job)
    }

    /// Writes how far the job got — with the rows rejected since the last save — in the
    /// caller's transaction, so progress and the records it counts commit together.
    package func saveProgress(_ job: ImportJob, rejects: [ImportProblem], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.update("import_jobs").set("status", to: job.status.rawValue).set("next_line", to: job.nextLine)
            .set("created_count", to: job.created).set("updated_count", to: job.updated).set("skipped_count", to: job.skipped)
            .set("rejected_count", to: job.rejected).set("error", to: job.error).set("updated_at", to: services.clock.now())
            .where("id", .equal, job.id).run()
        try await BulkInsert.run(into: "import_job_rejects", columns: ["job_id", "line", "column_name", "reason", "fields"], rows: try rejects.map { p in
            [BulkValue(job.id), BulkValue(p.line), BulkValue(p.column), BulkValue(p.reason), BulkValue(try Self.encode(p.fields))]
        }, on: db)
    }

    /// Takes the job for this process: only when nobody else is running it (a run whose
    /// last progress is older than `staleAfter` seconds is taken to have died).
    package func claim(_ id: UUID, staleAfter: TimeInterval = 120) async throws -> Bool {
        let now = services.clock.now()
        let rows = try await sql.raw("""
            UPDATE import_jobs SET status = 'running', cancel_requested = \(bind: false), error = NULL, updated_at = \(bind: now)
            WHERE id = \(bind: id) AND (status IN ('queued', 'cancelled', 'failed') OR (status = 'running' AND updated_at < \(bind: now.addingTimeInterval(-staleAfter))))
            RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Hourly upkeep: drafts nobody started within a week are dropped, and the files of
    /// imports done or reverted more than 30 days ago are let go (what they did stays
    /// listed, and they can still be reverted: that needs the records, not the file).
    /// Cancelled and failed imports keep theirs, to be resumed.
    package func purge() async throws {
        let now = services.clock.now()
        try await sql.delete(from: "import_jobs").where("status", .equal, "draft").where("updated_at", .lessThan, now.addingTimeInterval(-7 * 86_400)).run()
        try await sql.delete(from: "import_job_chunks").where(SQLQueryString(
            "job_id IN (SELECT id FROM import_jobs WHERE status IN ('done', 'reverted') AND updated_at < \(bind: now.addingTimeInterval(-30 * 86_400)))")).run()
    }

    /// Drops a job that never started, with its file.
    package func remove(_ id: UUID) async throws {
        try await sql.delete(from: "import_jobs").where("id", .equal, id).run()
    }

    /// Settles a stored job's row count and status once its file has been checked.
    package func setTotal(_ id: UUID, rows: Int, status: ImportJob.Status) async throws {
        try await sql.update("import_jobs").set("total_rows", to: rows).set("status", to: status.rawValue).set("updated_at", to: services.clock.now())
            .where("id", .equal, id).run()
    }

    package func requestCancel(_ id: UUID) async throws {
        try await sql.update("import_jobs").set("cancel_requested", to: true).where("id", .equal, id).run()
    }

    package func cancelRequested(_ id: UUID, reading: any SQLDatabase) async throws -> Bool {
        try await reading.select().column("cancel_requested").from("import_jobs").where("id", .equal, id).first()?.decode(column: "cancel_requested", as: Bool.self) ?? false
    }

    package func setStatus(_ id: UUID, _ status: ImportJob.Status, error: String? = nil) async throws {
        try await sql.update("import_jobs").set("status", to: status.rawValue).set("error", to: error).set("updated_at", to: services.clock.now())
            .where("id", .equal, id).run()
    }

    /// What the ledger (`import_job_records`) notes of a record, stored as a small number
    /// (migration 0055).
    package enum LedgerAction: Int, Sendable {
        case created = 0, updated = 1
        /// Created, and deleted by a revert since.
        case reverted = 2
    }

    /// The ledger's columns. `record_kind` is empty for a record of the import's own kind
    /// (`own` in the writers below), and names the kind of one created along with it (a
    /// contact file's companies); `ledgerRecordKind` reads it back.
    private static let ledgerColumns = ["job_id", "record_kind", "record_id", "line", "action", "before"]

    /// A record's kind as the ledger keeps it: nothing when it is the import's own.
    private static func ledgerKind(_ kind: RecordKind, own: RecordKind) -> String? { kind == own ? nil : kind.rawValue }

    /// The kind of a ledger row `r` of the import `j` (`import_jobs`), in SQL.
    package static let ledgerRecordKind = "coalesce(r.record_kind, j.kind)"

    /// Notes many created records in a batch's writes; `own` is the import's kind.
    package static func recordCreated(job: UUID, own: RecordKind, _ records: [(kind: RecordKind, id: UUID, line: Int)], to writes: inout BulkWrites) throws {
        try writes.insert(into: "import_job_records", columns: ledgerColumns, rows: records.map { r in
            [BulkValue(job), BulkValue(ledgerKind(r.kind, own: own)), BulkValue(r.id), BulkValue(r.line), BulkValue(LedgerAction.created.rawValue), .null]
        })
    }

    package static func recordCreated(job: UUID, own: RecordKind, kind: RecordKind, id: UUID, line: Int, on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: "import_job_records").columns(ledgerColumns)
            .values(SQLBind(job), SQLBind(ledgerKind(kind, own: own)), SQLBind(id), SQLBind(line), SQLBind(LedgerAction.created.rawValue), SQLBind(String?.none)).run()
    }

    /// Notes an update (of a record of the import's own kind) with the fields as they were;
    /// a record the job already touched keeps its first entry.
    package static func recordUpdated(job: UUID, id: UUID, line: Int, before: [String: String], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard try await sql.select().column("line").from("import_job_records").where("job_id", .equal, job).where("record_id", .equal, id).first() == nil else { return }
        try await sql.insert(into: "import_job_records").columns(ledgerColumns)
            .values(SQLBind(job), SQLBind(String?.none), SQLBind(id), SQLBind(line), SQLBind(LedgerAction.updated.rawValue), SQLBind(try encode(before))).run()
    }

    package struct UpdatedRecord: Sendable { package let kind: RecordKind; package let id: UUID; package let line: Int; package let before: [String: String] }

    /// What the job updated and a revert has not undone, latest first (the order a revert
    /// restores it in).
    package func updated(of job: UUID) async throws -> [UpdatedRecord] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.ledgerRecordKind) AS record_kind, r.record_id, r.line, r.before FROM import_job_records r JOIN import_jobs j ON j.id = r.job_id
            WHERE r.job_id = \(bind: job) AND r.action = \(literal: LedgerAction.updated.rawValue) ORDER BY r.line DESC
            """).all().map { row in
                UpdatedRecord(kind: RecordKind(rawValue: try row.decode(column: "record_kind", as: String.self)), id: try row.decode(column: "record_id", as: UUID.self),
                              line: try row.decode(column: "line", as: Int.self),
                              before: try row.decode(column: "before", as: String?.self).map { try JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:])
            }
    }

    /// The kinds of the records the job created and a revert has not undone: `first` (the
    /// import's own kind) first, then those it created along.
    package func createdKinds(of job: UUID, first: RecordKind) async throws -> [RecordKind] {
        let kinds = try await sql.raw("""
            SELECT DISTINCT \(unsafeRaw: Self.ledgerRecordKind) AS record_kind FROM import_job_records r JOIN import_jobs j ON j.id = r.job_id
            WHERE r.job_id = \(bind: job) AND r.action = \(literal: LedgerAction.created.rawValue)
            """).all(decodingColumn: "record_kind", as: String.self).map(RecordKind.init(rawValue:))
        return kinds.filter { $0 == first } + kinds.filter { $0 != first }.sorted { $0.rawValue < $1.rawValue }
    }

    /// A page of the records of `kind` the job created and a revert has not undone, by id
    /// after `after`: the ledger's own key (job, record) finds it, however large the job.
    package func created(of job: UUID, kind: RecordKind, after: UUID?, limit: Int) async throws -> [(id: UUID, line: Int)] {
        let later: SQLQueryString = after.map { "AND r.record_id > \(bind: $0)" } ?? ""
        return try await sql.raw("""
            SELECT r.record_id, r.line FROM import_job_records r JOIN import_jobs j ON j.id = r.job_id
            WHERE r.job_id = \(bind: job) \(later) AND \(unsafeRaw: Self.ledgerRecordKind) = \(bind: kind.rawValue)
            AND r.action = \(literal: LedgerAction.created.rawValue) ORDER BY r.record_id LIMIT \(literal: limit)
            """).all().map { row in
            (try row.decode(column: "record_id", as: UUID.self), try row.decode(column: "line", as: Int.self))
        }
    }

    /// How many of the records the job created a revert has deleted so far.
    package func revertedCount(of job: UUID) async throws -> Int {
        try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("import_job_records").where("job_id", .equal, job)
            .where("action", .equal, LedgerAction.reverted.rawValue).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    /// Notes that a revert still works on the job (a worker that finds it noted in the
    /// last two minutes leaves it alone).
    package func touch(_ job: UUID) async throws {
        try await sql.update("import_jobs").set("updated_at", to: services.clock.now()).where("id", .equal, job).run()
    }

    /// Marks created records the revert deleted: they stay in the ledger, which is what
    /// audits their creation (`ImportLedger`).
    package func markReverted(_ job: UUID, _ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await sql.update("import_job_records").set("action", to: LedgerAction.reverted.rawValue).where("job_id", .equal, job).where("record_id", .in, ids).run()
    }

    /// Drops updated records the revert restored from the ledger.
    package func forget(_ job: UUID, _ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await sql.delete(from: "import_job_records").where("job_id", .equal, job).where("record_id", .in, ids).run()
    }

    package func rejects(of job: UUID) async throws -> [ImportProblem] {
        try await sql.select().columns("line", "column_name", "reason", "fields").from("import_job_rejects").where("job_id", .equal, job).orderBy("line").all().map { row in
            ImportProblem(line: try row.decode(column: "line", as: Int.self), column: try row.decode(column: "column_name", as: String.self),
                          reason: try row.decode(column: "reason", as: String.self),
                          fields: try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "fields", as: String.self).utf8)))
        }
    }

    package static func encode(_ value: some Encodable) throws -> String { String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self) }

    package static func job(_ row: any SQLRow) throws -> ImportJob {
        ImportJob(
            id: try row.decode(column: "id", as: UUID.self), kind: RecordKind(rawValue: try row.decode(column: "kind", as: String.self)),
            fileName: try row.decode(column: "file_name", as: String.self),
            settings: try JSONDecoder().decode(ImportSettings.self, from: Data(try row.decode(column: "settings", as: String.self).utf8)),
            status: ImportJob.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            totalRows: try row.decode(column: "total_rows", as: Int.self), nextLine: try row.decode(column: "next_line", as: Int.self),
            created: try row.decode(column: "created_count", as: Int.self), updated: try row.decode(column: "updated_count", as: Int.self),
            skipped: try row.decode(column: "skipped_count", as: Int.self), rejected: try row.decode(column: "rejected_count", as: Int.self),
            error: try row.decode(column: "error", as: String?.self), cancelRequested: try row.decode(column: "cancel_requested", as: Bool.self),
            createdBy: try row.decode(column: "created_by", as: UUID?.self), createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}

/// A file on its way into a job's store, a piece at a time (`ImportJobStore.insert`).
/// Read by one transaction from start to end, never by two at once.
package final class FilePieces: @unchecked Sendable {
    private var nextPiece: () throws -> Data?

    /// A file already in memory (an upload).
    package init(_ data: Data) {
        var start = 0
        nextPiece = {
            defer { start += ImportJobStore.chunkSize }
            return start < data.count ? data.subdata(in: start..<min(start + ImportJobStore.chunkSize, data.count)) : nil
        }
    }

    /// A local file, read as it is stored.
    package init(_ handle: FileHandle) {
        nextPiece = { try handle.read(upToCount: ImportJobStore.chunkSize) }
    }

    /// The next piece; nil (or empty) at the end.
    package func next() throws -> Data? { try nextPiece() }
}
