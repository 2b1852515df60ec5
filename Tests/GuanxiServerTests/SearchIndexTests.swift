import FluentKit
import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import SQLKit
import Synchronization
import Testing
@testable import GuanxiPlatform

/// SQLite's search index catching up with records saved while its insert trigger was set
/// aside (after a large import): by the index, in short steps, stoppable between them.
@Suite("Search index catch-up")
struct SearchIndexTests {
    @Test("Giving records their search keys looks each one up by (kind, record id), not by kind alone")
    func catchUpUsesTheKeyIndex() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            for table in ["customers", "contacts", "leads", "opportunities"] {
                for after in [nil, UUID()] as [UUID?] {
                    let statement = SQLiteSearchIndex.addKeys(table, SQLiteSearchIndex.records(table, after: after, size: 100))
                    let plan = try await app.services.database.sql.raw("EXPLAIN QUERY PLAN \(statement)").all()
                        .map { try $0.decode(column: "detail", as: String.self) }
                    #expect(plan.contains { $0.contains("search_keys") && $0.contains("(kind=? AND record_id=?)") }, "\(table): \(plan)")
                    #expect(!plan.contains { $0.contains("search_keys") && $0.hasSuffix("(kind=?)") }, "\(table): \(plan)")
                }
            }
        }
    }

    @Test("Records without keys are indexed a step at a time; stopped between steps, a later run goes on, and none is indexed twice")
    func catchUpInSteps() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            let sql = app.services.database.sql
            let admin = try await app.admin
            // Saved while the insert trigger is away, as during a large import.
            try await sql.raw("DROP TRIGGER customers_search_insert").run()
            for n in 0..<23 {
                var input = CustomerInput()
                input.name = "星河科技\(n)号"
                _ = try await app.services.customers.create(input, by: admin)
            }
            func found() async throws -> Int {
                try await sql.select().column("id").from("customers").where(SQLSearch.matches("customers", "星河科技", engine: .sqlite)).all().count
            }
            #expect(try await found() == 0)
            // Stopped after two steps of five: ten records indexed, the rest left.
            let steps = CallCount()
            await #expect(throws: CancellationError.self) {
                try await SQLiteSearchIndex.indexMissing("customers", on: app.services.database.db, step: 5, shouldStop: { steps.next() > 2 })
            }
            #expect(try await found() == 10)
            try await SQLiteSearchIndex.createInsertTrigger("customers", on: sql)
            try await SQLiteSearchIndex.indexMissing("customers", on: app.services.database.db, step: 5)
            #expect(try await found() == 23)
            let keys = try await sql.raw("SELECT count(*) AS n, count(DISTINCT record_id) AS d FROM search_keys WHERE kind = 'customers'").first()
            #expect(try keys?.decode(column: "n", as: Int.self) == 23)
            #expect(try keys?.decode(column: "d", as: Int.self) == 23)
            #expect(try await sql.raw("SELECT count(*) AS n FROM search_fts").first()?.decode(column: "n", as: Int.self) == 23)
        }
    }

    @Test("A large import on a serving process sets aside only the search index, and catches it up; the command line sets aside every scattered index")
    func servingImportKeepsItsIndexes() async throws {
        try await TestApp.run(configure: { ($0.importBatchRows, $0.importSetAsideRows) = (10, 20) }) { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            let admin = try await app.admin
            let sql = app.services.database.sql
            let imports = DataImport(services: app.services.customerFile)
            @Sendable func setAside() async throws -> [String] {
                try await sql.raw("SELECT name FROM set_aside_indexes ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
            }
            let file = Data(("姓名,公司\n" + (0..<25).map { "同事\($0),服务公司\($0 % 3)" }.joined(separator: "\n") + "\n").utf8)
            let job = try await imports.start(.contacts, fileName: "c.csv", data: file, settings: ImportSettings(), queue: false, by: admin)
            let seen = Observed()
            let done = try await imports.run(job.id, by: admin, serving: true) { _ in await seen.add(try await setAside()) }
            #expect(done.created == 25)
            #expect(await seen.seen.allSatisfy { $0 == ["contacts_search_insert", "customers_search_insert"] })
            #expect(try await setAside().isEmpty)
            let found = try await sql.select().column("id").from("contacts").where(SQLSearch.matches("contacts", "同事", engine: .sqlite)).all()
            #expect(found.count == 25)
        }
    }
}

/// Counts calls from any task, synchronously (a stop check cannot await).
final class CallCount: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
