import FluentKit
import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import Logging
import SQLKit
import Testing
import GuanxiPlatform

@Suite("Migrations")
struct MigrationTests {
    func withDatabase(_ body: (DatabaseService) async throws -> Void) async throws {
        let scratch = try await ScratchDatabase.make(for: AppConfig.testing().database)
        var logger = Logger(label: "migration-test")
        logger.logLevel = .error
        let database = try DatabaseService(location: scratch.location, logger: logger, connectionsPerLoop: 2)
        do { try await body(database) } catch { await database.shutdown(); try await scratch.drop(); throw error }
        await database.shutdown()
        try await scratch.drop()
    }

    func tables(_ db: DatabaseService) async throws -> Set<String> {
        let sql = db.engine == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        return Set(try await db.sql.raw(SQLQueryString(sql)).all(decodingColumn: "name", as: String.self))
    }

    @Test("All migrations apply, then revert one by one back to an empty schema")
    func upAndDown() async throws {
        try await withDatabase { db in
            let migrator = Migrator(db: db.db, migrations: AllMigrations.list)
            #expect(try await migrator.migrate() == AllMigrations.list.map(\.name))
            #expect(try await migrator.state() == .current)
            #expect(try await tables(db).isSuperset(of: ["users", "departments", "roles", "sessions", "api_tokens", "audit_entries", "jobs"]))
            #expect(try await migrator.migrate().isEmpty)
            let reverted = try await migrator.revert(steps: AllMigrations.list.count)
            #expect(reverted == AllMigrations.list.map(\.name).reversed())
            #expect(try await tables(db) == [Migrator.table])
            #expect(try await migrator.migrate().count == AllMigrations.list.count)
        }
    }

    @Test("No table has two indexes on the same columns: each one is kept up on every write")
    func noIndexTwice() async throws {
        try await withDatabase { db in
            _ = try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
            // Each index as its table and what it indexes ("ON customers (lower(email))"), without its name, quotes, spaces or case.
            let definitions = db.engine == .sqlite
                ? "SELECT name, substr(sql, instr(upper(sql), ' ON ')) AS d FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                : "SELECT indexname AS name, substr(indexdef, strpos(indexdef, ' ON ')) AS d FROM pg_indexes WHERE schemaname = current_schema()"
            var seen: [String: String] = [:]
            var twice: [String] = []
            for row in try await db.sql.raw(SQLQueryString(definitions)).all() {
                let name = try row.decode(column: "name", as: String.self)
                let key = try row.decode(column: "d", as: String.self).lowercased().filter { $0 != "\"" && !$0.isWhitespace }
                if let first = seen[key] { twice.append("\(first) = \(name)") } else { seen[key] = name }
            }
            #expect(seen.count > 50)
            #expect(twice.isEmpty, "\(twice)")
        }
    }

    struct Failing: GuanxiMigration {
        let name = "0999_Fails"
        func prepare(on db: any Database) async throws {
            try await db.schema("half_done").field("id", .int).create()
            throw GuanxiError(.internal, "boom")
        }
        func revert(on db: any Database) async throws {}
    }

    @Test("A failed migration run leaves the database exactly as it was")
    func failureRollsBack() async throws {
        try await withDatabase { db in
            let migrator = Migrator(db: db.db, migrations: AllMigrations.list + [Failing()])
            await #expect(throws: GuanxiError.self) { try await migrator.migrate() }
            let left = try await tables(db)
            #expect(left == [Migrator.table])
            let state = try await Migrator(db: db.db, migrations: AllMigrations.list).state()
            #expect(state == .pending(AllMigrations.list.map(\.name)))
        }
    }

    @Test("A schema written by a newer Guanxi is refused with a clear message")
    func newerSchema() async throws {
        try await withDatabase { db in
            try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
            try await db.sql.insert(into: Migrator.table).columns("name", "applied_at").values(SQLBind("0999_FromTheFuture"), SQLBind(Date())).run()
            #expect(try await Migrator(db: db.db, migrations: AllMigrations.list).state() == .newerThanThisBuild(["0999_FromTheFuture"]))
            do {
                try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
                Issue.record("migrate should refuse")
            } catch let error as GuanxiError {
                #expect(error.message.contains("newer version of Guanxi"))
                #expect(error.message.contains("0999_FromTheFuture"))
            }
        }
    }

    @Test("The server does not start on a schema it does not know")
    func serverRefuses() async throws {
        // A shared in-memory database would vanish with its connection, so use a file.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = AppConfig.testing(environment: [:])
        config.database = .sqliteFile(dir.appendingPathComponent("g.sqlite").path)
        let first = try await AppServices(config: config, logger: Logger(label: "t"), bcryptCost: 4)
        try await Migrator(db: first.database.db, migrations: AllMigrations.list).migrate()
        try await first.database.sql.insert(into: Migrator.table).columns("name", "applied_at").values(SQLBind("0999_FromTheFuture"), SQLBind(Date())).run()
        await #expect(throws: GuanxiError.self) { _ = try await GuanxiApp.build(services: first, runJobs: false) }
        await first.database.shutdown()
    }
}
