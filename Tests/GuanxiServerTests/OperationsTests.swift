import Foundation
import OpenAPIRuntime
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import GuanxiPlatform

@Suite("Operations")
struct OperationsTests {
    @Test("/health, /ready and /metrics answer with real figures")
    func probes() async throws {
        try await TestApp.run(configure: { $0.trustProxy = true }) { app, client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.json["schema"] as? String == "current")
            _ = try await client.execute(uri: "/login", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "127.0.0.1"])
            #expect(metrics.text.contains(#"guanxi_http_requests_total{route="/login",method="GET",status="200"} 1"#))
            #expect(metrics.text.contains("guanxi_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("guanxi_database_up 1"))
            #expect(metrics.text.contains("guanxi_database_ping_seconds "))
            #expect(metrics.text.contains("guanxi_database_pool_max_connections \(app.services.database.maxConnections)"))
            #expect(metrics.text.contains(#"guanxi_jobs{status="queued"}"#))
        }
    }

    @Test("/metrics answers the loopback address only, or with a token configured only clients sending it")
    func metricsAccess() async throws {
        let forwarded = HTTPField.Name("X-Forwarded-For")!
        try await TestApp.run(configure: { $0.trustProxy = true }) { _, client in
            let outside = try await client.execute(uri: "/metrics", method: .get, headers: [forwarded: "203.0.113.5"])
            #expect(outside.status == .forbidden)
            let local = try await client.execute(uri: "/metrics", method: .get, headers: [forwarded: "::1"])
            #expect(local.status == .ok)
        }
        try await TestApp.run(configure: { ($0.trustProxy, $0.metricsToken) = (true, "scrape-token-0123456789") }) { _, client in
            let local = try await client.execute(uri: "/metrics", method: .get, headers: [forwarded: "127.0.0.1"])
            #expect(local.status == .forbidden)
            let wrong = try await client.execute(uri: "/metrics", method: .get, headers: [forwarded: "127.0.0.1", .authorization: "Bearer wrong-token-0123456789"])
            #expect(wrong.status == .forbidden)
            let scraped = try await client.execute(uri: "/metrics", method: .get, headers: [forwarded: "203.0.113.5", .authorization: "Bearer scrape-token-0123456789"])
            #expect(scraped.status == .ok)
            #expect(scraped.text.contains("guanxi_database_up 1"))
        }
    }

    @Test("With an https public address every answer tells browsers to keep to https (HSTS); without one, none does")
    func strictTransportSecurity() async throws {
        let hsts = HTTPField.Name("Strict-Transport-Security")!
        try await TestApp.run(configure: { $0.publicURL = "https://crm.example.cn" }) { _, client in
            let page = try await client.execute(uri: "/login", method: .get)
            #expect(page.headers[hsts] == "max-age=31536000")
            let api = try await client.execute(uri: "/api/v1/customers", method: .get)
            #expect(api.headers[hsts] == "max-age=31536000")
        }
        try await TestApp.run { _, client in
            let page = try await client.execute(uri: "/login", method: .get)
            #expect(page.headers[hsts] == nil)
        }
    }

    @Test("Every answer carries a request id, echoing the client's when it sends one")
    func requestID() async throws {
        try await TestApp.run { _, client in
            let generated = try await client.execute(uri: "/health", method: .get)
            #expect((generated.headers[HTTPField.Name("X-Request-Id")!] ?? "").count >= 8)
            let echoed = try await client.execute(uri: "/health", method: .get, headers: [HTTPField.Name("X-Request-Id")!: "trace-123"])
            #expect(echoed.headers[HTTPField.Name("X-Request-Id")!] == "trace-123")
            #expect(echoed.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(echoed.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
        }
    }

    @Test("A job queued once runs exactly once however many workers poll")
    func jobsRunOnce() async throws {
        try await TestApp.run { app, _ in
            let counter = Counter()
            let handlers: [String: JobHandler] = ["count": { _ in await counter.bump() }]
            let logger = Logger(label: "jobs")
            // On PostgreSQL a second app instance shares the database, as two servers behind a load balancer would.
            var queues = [app.services.jobs]
            var second: AppServices?
            if case .postgres = app.services.config.database {
                second = try await AppServices(config: app.services.config, clock: app.clock, logger: logger, bcryptCost: 4)
                queues.append(second!.jobs)
            }
            let workers = (0..<4).map { JobWorker(queue: queues[$0 % queues.count], handlers: handlers, pollInterval: 1, clock: app.clock, logger: logger) }
            for _ in 0..<20 { try await app.services.jobs.enqueue(kind: "count") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers { group.addTask { while try await worker.runOne() {} } }
                try await group.waitForAll()
            }
            await second?.database.shutdown()
            #expect(await counter.value == 20)
            #expect(try await app.services.jobs.counts()["done"] == 20)
        }
    }

    @Test("A failing job is retried, then marked failed with its error")
    func jobRetries() async throws {
        try await TestApp.run { app, _ in
            let worker = JobWorker(queue: app.services.jobs, handlers: ["boom": { _ in throw GuanxiError(.internal, "exploded") }],
                                   pollInterval: 1, clock: app.clock, logger: Logger(label: "jobs"))
            try await app.services.jobs.enqueue(kind: "boom", maxAttempts: 2)
            #expect(try await worker.runOne())
            #expect(try await worker.runOne() == false)
            app.clock.advance(by: 61)
            #expect(try await worker.runOne())
            let error = try await app.services.database.sql.select().column("last_error").from("jobs").first(decodingColumn: "last_error", as: String.self)
            #expect(error?.contains("exploded") == true)
            #expect(try await app.services.jobs.counts()["failed"] == 1)
        }
    }

    @Test("The hourly housekeeping job removes expired sessions and old finished jobs, once per hour")
    func housekeeping() async throws {
        try await TestApp.run(configure: { $0.sessionIdleTimeout = 60 }) { app, client in
            var browser = Browser(client)
            try await browser.signIn("admin", TestApp.adminPassword)
            try await app.services.jobs.enqueue(kind: "noop")
            let worker = JobWorker(queue: app.services.jobs, handlers: app.services.jobHandlers().merging(["noop": { _ in }]) { a, _ in a },
                                   pollInterval: 1, clock: app.clock, logger: Logger(label: "jobs"))
            #expect(try await worker.runOne())
            app.clock.advance(by: 8 * 86_400)
            try await worker.scheduleHousekeeping()
            try await worker.scheduleHousekeeping()
            #expect(try await app.services.jobs.counts()["queued"] == 1)
            #expect(try await worker.runOne())
            let sessions = try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM sessions").first(decodingColumn: "n", as: Int.self)
            #expect(sessions == 0)
            // The noop job was purged; the housekeeping run itself is the one finished job left.
            #expect(try await app.services.jobs.counts() == ["done": 1])
        }
    }

    @Test("backup writes a consistent copy that restore puts back")
    func backupAndRestore() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = AppConfig.testing(environment: [:])
        config.dataDirectory = dir.path
        config.database = .sqliteFile(dir.appendingPathComponent("guanxi.sqlite").path)
        let backupFile = dir.appendingPathComponent("copy.sqlite").path
        try await Runtime.withServices(config) { services in
            _ = try await services.departments.create(name: "Before backup", parentID: nil, by: PrincipalLoader.console())
            try await Backup.backup(services, to: backupFile)
            _ = try await services.departments.create(name: "After backup", parentID: nil, by: PrincipalLoader.console())
            await #expect(throws: GuanxiError.self) { try await Backup.backup(services, to: backupFile) }
        }
        let kept = try Backup.restore(from: backupFile, config: config)
        #expect(kept.contains("before-restore"))
        let names = try await Runtime.withServices(config) { try await $0.departments.list(for: PrincipalLoader.console()).map(\.name) }
        #expect(names == ["Before backup"])
        #expect(throws: GuanxiError.self) { try Backup.restore(from: kept + "-missing", config: config) }
    }
}

