import Foundation
import SQLKit

/// Keyset pagination: a page starts after the last row of the previous one, found by
/// the sort column and the id, so no page counts or skips rows however deep it is.
public struct Keyset: Sendable {
    public enum Value: Sendable { case text(String), time(Date) }

    let column: String
    let ascending: Bool
    let isTime: Bool

    public static func text(_ column: String, ascending: Bool = true) -> Keyset { Keyset(column: column, ascending: ascending, isTime: false) }
    public static func time(_ column: String, ascending: Bool = false) -> Keyset { Keyset(column: column, ascending: ascending, isTime: true) }

    /// Adds the start condition (when there is a cursor) and the order to `query`.
    func apply(to query: SQLSelectBuilder, cursor: String?) throws -> SQLSelectBuilder {
        var query = query
        if let cursor {
            guard let (value, id) = Self.parse(cursor), !isTime || Double(value) != nil else {
                throw GuanxiError.invalid("cursor", "cursor is not one this list returned.").localized("msg.bad_cursor", [:])
            }
            let bound: any Encodable & Sendable = isTime ? Date(timeIntervalSince1970: Double(value)!) : value
            let op = ascending ? ">" : "<"
            // A row-value comparison, which both engines answer from the (column, id) index;
            // the equivalent OR form makes PostgreSQL scan.
            query = query.where(SQLQueryString("(\(unsafeRaw: column), id) \(unsafeRaw: op) (\(bind: bound), \(bind: id))"))
        }
        return query.orderBy(column, ascending ? .ascending : .descending).orderBy("id", ascending ? .ascending : .descending)
    }

    /// The cursor that continues after a row with this sort value and id.
    public static func cursor(_ value: Value, id: UUID) -> String {
        let text = switch value {
        case .text(let t): t
        case .time(let d): String(d.timeIntervalSince1970)
        }
        return Data("\(text)\u{1F}\(id.uuidString)".utf8).base64EncodedString()
    }

    static func parse(_ cursor: String) -> (String, UUID)? {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        return (String(parts[0]), id)
    }
}
