import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The `guanxi` command: the server and the administrator's tools in one binary.
@main
struct Guanxi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guanxi",
        abstract: "Guanxi (关系) — a self-hosted CRM.",
        subcommands: [Serve.self, Migrate.self, UserCommand.self, DemoCommand.self, ImportCommand.self, ExportCommand.self, DuplicatesCommand.self, AnalyzeCommand.self, MailCommand.self, BackupCommand.self, RestoreCommand.self],
        defaultSubcommand: Serve.self
    )

    /// ArgumentParser's own `main`, after moving Swift concurrency onto the event loops.
    static func main() async {
        Runtime.runTasksOnEventLoops()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options shared by every command that opens the database.
struct StorageOptions: ParsableArguments {
    @Option(help: "Folder for the embedded SQLite database (GUANXI_DATA_DIR; default ./guanxi-data).")
    var dataDir: String?

    func overrides() -> [String: String] {
        var out: [String: String] = [:]
        if let dataDir { out["guanxi.data.dir"] = dataDir }
        return out
    }

    func load(_ extra: [String: String] = [:]) async throws -> AppConfig {
        try await AppConfig.load(overrides: overrides().merging(extra) { $1 })
    }
}

/// Runs `body`, turning any failure into one clear line on stderr and a non-zero exit.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as GuanxiError {
        FileHandle.standardError.write(Data("guanxi: \(error.message)\n".utf8))
        throw ExitCode.failure
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("guanxi: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the web server (web UI, REST API, metrics).")
    @Option(help: "Address to listen on (GUANXI_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (GUANXI_PORT; default 8080).") var port: String?
    @Flag(help: "Do not apply pending migrations at start (GUANXI_AUTO_MIGRATE=false).") var noMigrate = false
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await runReportingErrors {
            var extra: [String: String] = [:]
            if let host { extra["guanxi.host"] = host }
            if let port { extra["guanxi.port"] = port }
            if noMigrate { extra["guanxi.auto.migrate"] = "false" }
            try await Runtime.serve(try await storage.load(extra))
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations, or revert the latest ones.")
    @Flag(help: "Revert instead of applying.") var revert = false
    @Option(help: "How many migrations to revert (with --revert).") var steps = 1
    @OptionGroup var storage: StorageOptions

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be 1 or more.") }
    }

    func run() async throws {
        try await runReportingErrors {
            let config = try await storage.load()
            try await Runtime.withServices(config, migrate: false) { services in
                let migrator = services.migrator
                let names = revert ? try await migrator.revert(steps: steps) : try await migrator.migrate()
                print(names.isEmpty ? "Nothing to do: the schema is current." : "\(revert ? "Reverted" : "Applied"): \(names.joined(separator: ", "))")
            }
        }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent copy of the SQLite database, even while the server runs.")
    @Argument(help: "The backup file to create.") var file: String
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await runReportingErrors {
            try await Runtime.withServices(try await storage.load(), migrate: false) { try await Backup.backup($0, to: file) }
            print("Backup written to \(file).")
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Replace the SQLite database with a backup (stop the server first).")
    @Argument(help: "The backup file to restore.") var file: String
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await runReportingErrors {
            let kept = try Backup.restore(from: file, config: try await storage.load())
            print("Restored \(file).\(kept.isEmpty ? "" : " The previous database is kept as \(kept).")")
        }
    }
}
