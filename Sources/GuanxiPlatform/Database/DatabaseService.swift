import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

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
    /// The SQLite file, when the database is one (`withSideReader` opens it again).
    private let sqliteFile: String?
    /// SQLite allows one writer at a time, so all work goes through one event loop and
    /// therefore one connection; this avoids lock contention between connections.
    private let eventLoop: (any EventLoop)?
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
            sqliteFile = path
            databases.use(.sqlite(.file(path), connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .sqlite)
            eventLoop = MultiThreadedEventLoopGroup.singleton.next()
            maxConnections = 1
        case .sqliteMemory:
            engine = .sqlite
            sqliteFile = nil
            databases.use(.sqlite(.memory, connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .sqlite)
            eventLoop = MultiThreadedEventLoopGroup.singleton.next()
            maxConnections = 1
        case .postgres(let url):
            engine = .postgres
            sqliteFile = nil
            do {
                databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: connectionsPerLoop, connectionPoolTimeout: poolTimeout, sqlLogLevel: .trace), as: .psql)
            } catch {
                throw GuanxiError(.configuration, "GUANXI_DATABASE_URL is not a usable PostgreSQL URL: \(error)")
            }
            eventLoop = nil
            maxConnections = connectionsPerLoop * System.coreCount
        }
        (writingExecutor, computingExecutor) = EventLoopExecutor.pair(database: eventLoop)
    }

    public var db: any Database {
        if let eventLoop { return databases.database(logger: logger, on: eventLoop)! }
        return databases.database(logger: logger, on: databases.eventLoopGroup.any())!
    }

    /// SQL on the database; on SQLite, rows come back without a hop per row (`SQLiteReads`).
    public var sql: any SQLDatabase {
        let db = self.db
        if engine == .sqlite, let sqlite = db as? any SQLDatabase & SQLiteDatabase { return SQLiteReads(base: sqlite) }
        return db as! any SQLDatabase
    }

    /// Runs `body` with a handle for reads beside a long run of writes (an import's
    /// look-ups). On a SQLite file that is a second connection, opened for the call and
    /// kept to reading (`query_only`): with write-ahead logging it reads the last committed
    /// state while the writing connection works, instead of queueing behind each of the
    /// writer's transactions — an import of a million contacts spent a third of its time
    /// waiting so. Elsewhere it is `sql`: PostgreSQL's pool has connections to spare, and a
    /// second connection to an in-memory SQLite database would open another, empty one.
    package func withSideReader<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard let sqliteFile, let eventLoop else { return try await body(sql) }
        let connection = try await SQLiteConnection.open(storage: .file(path: sqliteFile), threadPool: .singleton, logger: logger, on: eventLoop)
        do {
            let reader = connection.sql(queryLogLevel: .trace)
            try await reader.raw("PRAGMA query_only=1").run()
            try await reader.raw("PRAGMA busy_timeout=5000").run()
            let result = try await body(reader)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
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
        await databases.shutdownAsync()
    }
}
