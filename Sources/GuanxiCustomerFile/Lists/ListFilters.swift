import Foundation
import Hummingbird
import GuanxiPlatform

extension ListTable {
    /// Custom field filters typed into a list's filter box (`cf=key op value`).
    package static func customFilters(_ query: Parameters) throws -> [CustomFilter] {
        try query.getAll("cf").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map(CustomFilter.parse)
    }

    /// The data-quality check a list is narrowed to (`quality=unreachable`), and the day
    /// before which untouched records count as stale.
    package static func quality(_ query: Parameters, now: Date) throws -> (rule: QualityRule?, cutoff: Date) {
        let cutoff = now.addingTimeInterval(-Double(QualityRule.staleDays) * 86_400)
        guard let text = query["quality"].map(String.init), !text.isEmpty else { return (nil, cutoff) }
        guard let rule = QualityRule(rawValue: text) else {
            throw GuanxiError.invalid("quality", "quality must be one of \(QualityRule.allCases.map(\.rawValue).joined(separator: ", ")).")
                .localized("msg.choice", ["field": "quality", "choices": QualityRule.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        return (rule, cutoff)
    }

    /// The sort a list's query string asks for: a built-in order, or `cf.KEY` for a custom field.
    package static func sort(_ query: Parameters, default value: String) -> (builtIn: String, custom: String?, descending: Bool) {
        let sort = query["sort"].map(String.init) ?? value
        return sort.hasPrefix("cf.") ? (value, String(sort.dropFirst(3)), query["order"] == "desc") : (sort, nil, query["order"] == "desc")
    }
}
