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
    @Test("Giving records their search keys looks each one up by its record id (the unique index), not by kind alone")
    func catchUpUsesTheKeyIndex() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            try await SQLiteSearchIndex.createPendingTable(on: app.services.database.sql)
            for table in ["customers", "contacts", "leads", "opportunities"] {
                for after in [nil, UUID()] as [UUID?] {
                    let sort = try await SQLiteSearchIndex.sortColumn(of: table, on: app.services.database.sql)
                    #expect((sort != nil) == (table != "opportunities"), "\(table)")
                    let statement = SQLiteSearchIndex.pendingKeys(table, SQLiteSearchIndex.records(table, after: after, size: 100, sortColumn: sort), sortColumn: sort)
                    let plan = try await app.services.database.sql.raw("EXPLAIN QUERY PLAN \(statement)").all()
                        .map { try $0.decode(column: "detail", as: String.self) }
                    #expect(plan.contains { $0.contains("search_keys") && $0.contains("(record_id=?)") }, "\(table): \(plan)")
                    #expect(!plan.contains { $0.contains("search_keys") && $0.hasSuffix("(kind=?)") }, "\(table): \(plan)")
                }
                // All at once, the records are read as they lie, not along an index in another
                // order; and the index rows are written in their keys' order.
                let all = try await app.services.database.sql.raw("EXPLAIN QUERY PLAN \(SQLiteSearchIndex.records(table, after: nil, size: .max, sortColumn: "id"))").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
                #expect(all == ["SCAN \(table)"], "\(table): \(all)")
                let fill = try await app.services.database.sql.raw("EXPLAIN QUERY PLAN \(SQLiteSearchIndex.fillStatement(table))").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
                #expect(fill.first == "SCAN k", "\(table): \(fill)")
                #expect(!fill.contains { $0.contains("TEMP B-TREE") }, "\(table): \(fill)")
                // The keys a step adds go in in their numbers' order, with the text kept beside them.
                let pending = try await app.services.database.sql.raw("EXPLAIN QUERY PLAN \(SQLiteSearchIndex.fillPendingStatement(table))").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
                #expect(pending == ["SCAN temp.search_pending"], "\(table): \(pending)")
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
            #expect(try await sql.raw("SELECT count(*) AS n FROM customers_search_fts").first()?.decode(column: "n", as: Int.self) == 23)
            // The keys the catch-up gave hold their records' sort keys, as the trigger's do.
            #expect(try await Self.staleSortKeys("customers", on: sql) == 0)
            #expect(try await sql.raw("SELECT count(*) AS n FROM search_keys WHERE kind = 'customers' AND sort IS NULL").first()?.decode(column: "n", as: Int.self) == 0)
        }
    }

    @Test("Each kind has its own index table: a search reads only its kind's rows, and an index from before the split is rebuilt from the search keys")
    func indexPerKind() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            let sql = app.services.database.sql
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "星河科技"
            let customer = try await app.services.customers.create(company, by: admin)
            var person = ContactInput()
            (person.name, person.customerID) = ("星河科技的王秀英", customer.id)
            _ = try await app.services.contacts.create(person, by: admin)
            func rows(_ table: String) async throws -> Int {
                try await sql.raw("SELECT count(*) AS n FROM \(ident: SQLiteSearchIndex.ftsTable(table)) WHERE \(ident: SQLiteSearchIndex.ftsTable(table)) MATCH \(bind: SQLSearch.trigrams("星河科技").query)")
                    .first()?.decode(column: "n", as: Int.self) ?? -1
            }
            func found(_ table: String, _ term: String) async throws -> Int {
                try await sql.select().column("id").from(table).where(SQLSearch.matches(table, term, engine: .sqlite)).all().count
            }
            #expect(try await rows("customers") == 1)
            #expect(try await rows("contacts") == 1)
            #expect(try await rows("leads") == 0)
            let condition = SQLSearch.matches("leads", "星河科技", engine: .sqlite)
            let text = sql.serialize(condition).sql
            #expect(text.contains("\"leads_search_fts\" MATCH") && !text.contains("contacts") && !text.contains("customers"), "\(text)")
            let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT id FROM leads WHERE \(condition)").all()
                .map { try $0.decode(column: "detail", as: String.self) }
            #expect(plan.contains { $0.contains("VIRTUAL TABLE INDEX 0:M") }, "\(plan)")

            // Back to the shared table of migration 0014: its triggers index a customer saved meanwhile.
            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 26) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers", "0052_IndexOnlyRowsThatHoldAValue", "0051_DropOwnerNameIndexes", "0050_IndexSearchTrigramsWithoutPositions", "0049_IndexReferencesToRecords", "0048_DeflateImportFiles", "0047_StoreIDsAsBytes", "0046_CoverSearchesOnPostgreSQL", "0045_StoreLedgerAndChannelsByKey", "0044_DropDuplicateCustomerEmailIndex", "0043_CoverShortNameSearches", "0042_KeepSortKeysWithSearchKeys", "0041_AddTextMessages", "0040_CreateMessageTemplates", "0039_CreateNotifications", "0038_CreateInbox", "0037_CreatePasswordResets", "0036_CreateOutbox", "0035_CreateSalesTargets", "0034_AddNameSortKeys", "0033_CreateListColumns", "0032_SplitSearchIndexByKind"])
            #expect(try await sql.raw("SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH '\"星河科技\"'").first()?.decode(column: "n", as: Int.self) == 2)
            // Before migration 0047 the ids are their text.
            try await sql.raw("UPDATE customers SET search_text = '星河科技集团' WHERE id = \(bind: customer.id!.uuidString)").run()
            #expect(try await sql.raw("SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH '\"科技集团\"'").first()?.decode(column: "n", as: Int.self) == 1)
            // A database upgraded from before migration 0014 got the customers' own table there,
            // already filled: it is built again, without a second row per record.
            try await SQLiteSearchIndex.createFTSTable("customers", on: sql)
            try await SQLiteSearchIndex.fill("customers", on: sql)
            #expect(try await migrator.migrate() == ["0032_SplitSearchIndexByKind", "0033_CreateListColumns", "0034_AddNameSortKeys", "0035_CreateSalesTargets", "0036_CreateOutbox", "0037_CreatePasswordResets", "0038_CreateInbox", "0039_CreateNotifications", "0040_CreateMessageTemplates", "0041_AddTextMessages", "0042_KeepSortKeysWithSearchKeys", "0043_CoverShortNameSearches", "0044_DropDuplicateCustomerEmailIndex", "0045_StoreLedgerAndChannelsByKey", "0046_CoverSearchesOnPostgreSQL", "0047_StoreIDsAsBytes", "0048_DeflateImportFiles", "0049_IndexReferencesToRecords", "0050_IndexSearchTrigramsWithoutPositions", "0051_DropOwnerNameIndexes", "0052_IndexOnlyRowsThatHoldAValue", "0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await sql.raw("SELECT 1 AS x FROM sqlite_master WHERE name = 'search_fts'").first() == nil)
            #expect(try await sql.raw("SELECT count(*) AS n FROM customers_search_fts WHERE customers_search_fts MATCH \(bind: SQLSearch.trigrams("科技集团").query)").first()?.decode(column: "n", as: Int.self) == 1)
            #expect(try await sql.raw("SELECT (SELECT count(*) FROM customers_search_fts) = (SELECT count(*) FROM search_keys WHERE kind = 'customers') AS same").first()?.decode(column: "same", as: Bool.self) == true)
            #expect(try await found("customers", "科技集团") == 1)
            #expect(try await found("contacts", "星河科技") == 1)
            #expect(try await found("contacts", "科技集团") == 0)
            // The triggers are the new ones: a change and a deletion reach the kind's own table.
            try await sql.raw("UPDATE customers SET search_text = '银河贸易' WHERE id = \(bind: customer.id!)").run()
            #expect(try await found("customers", "科技集团") == 0)
            #expect(try await found("customers", "银河贸易") == 1)
            // Migration 0042 gave the keys their sort keys, and its trigger keeps them in step.
            #expect(try await Self.staleSortKeys("customers", on: sql) == 0)
            #expect(try await Self.staleSortKeys("contacts", on: sql) == 0)
            try await sql.raw("UPDATE customers SET name_sort = 'yinhe' WHERE id = \(bind: customer.id!)").run()
            #expect(try await sql.raw("SELECT sort FROM search_keys WHERE record_id = \(bind: customer.id!)").first()?.decode(column: "sort", as: String.self) == "yinhe")
        }
    }

    /// Search keys of `table` whose sort key is not their record's `name_sort`.
    static func staleSortKeys(_ table: String, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("""
            SELECT count(*) AS n FROM search_keys k JOIN \(ident: table) t ON t.id = k.record_id WHERE k.kind = \(bind: table) AND k.sort IS NOT t.name_sort
            """).first()?.decode(column: "n", as: Int.self) ?? -1
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

    @Test("A term longer than one trigram is looked up by trigrams that cover it and confirmed on the record's text: a record holding them apart is not found — listed by name (the index's own order), by last change, or counted; the index keeps no positions, and reverting migration 0050 gives them back with the same answers")
    func trigramsConfirmed() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let sql = app.services.database.sql
            for name in ["Mitchell Lee", "Amit Hatch", "米切尔 Mitch"] {
                var person = ContactInput()
                person.name = name
                _ = try await app.services.contacts.create(person, by: admin)
            }
            func found(_ term: String, _ sort: ContactFilter.Sort) async throws -> [String] {
                var filter = ContactFilter()
                (filter.search, filter.sort) = (term, sort)
                return try await app.services.contactQuery.list(filter, for: admin).contacts.map(\.name).sorted()
            }
            func counted(_ term: String) async throws -> Int {
                var filter = ContactFilter()
                filter.search = term
                return try await app.services.contactQuery.count(filter, for: admin, cap: 100)
            }
            func answers() async throws {
                for sort in ContactFilter.Sort.allCases {
                    #expect(try await found("mitch", sort) == ["Mitchell Lee", "米切尔 Mitch"], "\(sort)")
                    #expect(try await found("MITCH", sort) == ["Mitchell Lee", "米切尔 Mitch"], "\(sort)")
                    #expect(try await found("t ha", sort) == ["Amit Hatch"], "\(sort)")
                    #expect(try await found("mit", sort) == ["Amit Hatch", "Mitchell Lee", "米切尔 Mitch"], "\(sort)")
                    #expect(try await found("米切尔", sort) == ["米切尔 Mitch"], "\(sort)")
                }
                #expect(try await counted("mitch") == 2)
                #expect(try await counted("hatch") == 1)
            }
            try await answers()
            #expect(SQLSearch.trigrams("smith") == ("\"smi\" AND \"ith\"", false))
            #expect(SQLSearch.trigrams("mitchell") == ("\"mit\" AND \"che\" AND \"ell\"", false))
            #expect(SQLSearch.trigrams("a\"b") == ("\"a\"\"b\"", true))
            guard app.services.database.engine == .sqlite else { return }
            // The index alone holds "mit" and "tch" in all three; the records' text tells them apart.
            func inIndex(_ term: String) async throws -> Int? {
                try await sql.raw("SELECT count(*) AS n FROM contacts_search_fts WHERE contacts_search_fts MATCH \(bind: SQLSearch.trigrams(term).query)")
                    .first()?.decode(column: "n", as: Int.self)
            }
            #expect(try await inIndex("mitch") == 3)
            #expect(try await SQLiteSearchIndex.keepsPositions("contacts", on: sql) == false)
            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 8) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers", "0052_IndexOnlyRowsThatHoldAValue", "0051_DropOwnerNameIndexes", "0050_IndexSearchTrigramsWithoutPositions"])
            for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
                #expect(try await SQLiteSearchIndex.keepsPositions(table, on: sql), "\(table)")
            }
            #expect(try await sql.raw("SELECT count(*) AS n FROM contacts_search_fts WHERE contacts_search_fts MATCH '\"mitch\"'").first()?.decode(column: "n", as: Int.self) == 2)
            try await answers()
            #expect(try await migrator.migrate() == ["0050_IndexSearchTrigramsWithoutPositions", "0051_DropOwnerNameIndexes", "0052_IndexOnlyRowsThatHoldAValue", "0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            for table in try await SQLiteSearchIndex.indexedTables(on: sql) {
                #expect(try await !SQLiteSearchIndex.keepsPositions(table, on: sql), "\(table)")
            }
            #expect(try await inIndex("mitch") == 3)
            try await answers()
        }
    }
}
