import Foundation
import NIOCore
import SQLKit
import FluentSQLiteDriver

/// One value of a row written in bulk (`BulkInsert`, `PreparedInsert`).
///
/// The kinds of value written by the million — text, numbers, ids, times, yes/no — are
/// kept as they are, so SQLite is handed them without boxing each into an `Encodable` and
/// casting it back (an import of a million contacts binds some fifty million values, and
/// the boxes and casts cost more than the rest of making the statements). Anything else
/// is bound the way SQLKit binds it.
package enum BulkValue: Sendable {
    case null
    case text(String)
    case integer(Int)
    case flag(Bool)
    case id(UUID)
    case time(Date)
    case other(SQLBind)

    package init(_ value: String?) { self = value.map(Self.text) ?? .null }
    package init(_ value: Int?) { self = value.map(Self.integer) ?? .null }
    package init(_ value: Bool?) { self = value.map(Self.flag) ?? .null }
    package init(_ value: UUID?) { self = value.map(Self.id) ?? .null }
    package init(_ value: Date?) { self = value.map(Self.time) ?? .null }

    /// A value of a type known only at run time (a Fluent model's field).
    package init(any value: any Encodable & Sendable) {
        switch value {
        case let text as String: self = .text(text)
        case let number as Int: self = .integer(number)
        case let flag as Bool: self = .flag(flag)
        case let id as UUID: self = .id(id)
        case let time as Date: self = .time(time)
        default: self = .other(SQLBind(value))
        }
    }

    /// The value as SQLKit would send it to SQLite: times as seconds since 1970, ids as
    /// their 16 bytes (`UUIDBlob`), yes/no as 1/0.
    package func sqlite(_ encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch self {
        case .null: .null
        case .text(let text): .text(text)
        case .integer(let number): .integer(number)
        case .flag(let flag): .integer(flag ? 1 : 0)
        case .id(let id): .blob(ByteBuffer(bytes: id.bytes))
        case .time(let time): .float(time.timeIntervalSince1970)
        case .other(let bind): try encoder.encode(bind.encodable)
        }
    }

    /// The value as an expression of SQLKit's, for PostgreSQL and single-row statements;
    /// nil becomes SQL NULL, since a typed null bind would not fit every column in PostgreSQL.
    package var expression: any SQLExpression {
        switch self {
        case .null: SQLLiteral.null
        case .text(let text): SQLBind(text)
        case .integer(let number): SQLBind(number)
        case .flag(let flag): SQLBind(flag)
        case .id(let id): SQLBind(id)
        case .time(let time): SQLBind(time)
        case .other(let bind): bind
        }
    }

    /// The value as `String(describing:)` writes it, to compare a hand-written row with Fluent's.
    package var description: String {
        switch self {
        case .null: "NULL"
        case .text(let text): text
        case .integer(let number): String(number)
        case .flag(let flag): String(flag)
        case .id(let id): id.uuidString
        case .time(let time): String(describing: time)
        case .other(let bind): String(describing: bind.encodable)
        }
    }
}
