import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import SQLKit

/// The SQL handle `DatabaseService.sql` gives on SQLite: the same database, but a query's
/// rows are taken in on the thread that steps through them, and read by `SQLiteReadRow`.
///
/// Outside a transaction, the SQLite driver's pooled handle answers with its futures-based
/// query, which hands every row to the event loop as a task of its own — for a million-row
/// export, millions of tasks, futures and thread wake-ups, more work than SQLite's. A
/// connection's own async query calls back on SQLite's thread instead, so this borrows the
/// connection from the pool for the query and asks it directly, the way SQLiteKit would
/// (same serializer, same value encoder, same query log).
package struct SQLiteReads: SQLDatabase {
    package let base: any SQLDatabase & SQLiteDatabase
    /// The read-only connections, which take the statements that only read (`isRead`).
    package var readers: SQLiteReaderPool? = nil

    package var logger: Logger { base.logger }
    package var eventLoop: any EventLoop { base.eventLoop }
    package var version: (any SQLDatabaseReportedVersion)? { base.version }
    package var dialect: any SQLDialect { base.dialect }
    package var queryLogLevel: Logger.Level? { base.queryLogLevel }

    package func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    package func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (text, values) = serialize(query)
        if let level = queryLogLevel {
            logger.log(level: level, "Executing query", metadata: ["sql": .string(text), "binds": .array(values.map { .string("\($0)") })])
        }
        let encoder = SQLiteDataEncoder()
        let binds = try values.map { try encoder.encode($0) }
        let query: @Sendable (SQLiteConnection) async throws -> Void = { connection in
            try await connection.query(text, binds) { row in onRow(SQLiteReadRow(row: row)) }
        }
        if let readers, Self.isRead(text) { try await readers.withConnection(query) } else { try await base.withConnection(query) }
    }

    /// A statement that only reads: a plain `SELECT` (a `WITH` may end in a write).
    package static func isRead(_ text: String) -> Bool {
        text.utf8.prefix(6).elementsEqual("SELECT".utf8) || text.utf8.prefix(6).elementsEqual("select".utf8)
    }

    package func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession(closure)
    }
}

/// A row `SQLiteReads` returns. The types lists and exports read by the million — ids,
/// text, whole numbers, times, optional or not — are read straight from SQLite's value,
/// as `SQLiteDataDecoder` reads them; any other type goes to that decoder. The decoder
/// takes an optional, and an id, through Swift's `Decoder` machinery (and an id through
/// Foundation's `sscanf`): in an export that cost more than SQLite's own work.
package struct SQLiteReadRow: SQLRow {
    package let row: SQLiteRow
    private static let decoder = SQLiteDataDecoder()

    package var allColumns: [String] { row.columns.map(\.name) }
    package func contains(column: String) -> Bool { row.column(column) != nil }
    package func decodeNil(column: String) throws -> Bool { (row.column(column) ?? .null) == .null }

    package func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let data = row.column(column) else { throw MissingColumn(column: column) }
        // Each type returns its value as soon as it is read: nothing here names `D?`,
        // whose metadata Swift looked up at run time on every value (`D` is only known
        // then), a few percent of a million-row read.
        switch ObjectIdentifier(D.self) {
        case Types.id: if let value = Self.id(data) { return unsafeBitCast(value, to: D.self) }
        case Types.text: if let value = String(sqliteData: data) { return unsafeBitCast(value, to: D.self) }
        case Types.number: if let value = Int(sqliteData: data) { return unsafeBitCast(value, to: D.self) }
        case Types.time: if let value = Date(sqliteData: data) { return unsafeBitCast(value, to: D.self) }
        case Types.optionalID: if let value = Self.optional(data, Self.id) { return unsafeBitCast(value, to: D.self) }
        case Types.optionalText: if let value = Self.optional(data, String.init(sqliteData:)) { return unsafeBitCast(value, to: D.self) }
        case Types.optionalNumber: if let value = Self.optional(data, Int.init(sqliteData:)) { return unsafeBitCast(value, to: D.self) }
        case Types.optionalTime: if let value = Self.optional(data, Date.init(sqliteData:)) { return unsafeBitCast(value, to: D.self) }
        default: break
        }
        // Another type, or a value the direct reads would refuse: the decoder reads it, or
        // throws its own error.
        return try Self.decoder.decode(D.self, from: data)
    }

    /// The types read directly, looked up once: naming `UUID?.self` in the comparison
    /// looked up the optional type's metadata on every value read.
    private enum Types {
        package static let id = ObjectIdentifier(UUID.self), text = ObjectIdentifier(String.self)
        package static let number = ObjectIdentifier(Int.self), time = ObjectIdentifier(Date.self)
        package static let optionalID = ObjectIdentifier(UUID?.self), optionalText = ObjectIdentifier(String?.self)
        package static let optionalNumber = ObjectIdentifier(Int?.self), optionalTime = ObjectIdentifier(Date?.self)
    }

    /// An id as SQLite keeps it: its 16 bytes (`UUIDBlob`), or text an older version wrote.
    private static func id(_ data: SQLiteData) -> UUID? {
        switch data {
        case .blob(let bytes): UUID(bytes: bytes)
        case .text(let text): UUID(text: text)
        default: nil
        }
    }

    /// NULL as nil; another value as `read` reads it (nil when it cannot: left to the decoder).
    private static func optional<T>(_ data: SQLiteData, _ read: (SQLiteData) -> T?) -> T?? {
        if data == .null { return .some(nil) }
        return read(data).map { .some($0) }
    }

    package struct MissingColumn: Error, CustomStringConvertible {
        package let column: String
        package var description: String { "The result has no column \(column)." }
    }
}
