import Foundation
import Hummingbird
import GuanxiPlatform

/// One kind's record list as the list page shows it and as an export writes it: how its
/// filters read from the query string, how a page of records is fetched through the
/// permission check, and which columns it has. The page and the export share it, so an
/// export holds exactly the rows and columns the reader was looking at.
package protocol RecordList: Sendable {
    associatedtype Record: ListedRecord
    var kind: RecordKind { get }
    /// The built-in columns shown when the reader chose none.
    var defaultColumns: [String] { get }
    /// Locale key of the first column's header, which holds `title(_:)`.
    var titleLabelKey: String { get }
    func title(_ record: Record) -> String
    /// One page of the list the query string describes, after `cursor`.
    func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [Record], next: String?)
    /// The kind's own columns for `records`; names of owners and customers are looked up
    /// once for the whole page.
    func columns(for records: [Record], principal: Principal, locale: String) async throws -> [ListColumn<Record>]
    /// The ids of the whole list the query string describes, in its order, at most `limit`
    /// (a mail merge's recipients); by default read page by page.
    func ids(_ query: Parameters, limit: Int, for principal: Principal) async throws -> [UUID]
}

extension RecordList {
    package var titleLabelKey: String { "lists.sort_name" }

    package func ids(_ query: Parameters, limit: Int, for principal: Principal) async throws -> [UUID] {
        try await pagedIDs(query, limit: limit, for: principal)
    }

    /// The list's ids read a page at a time through `page`.
    package func pagedIDs(_ query: Parameters, limit: Int, for principal: Principal) async throws -> [UUID] {
        var out: [UUID] = [], cursor: String?
        repeat {
            let page = try await self.page(query, cursor: cursor, limit: 1000, for: principal)
            out += page.records.map(\.recordID)
            cursor = page.next
        } while cursor != nil && out.count < limit
        return Array(out.prefix(limit))
    }
    /// Rows an export (CSV, vCard, iCalendar) fetches — and looks up names for — per round trip.
    package static var exportPageSize: Int { 500 }
}

/// What a list row needs of a record.
package protocol ListedRecord {
    var recordID: UUID { get }
    /// Whose record it is, for the export permission's data scope.
    var recordOwnerID: UUID? { get }
}

/// One column of a record list: its key (as `col=` names it), its header, how a
/// record's cell reads (on the page and in exports) and, for a column that names another
/// record, where that record's page is.
package struct ListColumn<Record> {
    package let key: String
    package let label: String
    package let value: (Record) -> String
    package var link: ((Record) -> String?)? = nil

    package init(key: String, label: String, value: @escaping (Record) -> String) { (self.key, self.label, self.value) = (key, label, value) }

    /// The same column with its cells leading to `link`'s page (nil: no link for that row).
    package func linking(_ link: @escaping (Record) -> String?) -> ListColumn {
        var column = self
        column.link = link
        return column
    }
}
