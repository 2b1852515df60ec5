import Foundation
import GuanxiPlatform

/// One field a merge lets the user choose between: how it reads (for the comparison
/// page and the defaults) and how the chosen record's value is copied onto the survivor.
package struct MergeField<Record>: Sendable {
    package let key: String
    package let read: @Sendable (Record) -> String?
    package let copy: @Sendable (_ to: Record, _ from: Record) -> Void

    package init(_ key: String, _ read: @escaping @Sendable (Record) -> String?, _ copy: @escaping @Sendable (_ to: Record, _ from: Record) -> Void) {
        (self.key, self.read, self.copy) = (key, read, copy)
    }

    /// The value each field keeps unless the user picks another: the survivor's, or where
    /// it has none, the first of the others that has one.
    package static func defaults(_ fields: [MergeField], survivor: Record, others: [Record], id: (Record) -> UUID) -> [String: UUID] {
        var out: [String: UUID] = [:]
        for field in fields {
            out[field.key] = field.read(survivor) != nil ? id(survivor) : others.first { field.read($0) != nil }.map(id) ?? id(survivor)
        }
        return out
    }

    /// Copies onto `survivor`, field by field, the value of the record `choices` names.
    package static func apply(_ fields: [MergeField], choices: [String: UUID], to survivor: Record, from others: [Record], id: (Record) -> UUID) {
        for field in fields {
            if let source = others.first(where: { id($0) == choices[field.key] }) { field.copy(survivor, source) }
        }
    }
}
