import Foundation
@testable import GuanxiCustomerFile
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

    @Test("A term is common once the index finds `commonAt` matches among the rows the list keeps; the list's page is the same either way")
    func commonTermsReadTheListOrder() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            for name in Self.names {
                var input = ContactInput()
                input.name = name
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let database = app.services.database
            let search = SQLSearch.condition("contacts", "秀", engine: database.engine)
            let all = database.sql.select().column("id").from("contacts")
            #expect(try await SearchCondition.isCommon(search.indexed, in: all, on: database.sql, commonAt: 5))
            #expect(try await !SearchCondition.isCommon(search.indexed, in: all, on: database.sql, commonAt: 6))
            // The list's other conditions count: among these three, two match.
            let some = database.sql.select().column("id").from("contacts").where("name", .in, ["秀", "秀云", "王伟"])
            #expect(try await !SearchCondition.isCommon(search.indexed, in: some, on: database.sql, commonAt: 3))
            #expect(try await SearchCondition.isCommon(search.indexed, in: some, on: database.sql, commonAt: 2))

            // Read along the name index: no sort of the matches.
            if database.engine == .sqlite {
                let query = database.sql.select().column("id").from("contacts").where(search.scanned!).orderBy("name").orderBy("id").limit(51)
                let plan = try await database.sql.raw("EXPLAIN QUERY PLAN \(query.select)").all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.contains("contacts_name_idx") }, "\(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            }

            // The list page itself, a page of two at a time, finds them all in name order.
            var filter = ContactFilter()
            filter.search = "秀"
            filter.limit = 2
            var seen: [String] = []
            repeat {
                let page = try await app.services.contactQuery.list(filter, for: admin)
                seen += page.contacts.map(\.name)
                filter.cursor = page.next
            } while filter.cursor != nil
            #expect(seen.count == 5 && Set(seen) == ["秀", "秀云", "李秀兰", "欧阳秀明", "王秀英"])
        }
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
