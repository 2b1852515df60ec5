import FluentKit
import Foundation
@testable import GuanxiCustomerFile
@testable import GuanxiDataExchange
@testable import GuanxiPlatform
@testable import GuanxiServer
import SQLKit
import Testing

/// A common search term fills a list's first page by reading the list's order and testing
/// each row, instead of sorting every match (`SearchCondition`); both forms find the same rows.
@Suite("Search: the first page of a common term")
struct SearchFirstPageTests {
    static let names = ["王秀英", "李秀兰", "欧阳秀明", "秀云", "王伟", "张伟东", "Zhang Wei", "Emma Wang", "Huang Li", "emily stone",
                        "Wang Xiuying", "周杰", "Oliver Smith", "Li Na", "欧阳晓明", "Mia Huang", "秀", "Bob Angle"]

    @Test("Both forms of a term find the same contacts, page after page, in the list's order")
    func formsAgree() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            for (n, name) in Self.names.enumerated() {
                var input = ContactInput()
                input.name = name
                input.emails = [ContactChannel(kind: .email, value: "person\(n)@example.cn")]
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let database = app.services.database
            for term in ["秀", "王", "Wa", "em", "ang", "wang", "秀英", "example", "nobody", "0000"] {
                let search = SQLSearch.condition("contacts", term, engine: database.engine)
                let scanned = try #require(search.scanned, "\(term)")
                for keyset in [Keyset.text("name"), .time("updated_at")] {
                    let indexedRows = try await Self.walk(search.indexed, keyset, on: database.sql)
                    let scannedRows = try await Self.walk(scanned, keyset, on: database.sql)
                    #expect(indexedRows.map(\.id) == scannedRows.map(\.id), "\(term)")
                    if term == "秀" { #expect(Set(indexedRows.map(\.name)) == ["王秀英", "李秀兰", "欧阳秀明", "秀云", "秀"]) }
                    if term == "ang" { #expect(Set(indexedRows.map(\.name)) == ["Zhang Wei", "Emma Wang", "Huang Li", "Wang Xiuying", "Mia Huang", "Bob Angle"]) }
                    if term == "nobody" { #expect(indexedRows.isEmpty) }
                }
            }
        }
    }

    @Test("A list page reads its order up to a bound, testing each row, and falls back to the index when that does not fill it; the pages are the same either way")
    func listPagesWalkThenFallBack() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            for name in Self.names {
                var input = ContactInput()
                input.name = name
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let database = app.services.database
            let sorted = try await database.sql.select().columns("id", "name").from("contacts").orderBy("name").orderBy("id").all()
                .map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "name", as: String.self)) }
            // The boundary is the row that many places along the order, or nil past the end.
            let third = try await Keyset.text("name").boundary(of: database.sql.select().column("*").from("contacts"), after: nil, rows: 3)
            #expect(third?.id == sorted[2].0 && third?.value as? String == sorted[2].1)
            #expect(try await Keyset.text("name").boundary(of: database.sql.select().column("*").from("contacts"), after: nil, rows: sorted.count + 1) == nil)

