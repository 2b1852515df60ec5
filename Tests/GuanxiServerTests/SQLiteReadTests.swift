import FluentKit
import Logging
import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import SQLKit
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

@Suite("Side reader")
struct SideReaderTests {
    @Test("On a SQLite file an import's side reader reads the last committed rows while a write transaction holds the connection, and cannot write")
    func besideTheWriter() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gx-side-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try DatabaseService(location: .sqliteFile(folder.appendingPathComponent("side.sqlite").path), logger: Logger(label: "test"))
        do {
            try await database.prepareEngine()
            try await database.sql.raw("CREATE TABLE cards (name TEXT NOT NULL)").run()
            try await database.sql.raw("INSERT INTO cards (name) VALUES ('李雷')").run()
            let seen = try await database.db.transaction { tx in
                try await (tx as! any SQLDatabase).raw("INSERT INTO cards (name) VALUES ('韩梅梅')").run()
                // The writer holds the only pooled connection here; the side reader does not need it.
                return try await database.withSideReader { reader in
                    try await reader.raw("SELECT name FROM cards ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
                }
            }
            #expect(seen == ["李雷"])
            await #expect(throws: (any Error).self) {
                try await database.withSideReader { reader in try await reader.raw("INSERT INTO cards (name) VALUES ('写不进')").run() }
            }
            let after = try await database.withSideReader { reader in try await reader.raw("SELECT COUNT(*) AS n FROM cards").first()?.decode(column: "n", as: Int.self) }
            #expect(after == 2)
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
