import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// What the command line needs from the server: start it, open its services, run
/// admin tasks. The `guanxi` executable only parses arguments and calls these.
public enum Runtime {
    public static func makeLogger(_ config: AppConfig) -> Logger {
        var logger = Logger(label: "guanxi")
        logger.logLevel = config.logLevel
        return logger
    }

    /// Runs Swift concurrency's tasks on the server's event loops instead of a separate
    /// thread pool. Every database statement otherwise costs four thread switches
    /// (task → event loop → database thread → event loop → task); with one SQLite
    /// connection those switches, not the work, limited how many records a second the
    /// API could create. Blocking work (bcrypt, SQLite) already runs on NIO's thread pool,
    /// so nothing blocks an event loop. Call once, first thing in `main`.
    public static func runTasksOnEventLoops() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Prints at once, even when standard output is a file or a pipe.
    public static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A message for the person running the command rather than its output.
    public static func sayToOperator(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Creates the data folder for SQLite, or says clearly why it cannot.
    public static func prepareDataDirectory(_ config: AppConfig) throws {
        guard case .sqliteFile(let path) = config.database else { return }
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw GuanxiError(.configuration, "Cannot create the data folder \(folder): \(error.localizedDescription). Choose another with --data-dir or GUANXI_DATA_DIR.")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw GuanxiError(.configuration, "The data folder \(folder) is not writable. Choose another with --data-dir or GUANXI_DATA_DIR.")
        }
    }

    public static func openServices(_ config: AppConfig) async throws -> AppServices {
        try prepareDataDirectory(config)
        return try await AppServices(config: config, logger: makeLogger(config))
    }

    /// Runs the server until it is stopped (SIGINT/SIGTERM finish in-flight requests first).
    public static func serve(_ config: AppConfig) async throws {
        let services = try await openServices(config)
        let app: any ApplicationProtocol
        do {
            app = try await GuanxiApp.build(services: services)
        } catch {
            await services.database.shutdown()
            throw error
        }
        do {
            try await app.runService()
            await services.database.shutdown()
        } catch {
            await services.database.shutdown()
            if let io = error as? IOError, io.errnoCode == EADDRINUSE {
                throw GuanxiError(.configuration, "Port \(config.port) on \(config.host) is already in use. Stop the other program or choose another port with --port or GUANXI_PORT.")
            }
            throw error
        }
    }

    /// Runs an admin task against the database, then closes it.
    public static func withServices<T: Sendable>(_ config: AppConfig, migrate: Bool = true, _ body: (AppServices) async throws -> T) async throws -> T {
        let services = try await openServices(config)
        do {
            if migrate { try await GuanxiApp.prepareDatabase(services) }
            let result = try await body(services)
            await services.database.shutdown()
            return result
        } catch {
            await services.database.shutdown()
            throw error
        }
    }
}
