import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import FluentKit
import SQLKit
import Testing
@testable import GuanxiPlatform

@Suite("Writing rows in bulk")
struct BulkInsertTests {
    @Test("Every row reads back exactly as given — texts, NULLs, ids, times, yes/no, texts Swift calls equal whose bytes differ — across statements")
    func roundTrip() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let postgres = app.services.database.engine == .postgres
            try await sql.raw("""
                CREATE TABLE bulk_probe (n BIGINT, shared TEXT, note TEXT, accent TEXT, blank TEXT, id \(unsafeRaw: postgres ? "UUID" : "TEXT"),
                at \(unsafeRaw: postgres ? "TIMESTAMPTZ" : "REAL"), flag BOOLEAN)
                """).run()
            let id = RecordID.new()
            let at = Date(timeIntervalSince1970: 1_790_000_000.25)
            // 8 columns: 3,750 rows per statement, so 4,000 rows take two, the second sharing less.
            func row(_ n: Int) -> [BulkValue] {
                let shared: String = n < 3_750 ? "同一家公司" : "另一家 \(n % 2)"
                let note: String? = n % 3 == 0 ? nil : "备注 \(n)"
                let accent: String = n % 2 == 0 ? "caf\u{E9}" : "cafe\u{301}"
                let rowID: UUID = n % 5 == 0 ? id : RecordID.new()
                return [BulkValue(n), BulkValue(shared), BulkValue(note), BulkValue(accent), .null, BulkValue(rowID), BulkValue(at), BulkValue(n % 7 == 0)]
            }
            let rows = (0..<4_000).map(row)
            try await BulkInsert.run(into: "bulk_probe", columns: ["n", "shared", "note", "accent", "blank", "id", "at", "flag"], rows: rows,
                                     on: app.services.database.db)
            let read = try await sql.raw("SELECT n, shared, note, accent, blank, id, at, flag FROM bulk_probe ORDER BY n").all()
            #expect(read.count == rows.count)
            for (n, row) in read.enumerated() {
                #expect(try row.decode(column: "n", as: Int.self) == n)
                #expect(try row.decode(column: "shared", as: String.self) == (n < 3_750 ? "同一家公司" : "另一家 \(n % 2)"))
                #expect(try row.decode(column: "note", as: String?.self) == (n % 3 == 0 ? nil : "备注 \(n)"))
                #expect(Array(try row.decode(column: "accent", as: String.self).utf8) == Array((n % 2 == 0 ? "caf\u{E9}" : "cafe\u{301}").utf8))
                #expect(try row.decode(column: "blank", as: String?.self) == nil)
                if n % 5 == 0 { #expect(try row.decode(column: "id", as: UUID.self) == id) }
                #expect(try row.decode(column: "at", as: Date.self) == at)
                #expect(try row.decode(column: "flag", as: Bool.self) == (n % 7 == 0))
            }
            #expect(Set(try read.map { try $0.decode(column: "id", as: UUID.self) }).count == 4_000 - 800 + 1)
        }
    }

    @Test("Rows written in bulk (on PostgreSQL, through COPY) read back exactly as the same rows bound one INSERT at a time: escapes, NULLs, times to the microsecond before 1970 and on a leap day, ids, yes/no")
    func bulkMatchesBinds() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let postgres = app.services.database.engine == .postgres
            for table in ["bulk_copied", "bulk_bound"] {
                try await sql.raw("""
                    CREATE TABLE \(unsafeRaw: table) (n BIGINT, note TEXT, id \(unsafeRaw: postgres ? "UUID" : "TEXT"),
                    at \(unsafeRaw: postgres ? "TIMESTAMPTZ" : "REAL"), flag BOOLEAN)
                    """).run()
            }
            let notes: [String?] = ["制表\t换行\n回车\r反斜杠\\ 末尾\\", "\\N", "", nil, "王伟 Wang Wei", "a\\tb"]
            let times = [Date(timeIntervalSince1970: 1_790_000_000.123456), Date(timeIntervalSince1970: -315_619_200.5),
                         Date(timeIntervalSince1970: 1_709_251_199.999999), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 946_684_799.000001)]
            let rows: [[BulkValue]] = (0..<30).map { n in
                [BulkValue(n * (n % 2 == 0 ? 1 : -1_000_000_007)), BulkValue(notes[n % notes.count]), n % 4 == 0 ? .null : BulkValue(RecordID.new()),
                 BulkValue(times[n % times.count]), BulkValue(n % 3 == 0)]
            }
            let columns = ["n", "note", "id", "at", "flag"]
            try await BulkInsert.run(into: "bulk_copied", columns: columns, rows: rows, on: app.services.database.db)
            for row in rows { try await sql.insert(into: "bulk_bound").columns(columns).values(row.map(\.expression)).run() }
            func read(_ table: String) async throws -> [String] {
                try await sql.raw("SELECT n, note, id, at, flag FROM \(unsafeRaw: table) ORDER BY n").all().map { row in
                    [String(try row.decode(column: "n", as: Int.self)), try row.decode(column: "note", as: String?.self) ?? "NULL",
                     try row.decode(column: "id", as: UUID?.self)?.uuidString ?? "NULL",
                     String(try row.decode(column: "at", as: Date.self).timeIntervalSince1970), String(try row.decode(column: "flag", as: Bool.self))].joined(separator: "|")
                }
            }
            let copied = try await read("bulk_copied")
            #expect(copied.count == 30)
            #expect(copied == (try await read("bulk_bound")))
            #expect(copied.contains { $0.contains("制表\t换行\n回车\r反斜杠\\ 末尾\\|") } && copied.contains { $0.contains("|\\N|") })
        }
    }

    @Test("COPY's text: tab, line feed, carriage return and backslash escaped, NULL as \\N, times in UTC to the microsecond; a value it cannot carry leaves the rows to an INSERT")
    func copyText() throws {
        func text(_ rows: [[BulkValue]]) -> String? { PostgresCopyText.rows(rows, columns: rows.first?.count ?? 0).map { String(buffer: $0) } }
        #expect(text([[BulkValue("a\tb\nc\rd\\e"), .null, BulkValue(true), BulkValue(-12)], [BulkValue("王"), BulkValue(""), BulkValue(false), BulkValue(0)]])
                == "a\\tb\\nc\\rd\\\\e\t\\N\tt\t-12\n王\t\tf\t0\n")
        #expect(text([[BulkValue(Date(timeIntervalSince1970: 1_709_251_199.5))]]) == "2024-02-29 23:59:59.500000+00\n")
        #expect(text([[BulkValue(Date(timeIntervalSince1970: -315_619_200.25))]]) == "1959-12-31 23:59:59.750000+00\n")
        #expect(text([[BulkValue(Date(timeIntervalSince1970: 946_684_800))]]) == "2000-01-01 00:00:00.000000+00\n")
        #expect(text([[.other(SQLBind(1.5))]]) == nil)
    }

    @Test("Prepared rows are written one statement per table and column set, each row once, whatever order they come in")
    func preparedRowsGrouped() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            try await sql.raw("CREATE TABLE bulk_group_probe (id TEXT, n BIGINT, note TEXT)").run()
            // Rows with and without a note, interleaved: two groups, in the order each first appears.
            let rows = (0..<10).map { n in
                n % 3 == 1 ? PreparedInsert(table: GroupProbe.schema, columns: ["id", "n", "note"], values: [.init(UUID().uuidString), .init(n), .init("备注 \(n)")])
                           : PreparedInsert(table: GroupProbe.schema, columns: ["id", "n"], values: [.init(UUID().uuidString), .init(n)])
            }
            var writes = BulkWrites(engine: app.services.database.engine)
            try PreparedInsert.addAll(rows, to: &writes)
            let batch = writes
            try await app.services.database.db.transaction { tx in try await batch.run(on: tx) }
            let read = try await sql.raw("SELECT n, note FROM bulk_group_probe ORDER BY n").all()
            #expect(try read.map { try $0.decode(column: "n", as: Int.self) } == Array(0..<10))
            #expect(try read.map { try $0.decode(column: "note", as: String?.self) } == (0..<10).map { $0 % 3 == 1 ? "备注 \($0)" : nil })
            if app.services.database.engine == .sqlite {
                // Written group by group: every row without a note before every row with one.
                let order = try await sql.raw("SELECT n FROM bulk_group_probe ORDER BY rowid").all().map { try $0.decode(column: "n", as: Int.self) }
                #expect(order == [0, 2, 3, 5, 6, 8, 9, 1, 4, 7])
            }
        }
    }
    @Test("A bulk update sets each listed row's columns to its own values — text, NULL, numbers — across statements, and leaves other rows and unknown ids alone")
    func bulkUpdate() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let postgres = app.services.database.engine == .postgres
            try await sql.raw("CREATE TABLE bulk_restaged (id \(unsafeRaw: postgres ? "UUID" : "TEXT") PRIMARY KEY, n BIGINT, tier TEXT, note TEXT)").run()
            // 3 values a row: 10,000 rows a statement, so 10,500 updates take two.
            let ids = (0..<12_000).map { _ in RecordID.new() }
            try await BulkInsert.run(into: "bulk_restaged", columns: ["id", "n", "tier", "note"],
                                     rows: ids.enumerated().map { [BulkValue($1), BulkValue($0), BulkValue("旧"), BulkValue("keep \($0)")] },
                                     on: app.services.database.db)
            let updates = (0..<10_500).map { n in
                (id: ids[n], values: [BulkValue(-n), n % 4 == 0 ? BulkValue.null : BulkValue("等级 \(n % 3)")])
            } + [(id: RecordID.new(), values: [BulkValue(7), BulkValue("nobody")])]
            try await app.services.database.db.transaction { tx in
                try await BulkUpdate.run("bulk_restaged", set: [.init("n", "BIGINT"), .init("tier", "TEXT")], rows: updates, on: tx)
            }
            let read = try await sql.raw("SELECT id, n, tier, note FROM bulk_restaged").all()
            #expect(read.count == 12_000)
            var position: [UUID: Int] = [:]
            for (n, id) in ids.enumerated() { position[id] = n }
            for row in read {
                let n = try #require(position[try row.decode(column: "id", as: UUID.self)])
                #expect(try row.decode(column: "note", as: String.self) == "keep \(n)")
                if n < 10_500 {
                    #expect(try row.decode(column: "n", as: Int.self) == -n)
                    #expect(try row.decode(column: "tier", as: String?.self) == (n % 4 == 0 ? nil : "等级 \(n % 3)"))
                } else {
                    #expect(try row.decode(column: "n", as: Int.self) == n)
                    #expect(try row.decode(column: "tier", as: String?.self) == "旧")
                }
            }
        }
    }
}

/// A table that exists only for the grouping test: `PreparedInsert` takes its name from a model.
private final class GroupProbe: Model, @unchecked Sendable {
    static let schema = "bulk_group_probe"
    @ID(key: .id) var id: UUID?
    init() {}
}