actor Counter {
    var value = 0
    func bump() { value += 1 }
}

@Suite("Test setup")
struct TestSetupTests {
    @Test("The suites run on the engine CI asked for")
    func engine() async throws {
        try await TestApp.run { app, _ in
            let wanted: SQLEngine = ProcessInfo.processInfo.environment["GUANXI_TEST_DATABASE_URL"] == nil ? .sqlite : .postgres
            #expect(app.services.database.engine == wanted)
            let version = try await app.services.database.sql.raw(wanted == .sqlite ? "SELECT sqlite_version() AS v" : "SELECT version() AS v")
                .first(decodingColumn: "v", as: String.self)
            #expect(version?.isEmpty == false)
        }
    }
}

@Suite("Logging")
struct LoggingTests {
    @Test("A failed API call is logged without the caller's token")
    func noTokenInLogs() throws {
        let error = ServerError(
            operationID: "getMe", request: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/api/v1/me",
                                                     headerFields: [.authorization: "Bearer gx_secret_value"]),
            requestBody: nil, requestMetadata: .init(), causeDescription: "User handler threw an error.",
            underlyingError: GuanxiError(.internal, "boom"))
        let line = ErrorResponder.logDescription(error)
        #expect(line.contains("getMe"))
        #expect(line.contains("boom"))
        #expect(!line.contains("gx_secret_value"))
    }
}
