import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// Which SQL engine Guanxi talks to. The few statements that differ between the
/// engines switch on this, and only this.
public enum SQLEngine: String, Sendable {
    case sqlite
    case postgres
}

/// Owns the Fluent `Databases`, hands out `Database` handles and closes the pools on
/// `shutdown()`, which the owner calls once the server has stopped.
public final class DatabaseService: Sendable {
    public let engine: SQLEngine
    /// The most connections the pool opens (SQLite: one; PostgreSQL: per event loop × loops).
    public let maxConnections: Int
    /// SQLite's page cache, in KiB (`prepareEngine`).
    package static let sqliteCacheKiB = 65_536
    public static let postgresConnectionsPerLoop = 8
    /// PostgreSQL connections each event loop may open (tests use fewer: many apps share one server).
    package let connectionsPerLoop: Int
    private let databases: Databases
    private let logger: Logger
    /// SQLite allows one writer at a time, so all work goes through one event loop and
    /// therefore one connection; this avoids lock contention between connections.
    private let eventLoop: (any EventLoop)?
    /// On a SQLite file, statements that only read go to read-only connections instead
    /// (`sql`) — once `prepareEngine` has put the file in write-ahead-log mode (before, the
    /// file may not exist, and readers of a file without the log would wait for every write).
    private let readers: SQLiteReaderPool?
    /// The file behind an "in-memory" database, removed on `shutdown()`. SQLiteKit fakes
    /// in-memory databases with temporary files it never removes (its SQLite lacks shared
    /// cache): every test left one of about 800 KB in the temporary directory, gigabytes
    /// over a few hundred test runs.
    package let temporaryFile: String?
    private let readersOpen = Atomic<Bool>(false)
    /// How many statements read at once beside the writer.
    package static let sqliteReaders = 4
    /// Where a long job's writing runs (the database's own loop) and where its computing
    /// runs (another loop), so the two use both cores (see `EventLoopExecutor`).
    package let writingExecutor: EventLoopExecutor
    package let computingExecutor: EventLoopExecutor

    /// `poolTimeout`: how long a query waits for a pooled connection before it fails.
    public init(location: AppConfig.DatabaseLocation, logger: Logger, connectionsPerLoop: Int = DatabaseService.postgresConnectionsPerLoop,
                poolTimeout: TimeAmount = .seconds(10)) throws {
        self.logger = logger
        self.connectionsPerLoop = connectionsPerLoop
        databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroup.singleton)
        switch location {
        case .sqliteFile(let path):
            engine = .sqlite
            temporaryFile = nil
            databases.use(.sqlite(.file(path), connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .sqlite)
            readers = SQLiteReaderPool(path: path, size: Self.sqliteReaders, logger: logger)
            eventLoop = MultiThreadedEventLoopGroup.singleton.next()
            maxConnections = 1
        case .sqliteMemory:
            engine = .sqlite
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-memory-\(UUID().uuidString).sqlite").path
            databases.use(.sqlite(.file(path), connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .sqlite)
            temporaryFile = path
            readers = nil
            eventLoop = MultiThreadedEventLoopGroup.singleton.next()
            maxConnections = 1
        case .postgres(let url):
            engine = .postgres
            temporaryFile = nil
            do {
                databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: connectionsPerLoop, connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .psql)
            } catch {
                throw GuanxiError(.configuration, "GUANXI_DATABASE_URL is not a usable PostgreSQL URL: \(error)")
            }
            readers = nil
            eventLoop = nil
            maxConnections = connectionsPerLoop * System.coreCount
        }
        (writingExecutor, computingExecutor) = EventLoopExecutor.pair(database: eventLoop)
    }

    public var db: any Database {
        if let eventLoop { return databases.database(logger: logger, on: eventLoop)! }
        return databases.database(logger: logger, on: databases.eventLoopGroup.any())!
    }

    /// SQL on the database. On SQLite, rows come back without a hop per row
    /// (`SQLiteReads`), and on a SQLite file a statement that only reads runs on one of the
    /// read-only connections: with write-ahead logging they read the last committed state
    /// beside the writer and beside each other, so a slow list or report holds up neither
    /// the writes nor the other readers. A statement outside a transaction commits as it
    /// ends, so the next read — on whichever connection — sees it. Statements inside a
    /// transaction (`db.transaction`) stay on the writer's connection.
    public var sql: any SQLDatabase {
        let db = self.db
        if engine == .sqlite, let sqlite = db as? any SQLDatabase & SQLiteDatabase {
            return SQLiteReads(base: sqlite, readers: readersOpen.load(ordering: .relaxed) ? readers : nil)
        }
        return db as! any SQLDatabase
    }

    /// The SQL handle of a transaction (`db.transaction { tx in … }`). On SQLite its rows
    /// are read as `sql`'s are (`SQLiteReadRow`): SQLiteKit's own decoder reads an id
    /// through Foundation's `sscanf`, which made reading every customer's id inside an
    /// analytics run's transaction a tenth of its writing.
    public static func sql(_ tx: any Database) -> any SQLDatabase {
        if let sqlite = tx as? any SQLDatabase & SQLiteDatabase { return SQLiteReads(base: sqlite) }
        return tx as! any SQLDatabase
    }

    /// Tunes a SQLite file for a server: write-ahead logging lets readers work while one writes.
    public func prepareEngine() async throws {
        guard engine == .sqlite else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
        // Statement journals (a statement inside a transaction that touches the search
        // index keeps one) stay in memory instead of a temporary file.
        try await sql.raw("PRAGMA temp_store=MEMORY").run()
        // 64 MB of pages in memory (the default is 2 MB): a busy index stays cached.
        try await sql.raw("PRAGMA cache_size=-\(unsafeRaw: String(Self.sqliteCacheKiB))").run()
        // The log is copied back into the file every 20,000 pages (80 MB) rather than
        // every 1,000: a page changed by many transactions meanwhile is copied once. An
        // import of a million contacts spent a tenth of its time copying. The file is cut
        // back to 128 MB after a copy.
        try await sql.raw("PRAGMA wal_autocheckpoint=20000").run()
        try await sql.raw("PRAGMA journal_size_limit=134217728").run()
        readersOpen.store(true, ordering: .relaxed)
    }

    /// Checks that the database answers, for `/ready`.
    public func ping() async -> Bool {
        do {
            _ = try await sql.raw("SELECT 1 AS one").first()
            return true
        } catch {
            return false
        }
    }

    public func shutdown() async {
        await readers?.close()
        await databases.shutdownAsync()
        if let temporaryFile {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: temporaryFile + suffix) }
        }
    }
}
