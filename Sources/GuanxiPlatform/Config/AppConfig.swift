import Configuration
import Foundation
import Logging

/// Every setting of Guanxi, read once at start-up from (highest first) command-line
/// options, environment variables, a `.env` file in the working folder, and defaults.
/// Environment names are the keys in upper case with `_`: `guanxi.data.dir` is `GUANXI_DATA_DIR`.
public struct AppConfig: Sendable {
    public enum DatabaseLocation: Sendable, Equatable {
        /// A SQLite file, created if missing.
        case sqliteFile(String)
        /// A private in-memory SQLite database (tests).
        case sqliteMemory
        /// A PostgreSQL server, given as a `postgres://` URL.
        case postgres(String)

        /// Where the data lives, without any password, for messages.
        public var safeDescription: String {
            switch self {
            case .sqliteFile(let path): "SQLite file \(path)"
            case .sqliteMemory: "in-memory SQLite"
            case .postgres(let url): ConfigParser.redacted(url)
            }
        }
    }

    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./guanxi-data"
    public var database: DatabaseLocation = .sqliteFile("./guanxi-data/guanxi.sqlite")
    /// Password for the first admin account; a random one is printed when absent.
    public var initialAdminPassword: String?
    /// Run pending migrations when the server starts.
    public var autoMigrate = true
    public var sessionIdleTimeout: TimeInterval = 2 * 3600
    public var sessionAbsoluteTimeout: TimeInterval = 12 * 3600
    /// Largest request body accepted, in bytes.
    public var maxBodySize = 1_048_576
    /// Largest attachment upload (the web form and `POST /api/v1/attachments`).
    public var maxUploadBytes = 10_485_760
    /// Largest import file (web, API and `guanxi import`); the job keeps it in the database until it is deleted.
    public var maxImportBytes = 209_715_200
    /// Rows an import saves per transaction: larger batches import faster, smaller ones
    /// hold the database's write lock for less time and lose less work to a crash.
    public var importBatchRows = 2_000
    /// A large import: one with at least this many rows to go. Into SQLite it sets aside the
    /// indexes its records land all over and builds them again at its end
    /// (`SetAsideIndexes`); on PostgreSQL it brings the planner's statistics up to date
    /// when done (`ANALYZE`). 0: never.
    public var importSetAsideRows = 100_000
    /// Requests a single API token may make per minute.
    public var apiRequestsPerMinute = 600
    /// Failed sign-ins before an account is locked, and for how long.
    public var loginFailuresPerAccount = 5
    public var loginLockout: TimeInterval = 15 * 60
    /// Failed sign-ins from one network address within the lock-out window before it is throttled.
    public var loginFailuresPerAddress = 20
    /// Use `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    public var trustProxy = false
    /// Mark cookies `Secure` (set automatically when the public URL is https).
    public var secureCookies = false
    public var publicURL: String?
    /// Who may read `/metrics`: with a token, clients sending it as a bearer token; without
    /// one, only clients on the loopback address (a scraper on the same machine).
    public var metricsToken: String?
    public var defaultLocale = "zh-Hans"
    public var defaultTimeZone = "Asia/Shanghai"
    public var logLevel: Logger.Level = .info
    /// Seconds between background job polls.
    public var jobPollInterval: TimeInterval = 2
    /// PostgreSQL connections per event loop (one loop per core).
    public var databaseConnectionsPerLoop = 8
    /// Seconds a query waits for a pooled connection before it fails. Tests wait longer:
    /// the whole suite runs at once, and every in-memory SQLite database does its work on
    /// the same two threads of NIO's pool, so under that load a connection can stay busy
    /// past ten seconds without anything being wrong.
    public var databasePoolTimeout: TimeInterval = 10
    /// The mail server the outbox sends through (`GUANXI_SMTP_URL`); without it, messages
    /// wait in the outbox and the status page says mail is not configured.
    public var smtp: SMTPSettings?
    /// The sender of every message (`GUANXI_MAIL_FROM`, "Name <address>" or an address).
    public var mailFrom: MailAddress?
    /// Messages a minute to one receiving domain (`GUANXI_MAIL_PER_DOMAIN_PER_MINUTE`).
    public var mailPerDomainPerMinute = 120
    /// The largest received message taken (`GUANXI_MAIL_MAX_BYTES`, 25 MB): mail servers
    /// commonly accept that much, attachments included.
    public var mailMaxBytes = 26_214_400

    /// Whether the outbox can send: a server and a sender are both set.
    public var mailConfigured: Bool { smtp != nil && mailFrom != nil }

    public init() {}

    /// A configuration for tests: in-memory SQLite (or `GUANXI_TEST_DATABASE_URL`), quiet logs.
    public static func testing(environment: [String: String] = ProcessInfo.processInfo.environment) -> AppConfig {
        var config = AppConfig()
        config.database = environment["GUANXI_TEST_DATABASE_URL"].map { .postgres($0) } ?? .sqliteMemory
        config.logLevel = .error
        config.initialAdminPassword = "Admin-Pass-2026"
        config.jobPollInterval = 0.05
        config.databasePoolTimeout = 120
        // Every test runs its own app against one throwaway server, in parallel.
        config.databaseConnectionsPerLoop = 2
        return config
    }

    /// Reads the configuration. `overrides` are the command line's options, keyed like
    /// `guanxi.port`. Every problem is collected so one run names them all.
    public static func load(overrides: [String: String] = [:], environmentFile: String = ".env") async throws -> AppConfig {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in overrides { values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = .init(.string(value), isSecret: false) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: values),
            EnvironmentVariablesProvider(),
            try await EnvironmentVariablesProvider(environmentFilePath: .init(environmentFile), allowMissing: true),
        ])
        var parser = ConfigParser(read: { reader.string(forKey: ConfigKey($0.split(separator: ".").map(String.init))) })
        let config = parser.parse()
        if !parser.problems.isEmpty {
            throw GuanxiError(.configuration, "Invalid configuration:\n" + parser.problems.map { "  - \($0)" }.joined(separator: "\n"))
        }
        return config
    }
}
