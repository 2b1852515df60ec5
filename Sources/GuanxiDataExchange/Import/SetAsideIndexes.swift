import FluentKit
import Foundation
import ServiceLifecycle
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// The indexes a large import sets aside while it runs, and builds again when it stops.
///
/// New records land at the end of most indexes — their ids grow with time — but all over
/// the ones ordered by name or phone number. Once such an index outgrows SQLite's page
/// cache, every batch rewrites thousands of its pages: importing a million contacts spent
/// about a fifth of its time keeping five of them up row by row, while building them again
/// in one go takes a few seconds. So an import with at least `GUANXI_IMPORT_SET_ASIDE_ROWS`
/// rows to go drops the ones its kind names (`ImportTarget.scatteredIndexes`) and builds
/// them again when it stops, done, cancelled or failed.
///
/// On PostgreSQL the command line sets aside the same ordered indexes and the trigram
/// indexes the search reads (`ImportTarget.scatteredIndexes` names both; each engine drops
/// those it has). Keeping the trigram indexes up was a third of the database's work in a
/// million contacts' import; built again in one statement each, with more memory for the
/// build (`buildMemory`), they take about 18 s. An import in the server keeps them.
///
/// The search index is set aside the same way: its insert trigger is dropped, and put back
/// when the import stops; then the records saved meanwhile are indexed, a few thousand
/// per transaction (`SQLiteSearchIndex.indexMissing`). Until then a search does not find
/// those records.
///
/// Each definition is kept in `set_aside_indexes` by the transaction that drops the index.
/// A process killed mid-import leaves that note behind: the job's resume builds the indexes
/// when it stops, and the next import or the hourly upkeep builds those of an import that no
/// longer runs. Meanwhile lists sorted by name and look-ups by phone read the whole table:
/// slower, never wrong — and the search finds the records imported so far once the
/// triggers are back.
package struct SetAsideIndexes: Sendable {
    package let database: DatabaseService
    package let clock: any Clock
    /// Records the search index's catch-up indexes per transaction: a serving process takes
    /// short steps (`SQLiteSearchIndex.stepSize`), so no request waits long for SQLite's
    /// writer; the command line, which serves no one, takes one (8 s against 14 s for a
    /// million contacts).
    package let catchUpStep: Int

    /// For a process that serves requests: only short steps while it catches up.
    package init(serving database: DatabaseService, clock: any Clock) {
        (self.database, self.clock, catchUpStep) = (database, clock, SQLiteSearchIndex.stepSize)
    }

    /// For the command line: the catch-up in one statement.
    package init(alone database: DatabaseService, clock: any Clock) {
        (self.database, self.clock, catchUpStep) = (database, clock, .max)
    }

    /// PostgreSQL's `maintenance_work_mem` while it builds an index again: its default of
    /// 64 MB sorted a million contacts' search trigrams in many more passes.
    package static let buildMemory = "256MB"

    /// A job whose progress is older than this is taken to have died (as `ImportJobStore.claim` does).
    package static let staleAfter: TimeInterval = 120

    /// Drops those of `names` (indexes, or a search insert trigger) that exist, noting their
    /// definitions for `job`, in one transaction.
    package func setAside(_ names: [String], for job: UUID) async throws {
        guard !names.isEmpty else { return }
        let now = clock.now()
        let sqlite = database.engine == .sqlite
        try await database.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            for name in names {
                // Gone already (set aside by another import running beside this one, which
                // builds it again), or one the other engine has.
                let found = sqlite
                    ? try await sql.select().columns("type", "sql").from("sqlite_master").where("type", .in, ["index", "trigger"]).where("name", .equal, name).first()
                    : try await sql.raw("""
                        SELECT 'index' AS type, indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND indexname = \(bind: name)
                        """).first()
                guard let found else { continue }
                let (type, definition) = (try found.decode(column: "type", as: String.self), try found.decode(column: "sql", as: String.self))
                try await sql.insert(into: "set_aside_indexes").columns("name", "definition", "job_id", "set_aside_at")
                    .values(SQLBind(name), SQLBind(definition), SQLBind(job), SQLBind(now)).run()
                try await sql.raw("DROP \(unsafeRaw: type == "trigger" ? "TRIGGER" : "INDEX") \(ident: name)").run()
            }
        }
    }

    /// Builds again what `job` set aside.
    package func rebuild(for job: UUID) async throws {
        try await rebuild(try await database.sql.select().columns("name", "definition").from("set_aside_indexes").where("job_id", .equal, job).all())
    }

    /// Builds again what imports that no longer run set aside: stopped without building
    /// them (a process killed), or silent for two minutes.
    package func rebuildAbandoned() async throws {
        try await rebuild(try await database.sql.raw("""
            SELECT name, definition FROM set_aside_indexes s WHERE NOT EXISTS (SELECT 1 FROM import_jobs j
            WHERE j.id = s.job_id AND j.status = 'running' AND j.updated_at >= \(bind: clock.now().addingTimeInterval(-Self.staleAfter)))
            """).all())
    }

    /// Builds the noted indexes, then puts back the noted search triggers.
    private func rebuild(_ rows: [any SQLRow]) async throws {
        let notes = try rows.map { (name: try $0.decode(column: "name", as: String.self), definition: try $0.decode(column: "definition", as: String.self)) }
        let indexes = notes.filter { SQLiteSearchIndex.table(ofInsertTrigger: $0.name) == nil }
        let triggers = notes.filter { SQLiteSearchIndex.table(ofInsertTrigger: $0.name) != nil }
        if !indexes.isEmpty { try await withSortSettings { try await build(indexes) } }
        // A catch-up in one statement reads the whole table and sorts its terms: with the
        // server's 64 MB cache and temporary tables in memory, a million contacts took the
        // command line's peak from 232 to 330 MB. Short steps keep the server's settings.
        if catchUpStep == .max {
            try await withSortSettings { for note in triggers { try await restore(note) } }
        } else {
            for note in triggers { try await restore(note) }
        }
    }

    /// Runs `body` with the settings that sort fastest. Building an index sorts the whole
    /// table's keys in runs the size of the page cache, merged through temporary files.
    /// Runs of SQLite's default 2 MB sorted a million contacts' keys twice as fast as runs
    /// of the server's 64 MB, and the files go to disk rather than memory (`prepareEngine`
    /// keeps them in memory).
    private func withSortSettings(_ body: () async throws -> Void) async throws {
        guard database.engine == .sqlite else { return try await body() }
        try await database.sql.raw("PRAGMA temp_store=FILE").run()
        try await database.sql.raw("PRAGMA cache_size=-2000").run()
        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        try await database.sql.raw("PRAGMA cache_size=-\(unsafeRaw: String(DatabaseService.sqliteCacheKiB))").run()
        try await database.sql.raw("PRAGMA temp_store=MEMORY").run()
        if let failure { throw failure }
    }

    /// Each index with the removal of its note, in one transaction. Between two indexes,
    /// a server shutting down stops here and leaves the rest to the next rebuild.
    private func build(_ notes: [(name: String, definition: String)]) async throws {
        for note in notes {
            if Self.shouldStop() { throw CancellationError() }
            try await database.db.transaction { tx in
                let sql = tx as! any SQLDatabase
                if database.engine == .postgres { try await sql.raw("SET LOCAL maintenance_work_mem = '\(unsafeRaw: Self.buildMemory)'").run() }
                try await sql.raw("\(unsafeRaw: Self.ifNotExists(note.definition))").run()
                try await sql.delete(from: "set_aside_indexes").where("name", .equal, note.name).run()
            }
        }
    }

    /// Puts a search trigger back, then indexes the records saved while it was away, in
    /// steps (`SQLiteSearchIndex.indexMissing`): one long statement held SQLite's only
    /// writer, and with it every request of a serving process, for as long as it ran. The
    /// note goes only when every record is indexed, so a process stopped half-way (a
    /// server shutting down stops between two steps) leaves the rest to the next rebuild.
    private func restore(_ note: (name: String, definition: String)) async throws {
        guard let table = SQLiteSearchIndex.table(ofInsertTrigger: note.name) else { return }
        if Self.shouldStop() { throw CancellationError() }
        try await database.sql.raw("\(unsafeRaw: Self.ifNotExists(note.definition))").run()
        try await SQLiteSearchIndex.indexMissing(table, on: database.db, step: catchUpStep, shouldStop: Self.shouldStop)
        try await database.sql.delete(from: "set_aside_indexes").where("name", .equal, note.name).run()
    }

    /// Makes the index or trigger `name` again as `definition`, for a migration that changes
    /// one an import may set aside: made again if it is there, and its note rewritten if an
    /// import has set it aside, so the import's end builds the new form.
    package static func redefine(_ name: String, as definition: String, on sql: any SQLDatabase) async throws {
        let present = sql.dialect.name == "sqlite"
            ? try await sql.select().column("type").from("sqlite_master").where("type", .in, ["index", "trigger"]).where("name", .equal, name).first()
            : try await sql.raw("SELECT 'index' AS type FROM pg_indexes WHERE schemaname = current_schema() AND indexname = \(bind: name)").first()
        if let type = try present?.decode(column: "type", as: String.self) {
            try await sql.raw("DROP \(unsafeRaw: type == "trigger" ? "TRIGGER" : "INDEX") \(ident: name)").run()
            try await sql.raw("\(unsafeRaw: definition)").run()
        }
        try await sql.update("set_aside_indexes").set("definition", to: definition).where("name", .equal, name).run()
    }

    /// The definition is the engine's own text of an index (or SQLite trigger) Guanxi's
    /// migrations made; one built meanwhile (by hand, or by another process's upkeep) stays as it is.
    private static func ifNotExists(_ definition: String) -> String {
        for kind in ["INDEX", "TRIGGER"] where definition.hasPrefix("CREATE \(kind) ") {
            return "CREATE \(kind) IF NOT EXISTS " + definition.dropFirst("CREATE \(kind) ".count)
        }
        return definition
    }

    /// Whether the task is being cancelled, or its server shutting down.
    @Sendable package static func shouldStop() -> Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
