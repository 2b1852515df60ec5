import FluentKit
import Foundation
@testable import GuanxiCustomerFile
@testable import GuanxiPlatform
@testable import GuanxiServer
import SQLKit
import Testing

/// On SQLite, search keys are numbered by their records' place in name order (migration
/// 0057), so a list in name order reads only the first buckets of a common term's matches.
@Suite("Search keys numbered by name")
struct SearchKeyNumberingTests {
    @Test("A sort key's bucket follows the order SQLite compares text in, and is worked out the same in Swift and in a trigger's SQL")
    func bucketsFollowNameOrder() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            guard app.services.database.engine == .sqlite else { return }
            let texts = ["", "a", "ab", "abc0", "abcde", "abcdef", "abcdz", "abce", "b", "wang0", "wang0wei0", "wang1", "zzzzz", "zzzzzz", "~", "\u{7F}",
                         "é", "éa", "a\u{E9}z", "a\u{F0}a", "a\u{7E}zzzz", "王", "王秀英", "🙂x", "Zhang", "li0na0", "li0na1"]
            var bases: [(String, Int64)] = []
            for text in texts {
                let row = try await sql.raw("SELECT \(unsafeRaw: SQLiteSearchIndex.keyBaseSQL("x.v")) AS base FROM (SELECT \(bind: text) AS v) x").first()
                let base = try #require(try row?.decode(column: "base", as: Int64.self), "\(text)")
                #expect(base == SQLiteSearchIndex.keyBase(text), "\(text)")
                #expect(base >= 0 && base & SQLiteSearchIndex.bucketMask == 0 && Int64.max - base >= SQLiteSearchIndex.bucketMask, "\(text)")
                bases.append((text, base))
            }
            // In SQLite's own order, the buckets never go back.
            let union = SQLList(texts.map { SQLQueryString("SELECT \(bind: $0) AS v") }, separator: SQLRaw(" UNION ALL "))
            let ordered = try await sql.raw("SELECT v FROM (\(union)) ORDER BY v").all(decodingColumn: "v", as: String.self)
            let inOrder = ordered.map { text in bases.first { $0.0 == text }!.1 }
            #expect(inOrder == inOrder.sorted(), "\(ordered)")
            #expect(SQLiteSearchIndex.keyBase("abcde") == SQLiteSearchIndex.keyBase("abcdef"))
            #expect(SQLiteSearchIndex.keyBase("abcde") < SQLiteSearchIndex.keyBase("abcdf"))
            #expect(SQLiteSearchIndex.keyBase("a\u{E9}z") == SQLiteSearchIndex.keyBase("a\u{F0}a"))
        }
    }

    @Test("A contact's key sits in its name's bucket — given by the trigger or by an import's catch-up — and moves with its index row when the name changes")
    func keysInTheirBuckets() async throws {
        try await TestApp.run { app, _ in
            let database = app.services.database
            guard database.engine == .sqlite else { return }
            let sql = database.sql
            let admin = try await app.admin
            func create(_ name: String) async throws -> Contact {
                var input = ContactInput()
                input.name = name
                return try await app.services.contacts.create(input, by: admin)
            }
            for name in ["王秀英", "Emma Wang", "Zhang Wei", "Ada Lang", "欧阳晓明"] { _ = try await create(name) }
            // Saved while the insert trigger is away, as during a large import, then caught up.
            try await sql.raw("DROP TRIGGER contacts_search_insert").run()
            for name in ["Wang Fang", "王芳", "Bo Yang"] { _ = try await create(name) }
            try await SQLiteSearchIndex.createInsertTrigger("contacts", on: sql)
            try await SQLiteSearchIndex.indexMissing("contacts", on: database.db, step: 2)
            func keys() async throws -> [(id: Int64, sort: String, nameSort: String)] {
                try await sql.raw("SELECT k.id, k.sort, c.name_sort FROM search_keys k JOIN contacts c ON c.id = k.record_id WHERE k.kind = 'contacts'").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "sort", as: String.self), try $0.decode(column: "name_sort", as: String.self))
                }
            }
            func inBuckets() async throws {
                let all = try await keys()
                #expect(all.count == 8)
                for key in all {
                    #expect(key.sort == key.nameSort)
                    #expect(key.id & ~SQLiteSearchIndex.bucketMask == SQLiteSearchIndex.keyBase(key.sort), "\(key)")
                }
                let rows = try await sql.raw("SELECT count(*) AS n FROM contacts_search_fts").first()?.decode(column: "n", as: Int.self)
                #expect(rows == all.count)
            }
            try await inBuckets()
            func found(_ term: String) async throws -> [String] {
                var filter = ContactFilter()
                (filter.search, filter.sort) = (term, .name)
                return try await app.services.contactQuery.list(filter, for: admin).contacts.map(\.name)
            }
            #expect(try await found("ang") == ["Ada Lang", "Bo Yang", "Emma Wang", "Wang Fang", "Zhang Wei"].sorted { Pinyin.sortKey($0, person: true) < Pinyin.sortKey($1, person: true) })
            // Renamed: the key moves to the new name's bucket, and the index row with it.
            let ada = try #require(try await Contact.query(on: database.db).filter(\.$name == "Ada Lang").first())
            var rename = ContactInput()
            rename.name = "Zoe Lang"
            _ = try await app.services.contacts.update(ada.requireID(), rename, expectedVersion: nil, by: admin)
            try await inBuckets()
            #expect(try await found("zoe") == ["Zoe Lang"])
            #expect(try await found("ada") == [])
            #expect(try await found("lang") == ["Zoe Lang"])
        }
    }

    @Test("A list in name order pages through a common term's matches bucket by bucket, in either direction, as sorting them all gives; the first page reads the first buckets only")
    func pagesByBuckets() async throws {
        try await TestApp.run { app, _ in
            let database = app.services.database
            guard database.engine == .sqlite else { return }
            let sql = database.sql
            let admin = try await app.admin
            let starts = ["Abe", "Bo", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo", "王", "李", "张", "Zed", "Angus", "Angela"]
            for n in 0..<96 {
                var input = ContactInput()
                input.name = "\(starts[n % starts.count]) Tang \(n / starts.count)"
                _ = try await app.services.contacts.create(input, by: admin)
            }
            for name in ["Nobody Else", "Wu Min"] {
                var input = ContactInput()
                input.name = name
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let everyone = { sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("contacts"))).from("contacts") }
            let search = SQLSearch.condition("contacts", "ang", engine: .sqlite)
            let from = try #require(search.orderedFrom)
            for ascending in [true, false] {
                let expected = try await sql.raw("SELECT id FROM contacts WHERE search_text LIKE '%ang%' ORDER BY name_sort \(unsafeRaw: ascending ? "ASC" : "DESC"), id \(unsafeRaw: ascending ? "ASC" : "DESC")")
                    .all(decodingColumn: "id", as: UUID.self)
                #expect(expected.count == 96)
                for limit in [1, 7, 50] {
                    var ids: [UUID] = [], cursor: String?
                    repeat {
                        let page = try await Keyset.text("name_sort", ascending: ascending).page(everyone(), search: search, cursor: cursor, limit: limit,
                                                                                                 as: Contact.Values.self) { c, _ in .text(c.nameSort ?? "") }
                        ids += page.items.compactMap(\.id)
                        cursor = page.next
                    } while cursor != nil
                    #expect(ids == expected, "ascending \(ascending) limit \(limit)")
                }
                // The first page's matches: as far as the eighth and its bucket, not all 96.
                let read = try await sql.raw("SELECT count(*) AS n FROM (\(from(nil, ascending, 8)))").first()?.decode(column: "n", as: Int.self) ?? 0
                #expect(read >= 8 && read < 30, "ascending \(ascending): \(read)")
                let rest = try await sql.raw("SELECT count(*) AS n FROM (\(from(nil, ascending, nil)))").first()?.decode(column: "n", as: Int.self)
                #expect(rest == 96)
            }
        }
    }
}
