import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Keyset pagination: a page starts after the last row of the previous one, found by
/// the sort column and the id, so no page counts or skips rows however deep it is.
public struct Keyset: Sendable {
    public enum Value: Sendable { case text(String), time(Date), number(Double) }
    package enum Kind: Sendable { case text, time, number }

    /// What rows are ordered by: a column of the listed table, or an expression (a
    /// custom field's value) that must never be NULL, or rows would drop out of pages.
    package let sortKey: any SQLExpression
    package let ascending: Bool
    package let kind: Kind

    public static func text(_ column: String, ascending: Bool = true) -> Keyset { Keyset(sortKey: SQLIdentifier(column), ascending: ascending, kind: .text) }
    public static func time(_ column: String, ascending: Bool = false) -> Keyset { Keyset(sortKey: SQLIdentifier(column), ascending: ascending, kind: .time) }
    package static func expression(_ expression: any SQLExpression, numeric: Bool, ascending: Bool) -> Keyset {
        Keyset(sortKey: expression, ascending: ascending, kind: numeric ? .number : .text)
    }

    /// Adds the start condition (when there is a cursor) and the order to `query`.
    package func apply(to query: SQLSelectBuilder, cursor: String?) throws -> SQLSelectBuilder {
        var query = query
        if let cursor {
            guard let (value, id) = Self.parse(cursor), let bound = Self.bound(value, kind: kind) else {
                throw GuanxiError.invalid("cursor", "cursor is not one this list returned.").localized("msg.bad_cursor", [:])
            }
            let op = ascending ? ">" : "<"
            // A row-value comparison, which both engines answer from the (column, id) index;
            // the equivalent OR form makes PostgreSQL scan.
            query = query.where(SQLQueryString("(\(sortKey), id) \(unsafeRaw: op) (\(bind: bound), \(bind: id))"))
        }
        return query.orderBy(SQLOrderBy(expression: sortKey, direction: ascending ? SQLDirection.ascending : SQLDirection.descending))
            .orderBy("id", ascending ? .ascending : .descending)
    }

    /// The cursor that continues after a row with this sort value and id.
    public static func cursor(_ value: Value, id: UUID) -> String {
        let text = switch value {
        case .text(let t): t
        case .time(let d): String(d.timeIntervalSince1970)
        case .number(let n): String(n)
        }
        return Data("\(text)\u{1F}\(id.uuidString)".utf8).base64EncodedString()
    }

    /// The sort value a cursor carries, as the database compares it — or nil when no page
    /// of this list could have ended there. A cursor comes from the client, so it is checked
    /// like any input: a time outside the years 1–9999 or a number that is not finite would
    /// reach the database driver, and PostgreSQL's traps on a time it cannot encode (which
    /// stops the whole process); text is held to what a sort column can hold.
    package static func bound(_ value: String, kind: Kind) -> (any Encodable & Sendable)? {
        switch kind {
        case .text:
            return value.utf8.count <= 4_000 && !value.utf8.contains(0) ? value : nil
        case .time:
            guard let seconds = Double(value), Validate.storableTimes.contains(seconds) else { return nil }
            return Date(timeIntervalSince1970: seconds)
        case .number:
            guard let number = Double(value), number.isFinite else { return nil }
            return number
        }
    }

    package static func parse(_ cursor: String) -> (String, UUID)? {
        guard cursor.utf8.count <= 8_000, let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        return (String(parts[0]), id)
    }
}

/// A model a list query reads field by field rather than through Fluent's reflection.
package protocol RowDecodable: Model {
    init(row: any SQLRow) throws
}

extension Keyset {
    /// One page of `query` as rows, and the cursor of the next page (nil on the last);
    /// `key` gives a row's id and sort value.
    package func rows(_ query: SQLSelectBuilder, cursor: String?, limit: Int,
              key: (any SQLRow) throws -> (id: UUID, value: Value)) async throws -> (rows: [any SQLRow], next: String?) {
        var rows = try await apply(to: query, cursor: cursor).limit(limit + 1).all()
        let more = rows.count > limit
        if more { rows.removeLast() }
        let next = try more ? rows.last.map { row in try key(row) }.map { Self.cursor($0.value, id: $0.id) } : nil
        return (rows, next)
    }

    /// One page of `query` as models, and the cursor of the next page (nil on the last).
    /// `value` gives the sort value of a row, from the model or from the selected row.
    package func page<M: Model>(_ query: SQLSelectBuilder, as type: M.Type, cursor: String?, limit: Int,
                        value: (M, any SQLRow) throws -> Value) async throws -> (items: [M], next: String?) where M.IDValue == UUID {
        let rows = try await apply(to: query, cursor: cursor).limit(limit + 1).all()
        let decodable = M.self as? any RowDecodable.Type
        var items: [(M, any SQLRow)] = try rows.map { row in
            (try decodable.map { try $0.init(row: row) as! M } ?? row.decode(fluentModel: M.self), row)
        }
        let more = items.count > limit
        if more { items.removeLast() }
        let next = try more ? items.last.map { try Self.cursor(value($0.0, $0.1), id: $0.0.id!) } : nil
        return (items.map(\.0), next)
    }
}