            for term in ["秀", "王", "ang", "em", "nobody"] {
                let search = SQLSearch.condition("contacts", term, engine: database.engine)
                // Common from five matches: "秀" has five, "王" two.
                #expect(try await search.isCommon(on: database.sql, commonAt: 5) == (term == "秀" || term == "ang"), "\(term)")
                var expected: [String]?
                // Walks too short to fill a page (the index answers), and long enough.
                for walk in [1, 2, 5, 100] {
                    for limit in [1, 2, 4] {
                        var names: [String] = [], cursor: String?
                        repeat {
                            let page = try await Keyset.text("name").page(database.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("contacts"))).from("contacts"),
                                                                          search: search, cursor: cursor, limit: limit, walk: walk, commonAt: 1, as: Contact.self) { c, _ in .text(c.name) }
                            names += page.items.map(\.name)
                            cursor = page.next
                        } while cursor != nil
                        if let expected { #expect(names == expected, "\(term) walk \(walk) limit \(limit)") } else { expected = names }
                    }
                }
                #expect(expected == sorted.map(\.1).filter { name in Self.names.contains(name) && {
                    switch term {
                    case "秀": name.contains("秀")
                    case "王": name.hasPrefix("王")
                    case "ang": name.lowercased().contains("ang")
                    case "em": name.hasPrefix("Em") || name.hasPrefix("em")
                    default: false
                    }
                }() }, "\(term)")

                // A list by last change, newest first: every walk gives the index's pages (on
                // PostgreSQL the walk reads keys and goes through the ordered page).
                let byChange = Keyset.time("updated_at")
                let list = { database.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("contacts"))).from("contacts") }
                let indexedIDs = try await byChange.ids(list().where(search.indexed), table: "contacts", limit: 1_000)
                for walk in [1, 2, 5, 100] {
                    var ids: [UUID] = [], cursor: String?
                    repeat {
                        let page = try await byChange.page(list(), search: search, cursor: cursor, limit: 2, walk: walk, commonAt: 1, as: Contact.self) { c, _ in .time(c.updatedAt) }
                        ids += page.items.map { $0.id! }
                        cursor = page.next
                    } while cursor != nil
                    #expect(ids == indexedIDs, "\(term) by last change, walk \(walk)")
                }
            }

            // Read along the name-order index: no sort of the matches.
            if database.engine == .sqlite {
                let scanned = SQLSearch.condition("contacts", "秀", engine: .sqlite).scanned!
                let query = database.sql.select().column("id").from("contacts").where(scanned).orderBy("name_sort").orderBy("id").limit(51)
                let plan = try await database.sql.raw("EXPLAIN QUERY PLAN \(query.select)").all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.contains("contacts_name_sort_idx") }, "\(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            }
        }
    }

    @Test("A list in name order takes a term's matches in the order their search keys hold, reads only the records it shows, and gives the pages the index gives")
    func namesInKeyOrder() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "星河科技"
            let customer = try await app.services.customers.create(company, by: admin)
            // Three people share a name: their order is their ids'.
            for (n, name) in (Self.names + ["Emma Wang", "Emma Wang"]).enumerated() {
                var input = ContactInput()
                (input.name, input.customerID) = (name, n % 2 == 0 ? customer.id : nil)
                input.emails = [ContactChannel(kind: .email, value: "person\(n)@example.cn")]
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let database = app.services.database
            let sql = database.sql
            // A renamed contact moves in the order, its key with it.
            let renamed = try #require(try await Contact.query(on: database.db).filter(\.$name == "Bob Angle").first())
            var change = ContactInput()
            change.name = "安格 Bob"
            _ = try await app.services.contacts.update(renamed.requireID(), change, expectedVersion: nil, by: admin)
            if database.engine == .sqlite {
                let stale = try await sql.raw("""
                    SELECT count(*) AS n FROM search_keys k JOIN contacts c ON c.id = k.record_id WHERE k.kind = 'contacts' AND k.sort IS NOT c.name_sort
                    """).first()?.decode(column: "n", as: Int.self)
                #expect(stale == 0)
            }

            let everyone = { sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("contacts"))).from("contacts") }
            for term in ["ang", "wang", "秀英", "example", "安格", "nobody", "秀", "王", "em", "Wa"] {
                let search = SQLSearch.condition("contacts", term, engine: database.engine)
                // SQLite's search keys order a term of three characters or more, and its name
                // indexes a shorter one (merged in name order); PostgreSQL's name indexes a short one.
                #expect((search.ordered != nil) == (database.engine == .sqlite || term.count < 3), "\(term)")
                #expect((search.orderedFrom != nil) == (database.engine == .sqlite), "\(term)")
                for ascending in [true, false] {
                    let keyset = Keyset.text("name_sort", ascending: ascending)
                    for withCustomer in [false, true] {
                        let list = { withCustomer ? everyone().where("customer_id", .equal, customer.id!) : everyone() }
                        // What the index gives, sorted: every match read and ordered by the records.
                        let expected = try await keyset.ids(list().where(search.indexed), table: "contacts", limit: 1_000)
                        for limit in [1, 2, 50] {
                            var ids: [UUID] = [], cursor: String?
                            repeat {
                                let page = try await keyset.page(list(), search: search, cursor: cursor, limit: limit, commonAt: .max, as: Contact.self) { c, _ in .text(c.nameSort ?? "") }
                                ids += page.items.map { $0.id! }
                                cursor = page.next
                            } while cursor != nil
                            #expect(ids == expected, "\(term) ascending \(ascending) customer \(withCustomer) limit \(limit)")
                        }
                        if term == "wang" && !withCustomer { #expect(expected.count == 4) }
                        if term == "安格" && !withCustomer { #expect(expected.count == 1) }
                    }
                }
            }

            // The page follows the keys' order, not the records': a key moved first by hand
            // brings its contact first, though its name sorts it later.
            if database.engine == .sqlite {
                let last = try #require(try await Contact.query(on: database.db).filter(\.$name == "Wang Xiuying").first())
                try await sql.raw("UPDATE search_keys SET sort = '' WHERE record_id = \(bind: last.requireID())").run()
                let page = try await Keyset.text("name_sort").page(everyone(), search: SQLSearch.condition("contacts", "wang", engine: .sqlite), cursor: nil, limit: 2,
                                                                   commonAt: .max, as: Contact.self) { c, _ in .text(c.nameSort ?? "") }
                #expect(page.items.first?.name == "Wang Xiuying", "\(page.items.map(\.name))")
                try await sql.raw("UPDATE search_keys SET sort = \(bind: last.nameSort ?? "") WHERE record_id = \(bind: last.requireID())").run()
            }

            // One sort, of the matches' keys; the records are read in that order, not sorted.
            if database.engine == .sqlite {
                let search = SQLSearch.condition("contacts", "wang", engine: .sqlite)
                for window in [nil, 204] as [Int?] {
                    let page = try Keyset.text("name_sort").orderedPage(everyone(), table: SQLIdentifier("contacts"), ordered: search.ordered!.matches, cursor: nil, limit: 50, window: window)
                    let plan = try await sql.raw("EXPLAIN QUERY PLAN \(page.select)").all().map { try $0.decode(column: "detail", as: String.self) }
                    #expect(plan.contains { $0 == "CO-ROUTINE m" }, "\(plan)")
                    #expect(plan.filter { $0.contains("TEMP B-TREE") }.count == 1, "\(plan)")
                    #expect(plan.contains { $0.contains("SEARCH contacts USING INDEX") && $0.contains("(id=?)") }, "\(plan)")
                    #expect(!plan.contains { $0.hasPrefix("SCAN contacts") }, "\(plan)")
                }
            }
        }
    }

    @Test("On SQLite, a short name term is answered from the name indexes: they hold each person's place in name order, and the name-order index holds the name the first look along it tests")
    func shortNamesFromTheirIndexes() async throws {
        try await TestApp.run { app, _ in
            let database = app.services.database
            guard database.engine == .sqlite else { return }
            let sql = database.sql
            let plan = { (query: SQLSelectBuilder) in
                try await sql.raw("EXPLAIN QUERY PLAN \(query.select)").all().map { try $0.decode(column: "detail", as: String.self) }
            }
            for table in SQLSearch.personNames.sorted() {
                for term in ["秀", "王伟", "li"] {
                    let search = SQLSearch.condition(table, term, engine: .sqlite)
                    // Every range read from its index, none by reading the table. Each index holds
                    // the place in name order, which SQLite takes from the index entry to decide
                    // whether the row enters the page before it reads the row (its deferred seek).
                    let matches = try await plan(sql.select().column("*").from(table).where(search.indexed).orderBy("name_sort").orderBy("id").limit(51))
                    for index in ["name_sort_idx", "name_from2_idx", "name_from3_idx"] {
                        #expect(matches.contains { $0.contains("INDEX \(table)_\(index) ") }, "\(table) \(term) \(matches)")
                        let columns = try await sql.raw("SELECT name FROM pragma_index_xinfo(\(bind: "\(table)_\(index)")) WHERE key = 1").all()
                            .map { try $0.decode(column: "name", as: String?.self) }
                        #expect(columns.contains("name_sort") && columns.contains("id"), "\(table)_\(index) \(columns)")
                    }
                    #expect(!matches.contains { $0.hasPrefix("SCAN") }, "\(table) \(term) \(matches)")
                    // The look along name order tests each name in the index, in the index's order.
                    let walked = try await plan(sql.select().column("id").from(table).where(try #require(search.scanned)).orderBy("name_sort").orderBy("id").limit(51))
                    #expect(walked == ["SCAN \(table) USING COVERING INDEX \(table)_name_sort_idx"], "\(table) \(term) \(walked)")
                    // A list in name order takes the first matches of the ranges merged in that
                    // order: the start of the name straight from the name-order index.
                    let from = try #require(search.orderedFrom)
                    let first = from(nil, true, 204)
                    let merged = try await sql.raw("EXPLAIN QUERY PLAN SELECT * FROM (\(first))").all().map { try $0.decode(column: "detail", as: String.self) }
                    #expect(merged.contains { $0.hasPrefix("MERGE (UNION)") }, "\(table) \(term) \(merged)")
                    #expect(merged.contains { $0.hasPrefix("SEARCH \(table) USING COVERING INDEX \(table)_name_sort_idx") }, "\(table) \(term) \(merged)")
                }
            }
        }
    }

    @Test("A short term starts a person's name, or — in a name written in an East Asian script — the given name after a one- or two-character surname; Latin names are not read from their second or third letter")
    func shortTermsStartNames() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            // 汪 reads as 王 does (wang), 李 as "li": the start of a name is read along name order, by those readings.
            for name in ["王秀英", "欧阳秀明", "秀云", "李明秀", "Olivia Li", "Eli Stone", "Lily Chen", "Li Na", "Alice Wu", "Émile Li", "汪洋", "曾国藩", "Li-Wei Chen"] {
                var input = ContactInput()
                input.name = name
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let database = app.services.database
            for (term, expected) in [("li", ["Li Na", "Lily Chen", "Li-Wei Chen"]), ("Li", ["Li Na", "Lily Chen", "Li-Wei Chen"]), ("秀", ["欧阳秀明", "王秀英", "李明秀", "秀云"]),
                                     ("明秀", ["李明秀"]), ("mi", []), ("Ém", ["Émile Li"]), ("ém", ["Émile Li"]), ("王", ["王秀英"]), ("汪", ["汪洋"]),
                                     ("曾", ["曾国藩"]), ("L", ["Li Na", "Lily Chen", "Li-Wei Chen"]), ("李", ["李明秀"])] {
                let search = SQLSearch.condition("contacts", term, engine: database.engine)
                let found = try await database.sql.select().column("name").from("contacts").where(search.indexed).all(decodingColumn: "name", as: String.self)
                #expect(found.sorted() == expected.sorted(), "\(term)")
                let walked = try await database.sql.select().column("name").from("contacts").where(try #require(search.scanned)).all(decodingColumn: "name", as: String.self)
                #expect(walked.sorted() == expected.sorted(), "\(term)")
            }
        }
    }

    @Test("On PostgreSQL, a short name term's matches come once each, counted and ordered from the name indexes alone; the first look along a list's order tests the name-order index's entries and reads only the page's records")
    func shortNamesFromTheirIndexesOnPostgreSQL() async throws {
        try await TestApp.run { app, _ in
            let database = app.services.database
            guard database.engine == .postgres else { return }
            let admin = try await app.admin
            // 秀秀英 matches 秀 by its name and from its second character; 欧阳秀明 matches 秀 from its third.
            for name in Self.names + ["Lili Chen", "Eli Li", "Olivia Li", "秀秀英"] {
                var input = ContactInput()
                input.name = name
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let sql = database.sql
            // With reading the table ruled out, what the plan still reads is what the indexes hold.
            let plan = { (query: SQLQueryString) in
                try await database.db.transaction { db in
                    let tx = db as! any SQLDatabase
                    try await tx.raw("SET LOCAL enable_seqscan = off").run()
                    try await tx.raw("SET LOCAL enable_bitmapscan = off").run()
                    return try await tx.raw("EXPLAIN (COSTS OFF) \(query)").all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }
                }
            }
            let everyone = { sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("contacts"))).from("contacts") }
            for term in ["秀", "王伟", "li", "em"] {
                let search = SQLSearch.condition("contacts", term, engine: .postgres)
                #expect(search.sampleIsDistinct, "\(term)")
                let expected = try await sql.select().column("id").from("contacts").where(search.indexed).all(decodingColumn: "id", as: UUID.self)
                let sample = try await sql.raw("\(try #require(search.sample))").all(decodingColumn: "id", as: UUID.self)
                #expect(sample.count == Set(sample).count && Set(sample) == Set(expected), "\(term) \(sample.count) \(expected.count)")
                // Li Na and Lili Chen by their names; a Latin name is not read after its first letters (Oliver, Eli, Olivia).
                if term == "li" { #expect(expected.count == 2) }
                if term == "秀" { #expect(expected.count == 6) }
                #expect(try await CappedCount.count(everyone(), table: "contacts", search: search, cap: 100, on: sql) == expected.count, "\(term)")
                #expect(try await CappedCount.count(everyone(), table: "contacts", search: search, cap: 1, on: sql) == min(expected.count, 2), "\(term)")

                let ordered = try #require(search.ordered)
                #expect(ordered.column == "name_sort")
                let keys = try await plan("SELECT * FROM (\(ordered.matches)) m ORDER BY search_sort, search_record_id LIMIT 51")
                #expect(keys.filter { $0.contains("Index Only Scan using contacts_name") }.count >= 3, "\(term) \(keys)")
                #expect(!keys.contains { $0.contains("Index Scan") && !$0.contains("Index Only Scan") }, "\(term) \(keys)")
                // The look along name order: index entries only.
                let walk = try await plan("SELECT id FROM contacts WHERE \(try #require(search.scanned)) ORDER BY name_sort, id LIMIT 51")
                #expect(walk.contains { $0.contains("Index Only Scan using contacts_name_sort_idx") }, "\(term) \(walk)")
            }
            let trigram = try await plan("SELECT id FROM contacts WHERE \(try #require(SQLSearch.condition("contacts", "ang", engine: .postgres).scanned)) ORDER BY name_sort, id LIMIT 51")
            #expect(trigram.contains { $0.contains("Index Only Scan using contacts_name_sort_idx") }, "\(trigram)")
        }
    }

    @Test("A migration that changes an index an import has set aside rewrites its note, so the import's end builds the new form; an index in place is made again — on either engine")
    func redefinedWhileSetAside() async throws {
        try await TestApp.run { app, _ in
            let database = app.services.database
            let sqlite = database.engine == .sqlite
            let sql = database.sql
            // Each engine's own text of an index: SQLite keeps the statement, PostgreSQL writes it out again.
            let definition = { (name: String) in
                sqlite ? try await sql.select().column("sql").from("sqlite_master").where("name", .equal, name).first()?.decode(column: "sql", as: String.self)
                    : try await sql.raw("SELECT indexdef AS sql FROM pg_indexes WHERE schemaname = current_schema() AND indexname = \(bind: name)").first()?
                        .decode(column: "sql", as: String.self)
            }
            let indexes = SetAsideIndexes(alone: database, clock: app.services.clock)
            let job = UUID()
            try await indexes.setAside(["contacts_name_from2_idx"], for: job)
            #expect(try await definition("contacts_name_from2_idx") == nil)
            let plain = "CREATE INDEX contacts_name_from2_idx ON contacts (substr(name, 2))"
            try await SetAsideIndexes.redefine("contacts_name_from2_idx", as: plain, on: sql)
            #expect(try await definition("contacts_name_from2_idx") == nil)
            try await indexes.rebuild(for: job)
            let plainKept = sqlite ? plain : "CREATE INDEX contacts_name_from2_idx ON \(try await Self.schema(sql)).contacts USING btree (substr(name, 2))"
            #expect(try await definition("contacts_name_from2_idx") == plainKept)
            #expect(try await sql.select().column("name").from("set_aside_indexes").all().isEmpty)

            let covering = "CREATE INDEX contacts_name_from2_idx ON contacts (substr(name, 2), name_sort, id)"
            try await SetAsideIndexes.redefine("contacts_name_from2_idx", as: covering, on: sql)
            let coveringKept = sqlite ? covering : "CREATE INDEX contacts_name_from2_idx ON \(try await Self.schema(sql)).contacts USING btree (substr(name, 2), name_sort, id)"
            #expect(try await definition("contacts_name_from2_idx") == coveringKept)
        }
    }

    private static func schema(_ sql: any SQLDatabase) async throws -> String {
        try await sql.raw("SELECT current_schema() AS s").first()!.decode(column: "s", as: String.self)
    }

    /// Every row `condition` keeps, read a page of three at a time in `keyset`'s order.
    static func walk(_ condition: any SQLExpression, _ keyset: Keyset, on sql: any SQLDatabase) async throws -> [(id: UUID, name: String)] {
        var out: [(id: UUID, name: String)] = []
        var cursor: String?
        repeat {
            let query = sql.select().columns("id", "name", "updated_at").from("contacts").where(condition)
            let page = try await keyset.rows(query, cursor: cursor, limit: 3) { row in
                let id = try row.decode(column: "id", as: UUID.self)
                return keyset.kind == .text ? (id, .text(try row.decode(column: "name", as: String.self)))
                    : (id, .time(try row.decode(column: "updated_at", as: Date.self)))
            }
            out += try page.rows.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "name", as: String.self)) }
            cursor = page.next
        } while cursor != nil
        return out
    }
}
