import FluentKit
import Logging
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

@Suite("Reading rows")
struct SQLiteReadTests {
    @Test("On SQLite, rows read outside a transaction come back as SQLiteKit would give them: every value of every type read directly decodes to the same value, or fails as SQLiteKit fails")
    func sameAsSQLiteKit() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            let id = UUID()
            let values: [any Encodable & Sendable] = [id.uuidString, id.uuidString.lowercased(), "not-an-id", "2026-11-30T10:00:00Z",
                                                      "2026-11-30", "客户", "42", "", 42, 0, -7, 1.5, Data([1, 2, 3])]
            var select = SQLQueryString("SELECT ")
            for (index, value) in values.enumerated() {
                select.appendInterpolation(bind: value)
                select.appendLiteral(" AS v\(index), ")
            }
            select.appendLiteral("NULL AS empty")
            let statement = select
            let direct = try #require(try await app.services.database.sql.raw(statement).first())
            #expect(direct is SQLiteReadRow, "reads outside a transaction take the direct path")
            let kit = try #require(try await app.services.database.db.transaction { tx in try await (tx as! any SQLDatabase).raw(statement).first() })
            #expect(!(kit is SQLiteReadRow))

            let columns = values.indices.map { "v\($0)" } + ["empty"]
            var compared = 0
            for column in columns {
                compared += same(column, UUID.self, direct, kit) + same(column, UUID?.self, direct, kit)
                compared += same(column, String.self, direct, kit) + same(column, String?.self, direct, kit)
                compared += same(column, Int.self, direct, kit) + same(column, Int?.self, direct, kit)
                compared += same(column, Date.self, direct, kit) + same(column, Date?.self, direct, kit)
                compared += same(column, Double.self, direct, kit) + same(column, Bool?.self, direct, kit)
            }
            // Values decoded on both sides, not only failures agreed on.
            #expect(compared >= 50)
            #expect(try direct.decode(column: "v0", as: UUID.self) == id)
            #expect(try direct.decode(column: "v1", as: UUID?.self) == id)
            #expect(try direct.decode(column: "empty", as: UUID?.self) == nil)
            #expect(throws: (any Error).self) { try direct.decode(column: "missing", as: String.self) }
        }
    }

    /// 1 when both rows decode `column` as `type` to the same value, 0 when both fail;
    /// records an issue when they disagree.
    private func same<T: Decodable & Equatable>(_ column: String, _ type: T.Type, _ direct: any SQLRow, _ kit: any SQLRow) -> Int {
        let mine = Result { try direct.decode(column: column, as: T.self) }
        let theirs = Result { try kit.decode(column: column, as: T.self) }
        switch (mine, theirs) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(column) as \(T.self): \(String(describing: a)) against SQLiteKit's \(String(describing: b))")
            return 1
        case (.failure, .failure): return 0
        default:
            Issue.record("\(column) as \(T.self): \(mine) against SQLiteKit's \(theirs)")
            return 0
        }
    }

    @Test("An id reads back from its text as Foundation reads it, in either case; text not exactly an id's is no id")
    func idsFromText() {
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        let all = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        let ids: [UUID] = (0..<200).map { _ in UUID() } + (0..<200).map { _ in RecordID.new() } + [zero, all]
        #expect(ids.allSatisfy { UUID(text: $0.uuidString) == $0 && UUID(text: $0.uuidString.lowercased()) == $0 })
        let text = ids[0].uuidString
        let start = String(text.dropLast()), end = String(text.dropFirst())
        var wrong: [String] = ["", start, text + "0", text.replacingOccurrences(of: "-", with: ""), "{" + text + "}"]
        wrong.append(String(text.prefix(8)) + "_" + String(text.dropFirst(9)))  // a hyphen replaced
        wrong.append(String(text.prefix(9)) + "-" + String(text.dropFirst(10)))  // a hyphen in the wrong place
        wrong += [start + "G", start + "中", " " + end]
        for candidate in wrong {
            // (Foundation reads some of these, sloppily; text that is not exactly an id's
            // goes to its decoder, as before.)
            #expect(UUID(text: candidate) == nil, "\(candidate)")
        }
    }
}

