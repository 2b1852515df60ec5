import Foundation
import Hummingbird
import GuanxiPlatform

/// One kind's record list as the list page shows it and as an export writes it: how its
/// filters read from the query string, how a page of records is fetched through the
/// permission check, and which columns it has. The page and the export share it, so an
/// export holds exactly the rows and columns the reader was looking at.
protocol RecordList: Sendable {
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
    func columns(for records: [Record], principal: Principal, locale: String) async throws -> [ListTable.Column<Record>]
}

extension RecordList {
    var titleLabelKey: String { "lists.sort_name" }
}

/// What a list row needs of a record.
protocol ListedRecord {
    var recordID: UUID { get }
    /// Whose record it is, for the export permission's data scope.
    var recordOwnerID: UUID? { get }
}
extension Customer: ListedRecord { var recordID: UUID { id! }; var recordOwnerID: UUID? { ownerID } }
extension Lead: ListedRecord { var recordID: UUID { id! }; var recordOwnerID: UUID? { ownerID } }
extension Opportunity: ListedRecord { var recordID: UUID { id! }; var recordOwnerID: UUID? { ownerID } }
extension Contact: ListedRecord { var recordID: UUID { id! }; var recordOwnerID: UUID? { ownerID } }
extension Activity: ListedRecord { var recordID: UUID { id! }; var recordOwnerID: UUID? { ownerID } }

extension ListTable {
    /// Custom field filters typed into a list's filter box (`cf=key op value`).
    static func customFilters(_ query: Parameters) throws -> [CustomFilter] {
        try query.getAll("cf").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map(CustomFilter.parse)
    }

    /// The data-quality check a list is narrowed to (`quality=unreachable`), and the day
    /// before which untouched records count as stale.
    static func quality(_ query: Parameters, now: Date) throws -> (rule: QualityRule?, cutoff: Date) {
        let cutoff = now.addingTimeInterval(-Double(QualityRule.staleDays) * 86_400)
        guard let text = query["quality"].map(String.init), !text.isEmpty else { return (nil, cutoff) }
        guard let rule = QualityRule(rawValue: text) else {
            throw GuanxiError.invalid("quality", "quality must be one of \(QualityRule.allCases.map(\.rawValue).joined(separator: ", ")).")
                .localized("msg.choice", ["field": "quality", "choices": QualityRule.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        return (rule, cutoff)
    }

    /// The sort a list's query string asks for: a built-in order, or `cf.KEY` for a custom field.
    static func sort(_ query: Parameters, default value: String) -> (builtIn: String, custom: String?, descending: Bool) {
        let sort = query["sort"].map(String.init) ?? value
        return sort.hasPrefix("cf.") ? (value, String(sort.dropFirst(3)), query["order"] == "desc") : (sort, nil, query["order"] == "desc")
    }
}
