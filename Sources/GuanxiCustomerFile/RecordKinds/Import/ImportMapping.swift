import Foundation
import GuanxiPlatform

/// Which column of a file fills which field. Headers are recognised by name (Chinese or
/// English, without regard to case, spaces, dashes or underscores), by a custom field's
/// key or label, or as the settings map them explicitly; a header mapped to "" is ignored.
package struct ImportMapping: Sendable, Equatable {
    /// Column index → field key (`cf.KEY` for custom fields).
    package let columns: [Int: String]
    /// The header of each column, for labelling entries of list fields filled by several columns.
    package var labels: [Int: String] = [:]
    /// Headers that map to nothing, for the preview and report.
    package var unmapped: [String] = []
    /// The mapped columns in file order, so each row's values come out in the same order
    /// without sorting `columns` for every row.
    private let ordered: [Int]

    package init(columns: [Int: String], labels: [Int: String] = [:], unmapped: [String] = []) {
        (self.columns, self.labels, self.unmapped, ordered) = (columns, labels, unmapped, columns.keys.sorted())
    }

    package static func fold(_ text: String) -> String {
        text.lowercased().filter { !" _-\t.：:（）()".contains($0) }
    }

    /// Maps `header`. Errors: a header mapped explicitly to a field the kind does not have,
    /// two columns for one field, no column mapped at all, or a required field missing.
    package static func make(header: [String], fields: [ImportField], custom: [CustomField], explicit: [String: String],
                     requireAll: Bool = true) throws -> ImportMapping {
        var known: [String: String] = [:]
        for field in fields { for name in field.names + [field.key] { known[fold(name)] = known[fold(name)] ?? field.key } }
        for f in custom { for name in [f.key, f.label, "cf.\(f.key)"] { known[fold(name)] = known[fold(name)] ?? "cf.\(f.key)" } }
        let valid = Set(fields.map(\.key) + custom.map { "cf.\($0.key)" })
        var columns: [Int: String] = [:], unmapped: [String] = [], labels: [Int: String] = [:]
        let multiple = Set(fields.filter(\.multiple).map(\.key)), labelled = Set(fields.filter(\.labelled).map(\.key))
        for (index, raw) in header.enumerated() {
            let name = raw.trimmed
            let chosen: String?
            if let sent = explicit[name] {
                guard sent.isEmpty || valid.contains(sent) else {
                    throw GuanxiError.invalid("mapping", "The mapping sends column \(name) to \(sent), which is not a field of this kind.")
                        .localized("msg.import_unknown_target", ["column": name, "field": sent])
                }
                chosen = sent.isEmpty ? nil : sent
            } else {
                chosen = known[fold(name)]
            }
            guard let key = chosen else { unmapped.append(name); continue }
            if multiple.contains(key) {
                labels[index] = labelled.contains(key) ? name.filter { !$0.isNumber }.trimmed : ""
            } else if let other = columns.first(where: { $0.value == key }) {
                throw GuanxiError.invalid("mapping", "Columns \(header[other.key]) and \(name) both fill \(key); map one of them to nothing.")
                    .localized("msg.import_twice", ["first": header[other.key], "second": name, "field": key])
            }
            columns[index] = key
        }
        guard !columns.isEmpty else {
            throw GuanxiError.invalid("mapping", "No column of the file maps to a field (headers: \(header.joined(separator: ", "))).")
                .localized("msg.import_nothing_mapped", ["headers": header.joined(separator: ", ")])
        }
        for field in fields where requireAll && field.required && !columns.values.contains(field.key) {
            throw GuanxiError.invalid("mapping", "No column fills \(field.key), which every record needs.")
                .localized("msg.import_required_column", ["field": field.key])
        }
        let shared = Dictionary(grouping: labels.keys) { columns[$0]! }.filter { $0.value.count > 1 }.values.flatMap { $0 }
        return ImportMapping(columns: columns, labels: labels.filter { shared.contains($0.key) }, unmapped: unmapped)
    }

    /// The row's non-empty values by field key; a list field filled by several columns
    /// gets one line per column, labelled by its header ("手机: 138 0013 8000").
    package func values(_ fields: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for index in ordered where index < fields.count {
            let key = columns[index]!
            let value = fields[index].trimmed
            guard !value.isEmpty else { continue }
            let entry = labels[index].map { $0.isEmpty ? value : "\($0): \(value)" } ?? value
            out[key] = out[key].map { $0 + "\n" + entry } ?? entry
        }
        return out
    }
}
