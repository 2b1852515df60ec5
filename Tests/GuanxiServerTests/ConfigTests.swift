import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import Testing
@testable import GuanxiPlatform

@Suite("Configuration")
struct ConfigTests {
    func parse(_ values: [String: String]) -> (AppConfig, [String]) {
        var parser = ConfigParser(read: { values[$0] })
        let config = parser.parse()
        return (config, parser.problems)
    }

    @Test("Defaults start on SQLite under ./guanxi-data on port 8080")
    func defaults() {
        let (config, problems) = parse([:])
        #expect(problems.isEmpty)
        #expect(config.port == 8080)
        #expect(config.database == .sqliteFile("./guanxi-data/guanxi.sqlite"))
        #expect(config.defaultLocale == "zh-Hans")
        #expect(config.defaultTimeZone == "Asia/Shanghai")
    }

    @Test("Settings are read and the data folder moves the database")
    func values() {
        let (config, problems) = parse(["guanxi.port": "9090", "guanxi.host": "0.0.0.0", "guanxi.data.dir": "/srv/gx",
                                        "guanxi.database.url": "postgres://gx:pw@db:5432/gx", "guanxi.public.url": "https://crm.example.cn"])
        #expect(problems.isEmpty)
        #expect(config.port == 9090 && config.host == "0.0.0.0")
        #expect(config.dataDirectory == "/srv/gx")
        #expect(config.database == .postgres("postgres://gx:pw@db:5432/gx"))
        #expect(config.secureCookies)
    }

    @Test("Every bad value is reported at once, naming its variable, without leaking passwords")
    func problems() {
        let (_, problems) = parse(["guanxi.port": "eighty", "guanxi.database.url": "mysql://root:hunter2@x/db",
                                   "guanxi.log.level": "loud", "guanxi.default.time.zone": "Mars/Olympus", "guanxi.trust.proxy": "maybe"])
        #expect(problems.count == 5)
        #expect(problems.contains { $0.hasPrefix("GUANXI_PORT must be a whole number from 1 to 65535") })
        #expect(problems.contains { $0.hasPrefix("GUANXI_DATABASE_URL must look like postgres://") && !$0.contains("hunter2") })
        #expect(problems.contains { $0.hasPrefix("GUANXI_LOG_LEVEL") })
        #expect(problems.contains { $0.hasPrefix("GUANXI_DEFAULT_TIME_ZONE") })
        #expect(problems.contains { $0.hasPrefix("GUANXI_TRUST_PROXY") })
    }

    @Test("Command-line options override the environment")
    func overrides() async throws {
        let config = try await AppConfig.load(overrides: ["guanxi.port": "7001"], environmentFile: "/nonexistent/.env")
        #expect(config.port == 7001)
        await #expect(throws: GuanxiError.self) { _ = try await AppConfig.load(overrides: ["guanxi.port": "99999"], environmentFile: "/nonexistent/.env") }
    }
}
