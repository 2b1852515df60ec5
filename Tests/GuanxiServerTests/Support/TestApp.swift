import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing
import GuanxiPlatform

/// A fresh Guanxi for one test: an in-memory SQLite database, or with
/// `GUANXI_TEST_DATABASE_URL` a new PostgreSQL database created for the test and dropped after.
struct TestApp {
    let services: AppServices
    let clock: ManualClock

    static let adminPassword = "Admin-Pass-2026"

    /// Runs `body` against a new app whose router is driven in-process.
    /// With `live`, the app listens on a port of the loopback address and the client is a
    /// real HTTP client (`client.port` names the port), for what only a socket shows.
    /// `register` runs before the app is built: a test registers kinds of record there.
    static func run(configure: (inout AppConfig) -> Void = { _ in }, runJobs: Bool = false, live: Bool = false,
                    register: (AppServices) -> Void = { _ in },
                    _ body: @Sendable (TestApp, any TestClientProtocol) async throws -> Void) async throws {
        var config = AppConfig.testing()
        configure(&config)
        let scratch: ScratchDatabase
        do { scratch = try await ScratchDatabase.make(for: config.database) } catch { throw Self.described(error) }
        config.database = scratch.location
        let clock = ManualClock()
        var logger = Logger(label: "guanxi-test")
        logger.logLevel = .error
        let services: AppServices
        do { services = try await AppServices(config: config, clock: clock, logger: logger, bcryptCost: 4) } catch {
            try? await scratch.drop()
            throw Self.described(error)
        }
        do {
            register(services)
            let app = try await GuanxiApp.build(services: services, runJobs: runJobs)
            let testApp = TestApp(services: services, clock: clock)
            try await app.test(live ? .live : .router) { client in try await body(testApp, client) }
            await services.database.shutdown()
        } catch {
            await services.database.shutdown()
            try await scratch.drop()
            throw Self.described(error)
        }
        try await scratch.drop()
    }

    /// PostgresNIO's errors describe themselves only when asked in full; a test that fails
    /// on one should say what the server said.
    static func described(_ error: any Error) -> any Error {
        "\(error)".hasPrefix("PSQLError") ? DescribedError(text: String(reflecting: error)) : error
    }

    struct DescribedError: Error, CustomStringConvertible { let text: String; var description: String { text } }

    var admin: Principal { get async throws { try await principal("admin") } }

    func principal(_ username: String) async throws -> Principal {
        let user = try #require(try await services.users.find(username: username))
        return try await services.principals.principal(for: user, channel: .session, address: "127.0.0.1")
    }

    /// Creates a user (password change already done) with the given roles and placement.
    @discardableResult
    func makeUser(_ username: String, department: UUID? = nil, manager: UUID? = nil, roles: [UUID] = [], admin isAdmin: Bool = false,
                  password: String = "Secret-pass-42") async throws -> User {
        var new = UserService.NewUser()
        new.username = username
        new.password = password
        new.departmentID = department
        new.managerID = manager
        new.roleIDs = roles
        new.isAdmin = isAdmin
        let user = try await services.users.create(new, by: try await admin)
        try await services.database.sql.update("users").set("must_change_password", to: false).where("id", .equal, user.id!).run()
        return user
    }

    /// A browser signed in as a new user (an administrator unless told otherwise).
    func signedInBrowser(_ client: any TestClientProtocol, as username: String, admin isAdmin: Bool = true) async throws -> Browser {
        try await makeUser(username, admin: isAdmin)
        var browser = Browser(client)
        try await browser.signIn(username, "Secret-pass-42")
        return browser
    }

    func makeRole(_ name: String, _ grants: [RecordKind: Grant]) async throws -> Role {
        try await services.roles.create(name: name, description: nil, grants: Dictionary(uniqueKeysWithValues: grants.map { ($0.key.rawValue, $0.value) }), by: try await admin)
    }

    func token(for username: String) async throws -> String {
        let user = try #require(try await services.users.find(username: username))
        return try await services.tokens.issue(for: user.id!, name: "test", expiresInDays: nil, by: try await admin).token
    }

    func auditEntries(action: String? = nil, kind: RecordKind? = nil, id: String? = nil) async throws -> [AuditEntry] {
        var filter = AuditFilter()
        filter.action = action
        filter.recordKind = kind?.rawValue
        filter.recordID = id
        filter.limit = 500
        var all: [AuditEntry] = []
        repeat {
            let page = try await services.auditQuery.list(filter, for: try await admin)
            all += page.entries
            filter.before = page.next
        } while filter.before != nil
        return all
    }
}

/// A database of the test's own.
struct ScratchDatabase {
    let location: AppConfig.DatabaseLocation
    let adminURL: String?
    let name: String?

    /// Tests run all at once, each app holding a few connections; the server takes 500.
    /// At most this many scratch databases are in use at a time, the others wait.
    static let gate = Gate(48)

    static func make(for location: AppConfig.DatabaseLocation) async throws -> ScratchDatabase {
        guard case .postgres(let url) = location else { return ScratchDatabase(location: location, adminURL: nil, name: nil) }
        await gate.enter()
        let name = "gx_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        do { try await withAdmin(url) { try await $0.raw("CREATE DATABASE \(unsafeRaw: name)").run() } } catch { await gate.leave(); throw error }
        var parts = URLComponents(string: url)!
        parts.path = "/\(name)"
        return ScratchDatabase(location: .postgres(parts.string!), adminURL: url, name: name)
    }

    func drop() async throws {
        guard let adminURL, let name else { return }
        defer { Task { await Self.gate.leave() } }
        try await Self.withAdmin(adminURL) { try await $0.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run() }
    }

    /// Lets `limit` holders in at a time; the others wait their turn, first come first served.
    actor Gate {
        private var free: Int
        private var waiting: [CheckedContinuation<Void, Never>] = []
        init(_ limit: Int) { free = limit }
        func enter() async {
            if free > 0 { free -= 1; return }
            await withCheckedContinuation { waiting.append($0) }
        }
        func leave() {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
    }

    static func withAdmin(_ url: String, _ body: (any SQLDatabase) async throws -> Void) async throws {
        var logger = Logger(label: "guanxi-test-admin")
        logger.logLevel = .error
        let service = try DatabaseService(location: .postgres(url), logger: logger, connectionsPerLoop: 1)
        do { try await body(service.sql) } catch { await service.shutdown(); throw error }
        await service.shutdown()
    }
}
