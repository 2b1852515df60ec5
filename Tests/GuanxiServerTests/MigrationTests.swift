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

    @Test("On SQLite an import's ledger and contacts' phones and e-mails are stored in key order (0045): no second copy of the key; rows and indexes kept through revert and migrate")
    func storedByKey() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            _ = try await ImportTests.importing(app, .contacts, "姓名,公司,手机,邮箱\n王伟,星辰科技,138 0013 8000,wang@xingchen.cn\n李娜,星辰科技,139 1111 2222,\n", ImportSettings())
            let sql = app.services.database.sql
            let tables = ["import_job_records", "contact_channels"]
            func rows() async throws -> [String] {
                try await sql.raw("SELECT contact_id || kind || position || value || normalized AS r FROM contact_channels ORDER BY r").all(decodingColumn: "r", as: String.self)
                    + sql.raw("SELECT job_id || record_kind || record_id || line || action AS r FROM import_job_records ORDER BY r").all(decodingColumn: "r", as: String.self)
            }
            func keyed() async throws -> [Bool] {
                var out: [Bool] = []
                for table in tables {
                    out.append(try #require(try await sql.raw("SELECT sql FROM sqlite_master WHERE name = \(bind: table)").first()).decode(column: "sql", as: String.self).hasSuffix("WITHOUT ROWID"))
                }
                return out
            }
            func indexes() async throws -> [String] {
                try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contact_channels', 'import_job_records') ORDER BY name")
                    .all(decodingColumn: "name", as: String.self)
            }
            let before = try await rows()
            #expect(before.count == 3 + 3)
            #expect(try await keyed() == [true, true])
            #expect(try await indexes() == ["contact_channels_value_idx"])
            let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT value FROM contact_channels WHERE contact_id = 'x'").all(decodingColumn: "detail", as: String.self)
            #expect(plan.contains { $0.contains("USING PRIMARY KEY") }, "\(plan)")

            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 2) == ["0046_CoverSearchesOnPostgreSQL", "0045_StoreLedgerAndChannelsByKey"])
            #expect(try await keyed() == [false, false])
            #expect(try await indexes() == ["contact_channels_value_idx", "sqlite_autoindex_contact_channels_1", "sqlite_autoindex_import_job_records_1"])
            #expect(try await rows() == before)
            #expect(try await migrator.migrate() == ["0045_StoreLedgerAndChannelsByKey", "0046_CoverSearchesOnPostgreSQL"])
            #expect(try await keyed() == [true, true])
            #expect(try await indexes() == ["contact_channels_value_idx"])
            #expect(try await rows() == before)
            #expect(try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok")
            // Foreign keys still hold: a contact's deletion takes its phones, an import's its ledger.
            try await sql.raw("DELETE FROM contacts WHERE name = '王伟'").run()
            try await sql.raw("DELETE FROM import_jobs").run()
            #expect(try await rows().count == 1)
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
