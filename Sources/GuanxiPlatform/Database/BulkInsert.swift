import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import SQLKit

/// Many rows of one table, inserted with as few statements as the engine allows — the
/// one way Guanxi writes rows by the thousand (an import's records, their phones, audit
/// entries and job records).
///
/// The statements are worked out when the value is made, so a caller can make it before
/// its transaction begins and the transaction only runs them. SQLite is handed the
/// statement text and its values directly, each value converted as SQLKit would convert
/// it (`BulkValue`): building SQLKit's expression tree for a million rows cost more than
/// SQLite's own work. PostgreSQL is sent the rows as a `COPY … FROM STDIN` stream in
/// COPY's text format (`PostgresCopyText`): no statement to parse and no bind to decode
/// per value, where a multi-row `INSERT` through SQLKit cost both sides more than the
/// rows' own writing. Rows holding a value COPY's text cannot carry exactly (`.other`)
/// go through SQLKit as an `INSERT`. Table and column names come from the code, never
/// from users; every value is bound or escaped.
package struct BulkInsert: Sendable {
    /// Values per statement: SQLite takes up to 32,766, PostgreSQL 65,535. Fewer, larger
    /// statements also mean fewer flushes of SQLite's full-text index.
    package static let valuesPerStatement = 30_000

    private enum Statement: Sendable {
        case sqlite(String, [SQLiteData])
        case sqlKit(table: String, columns: [String], rows: ArraySlice<[BulkValue]>)
        case copy(table: String, columns: [String], text: ByteBuffer)
    }
    private let statements: [Statement]

    /// `rows` must each have one value per column.
    package init(into table: String, columns: [String], rows: [[BulkValue]], engine: SQLEngine) throws {
        if engine == .postgres, !rows.isEmpty, let text = PostgresCopyText.rows(rows, columns: columns.count) {
            statements = [.copy(table: table, columns: columns, text: text)]
            return
        }
        let perStatement = max(1, Self.valuesPerStatement / max(1, columns.count))
        statements = try stride(from: 0, to: rows.count, by: perStatement).map { start in
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            switch engine {
            case .sqlite: return .sqlite(Self.statement(table, columns, rows: chunk.count), try Self.sqliteValues(chunk, columns: columns.count))
            case .postgres: return .sqlKit(table: table, columns: columns, rows: chunk)
            }
        }
    }

    /// Makes and runs the statements at once.
    package static func run(into table: String, columns: [String], rows: [[BulkValue]], on db: any Database) async throws {
        try await BulkInsert(into: table, columns: columns, rows: rows, engine: db is any SQLiteDatabase ? .sqlite : .postgres).run(on: db)
    }

    package func run(on db: any Database) async throws {
        for statement in statements {
            switch statement {
            case .sqlite(let text, let values):
                try await (db as! any SQLiteDatabase).query(text, values) { _ in }
            case .sqlKit(let table, let columns, let rows):
                var insert = (db as! any SQLDatabase).insert(into: table).columns(columns)
                for row in rows { insert = insert.values(row.map(\.expression)) }
                try await insert.run()
            case .copy(let table, let columns, let text):
                // The transaction's own connection: the rows commit or roll back with it.
                let postgres = db as! any PostgresDatabase
                try await postgres.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        try await connection.copyFrom(table: table, columns: columns, logger: postgres.logger) { try await $0.write(text) }
                    }
                }.get()
            }
        }
    }

    private static func statement(_ table: String, _ columns: [String], rows: Int) -> String {
        let row = "(" + repeatElement("?", count: columns.count).joined(separator: ",") + ")"
        return "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES "
            + repeatElement(row, count: rows).joined(separator: ",")
    }

    private static func sqliteValues(_ rows: ArraySlice<[BulkValue]>, columns: Int) throws -> [SQLiteData] {
        let encoder = SQLiteDataEncoder()
        var values: [SQLiteData] = []
        values.reserveCapacity(rows.count * columns)
        for row in rows {
            precondition(row.count == columns, "a bulk insert row needs one value per column")
            for value in row { values.append(try value.sqlite(encoder)) }
        }
        return values
    }
}

/// The writes of a batch, worked out before its transaction and run inside it, in order:
/// bulk inserts, and steps that need the transaction itself. Making the statements is a
/// good part of the work; done beforehand, on the writer's own thread, it leaves the
/// transaction (and, with SQLite, the only connection) just the writing.
package struct BulkWrites: Sendable {
    private var steps: [@Sendable (any Database) async throws -> Void] = []
    package let engine: SQLEngine

    package init(engine: SQLEngine) { self.engine = engine }

    package mutating func insert(into table: String, columns: [String], rows: [[BulkValue]]) throws {
        guard !rows.isEmpty else { return }
        let insert = try BulkInsert(into: table, columns: columns, rows: rows, engine: engine)
        steps.append { try await insert.run(on: $0) }
    }

    package mutating func then(_ step: @escaping @Sendable (any Database) async throws -> Void) {
        // A step runs as its batch was made: the creations an import's ledger notes stay
        // out of the log there too (the transaction runs on another task).
        let ledgered = AuditLog.ledgeredCreations
        steps.append { tx in try await AuditLog.$ledgeredCreations.withValue(ledgered) { try await step(tx) } }
    }

    package func run(on tx: any Database) async throws {
        for step in steps { try await step(tx) }
    }
}