@Suite("Reads beside the writer")
struct ReadPoolTests {
    /// A fresh SQLite file with a table of cards, ready as the server leaves it.
    static func withFile(_ body: (DatabaseService) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gx-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try DatabaseService(location: .sqliteFile(folder.appendingPathComponent("read.sqlite").path), logger: Logger(label: "test"))
        do {
            try await database.prepareEngine()
            try await database.sql.raw("CREATE TABLE cards (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").run()
            try await database.sql.raw("INSERT INTO cards (name) VALUES ('李雷')").run()
            try await body(database)
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    static func names(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT name FROM cards ORDER BY id").all().map { try $0.decode(column: "name", as: String.self) }
    }

    @Test("An in-memory database lives in a temporary file that is gone once the service shuts down")
    func memoryDatabaseLeavesNoFile() async throws {
        let service = try DatabaseService(location: .sqliteMemory, logger: Logger(label: "test"))
        let file = try #require(service.temporaryFile)
        try await service.sql.raw("CREATE TABLE t (x INTEGER)").run()
        try await service.sql.raw("INSERT INTO t (x) VALUES (1)").run()
        #expect(FileManager.default.fileExists(atPath: file))
        await service.shutdown()
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("Only a plain SELECT counts as a read")
    func whatReads() {
        #expect(SQLiteReads.isRead("SELECT 1") && SQLiteReads.isRead("select name from cards"))
        #expect(!SQLiteReads.isRead("INSERT INTO cards SELECT 1") && !SQLiteReads.isRead("WITH x AS (SELECT 1) DELETE FROM cards")
                && !SQLiteReads.isRead("PRAGMA journal_mode") && !SQLiteReads.isRead(" UPDATE cards SET name = ''"))
    }

    @Test("On a SQLite file a read runs while a write transaction holds the writer, and sees only what is committed; the next read sees the commit")
    func besideTheWriter() async throws {
        try await Self.withFile { database in
            let seen = try await database.db.transaction { tx in
                try await (tx as! any SQLDatabase).raw("INSERT INTO cards (name) VALUES ('韩梅梅')").run()
                // The writer's only connection is held here: on it, this read would wait for
                // the pool until it timed out.
                return try await Self.names(database.sql)
            }
            #expect(seen == ["李雷"])
            #expect(try await Self.names(database.sql) == ["李雷", "韩梅梅"])
            // Each write is seen by the read right after it, whichever connection reads.
            for n in 1...50 {
                try await database.sql.raw("INSERT INTO cards (name) VALUES (\(bind: "卡\(n)"))").run()
                #expect(try await Self.names(database.sql).last == "卡\(n)")
            }
        }
    }

    @Test("A long read holds up neither a write nor another read")
    func longRead() async throws {
        try await Self.withFile { database in
            let slowDone = Atomic<Bool>(false)
            // A read that steps through millions of rows, for a while.
            let slow = Task {
                let row = try await database.sql.raw("""
                    SELECT (SELECT COUNT(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000) SELECT i FROM n)) AS c
                    """).first()
                slowDone.store(true, ordering: .sequentiallyConsistent)
                return try row?.decode(column: "c", as: Int.self)
            }
            try await Task.sleep(for: .milliseconds(50))
            try await database.sql.raw("INSERT INTO cards (name) VALUES ('写')").run()
            let names = try await Self.names(database.sql)
            let doneMeanwhile = slowDone.load(ordering: .sequentiallyConsistent)
            #expect(names == ["李雷", "写"])
            #expect(!doneMeanwhile, "the write and the short read finished before the long read")
            #expect(try await slow.value == 5_000_000)
        }
    }
}
