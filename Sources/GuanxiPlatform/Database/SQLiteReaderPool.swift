import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// Read-only connections to a SQLite file, lent for one statement at a time to whoever
/// asks first. With write-ahead logging each reads the last committed state beside the one
/// writer and beside the others (`DatabaseService.sql` sends plain `SELECT`s here).
///
/// Why not Fluent's pool: it keeps one SQLite connection per event loop, so a slow read
/// holds up every read that lands on its loop. These readers also have threads of their
/// own, so a long report never takes the thread a write is waiting for.
package actor SQLiteReaderPool {
    private let uri: String
    private let size: Int
    private let logger: Logger
    private let threads: NIOThreadPool
    private var idle: [SQLiteConnection] = []
    private var opened = 0
    private var waiting: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var closed = false

    /// `size` connections at most, opened as they are first needed.
    package init(path: String, size: Int, logger: Logger) {
        // `mode=ro` in the file's URI: these connections cannot write, whatever asks them to.
        uri = URL(fileURLWithPath: path).absoluteString + "?mode=ro"
        self.size = size
        self.logger = logger
        threads = NIOThreadPool(numberOfThreads: size)
        threads.start()
    }

    package func withConnection<T: Sendable>(_ body: @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        do {
            let result = try await body(connection)
            give(connection)
            return result
        } catch {
            give(connection)
            throw error
        }
    }

    private func take() async throws -> SQLiteConnection {
        guard !closed else { throw SQLiteReaderPoolClosed() }
        if let connection = idle.popLast() { return connection }
        if opened < size {
            opened += 1
            do { return try await open() } catch { opened -= 1; throw error }
        }
        return try await withCheckedThrowingContinuation { waiting.append($0) }
    }

    private func give(_ connection: SQLiteConnection) {
        if waiting.isEmpty { idle.append(connection) } else { waiting.removeFirst().resume(returning: connection) }
    }

    private func open() async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: .file(path: uri), threadPool: threads, logger: logger,
                                                         on: MultiThreadedEventLoopGroup.singleton.next()).get()
        // 4 MB of pages each; the operating system's file cache is shared by all of them. With
        // 16 MB each the server held 50 MB more on the million-contact file and was no faster
        // (scripts/bench-web.sh).
        _ = try await connection.query("PRAGMA cache_size=-4096").get()
        return connection
    }

    /// Closes every connection; whoever still waits is told the pool is closed.
    package func close() async {
        closed = true
        for waiter in waiting { waiter.resume(throwing: SQLiteReaderPoolClosed()) }
        waiting = []
        for connection in idle { try? await connection.close().get() }
        idle = []
        try? await threads.shutdownGracefully()
    }
}

package struct SQLiteReaderPoolClosed: Error, CustomStringConvertible {
    package var description: String { "The database's readers are closed." }
}
