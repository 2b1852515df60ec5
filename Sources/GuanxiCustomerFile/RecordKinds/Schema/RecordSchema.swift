import Foundation
import GuanxiPlatform

/// A kind of record declared as data — its table and its fields — for which Guanxi builds
/// everything else (`RecordKindDescriptor.schema`): the table, versioned and audited writes
/// through the permission check, a list with search and keyset paging, CSV import with
/// revert, export, duplicates and merge, timeline and hand-over. Kinds whose records are
/// mostly fields (knowledge articles, installed products, price books …) are declared so;
/// a kind with rules of its own writes its own service and describes it by hand.
///
/// Every record has an owner (`owner_id`), a version, creation and change times, and the
/// text it is found by (`search_text`). The first field is its name.
package struct RecordSchema: Sendable {
    package struct Field: Sendable {
        package enum FieldType: String, Sendable {
            case text
            /// A whole number.
            case number
            /// A calendar day, YYYY-MM-DD.
            case date
        }
        /// Its column, and its name in the API, list columns and import files.
        package let key: String
        package var type: FieldType = .text
        package var required = false
        /// Longest text it takes, in characters.
        package var maxLength = 200
        /// The record is found by this field's text.
        package var searchable = false
        /// Headers an import file may name it by, besides its key (both languages).
        package var headers: [String] = []

        package init(_ key: String, _ type: FieldType = .text, required: Bool = false, maxLength: Int = 200, searchable: Bool = false, headers: [String] = []) {
            (self.key, self.type, self.required, self.maxLength, self.searchable, self.headers) = (key, type, required, maxLength, searchable, headers)
        }
    }

    package let kind: RecordKind
    /// The first is the record's name (required, searchable, sorted on).
    package let fields: [Field]
    /// Fields whose equal values mark records as probably the same (and that can find
    /// existing records in an import), each with what sharing it means: `email` (the
    /// strongest sign), `phone` or `name`.
    package var duplicateFields: [(field: String, reason: String)] = []
    /// Migration name prefix; never change it once shipped.
    package var migrationName: String { "kind_\(kind.rawValue)_0001" }

    package var table: String { kind.rawValue }
    package var nameField: String { fields[0].key }

    package init(kind: RecordKind, fields: [Field], duplicateFields: [(field: String, reason: String)] = []) {
        precondition(!fields.isEmpty, "A record schema needs at least its name field.")
        var fields = fields
        (fields[0].required, fields[0].searchable) = (true, true)
        (self.kind, self.fields, self.duplicateFields) = (kind, fields, duplicateFields)
    }

    package func field(_ key: String) -> Field? { fields.first { $0.key == key } }
}

/// One record of a schema kind as read from its table.
package struct SchemaRecord: Sendable, Codable, ListedRecord {
    package let id: UUID
    package var ownerID: UUID?
    package var version: Int
    package var createdAt: Date
    package var updatedAt: Date
    /// Field key → value as text (numbers in decimal, days as YYYY-MM-DD); absent when empty.
    package var values: [String: String]

    package var recordID: UUID { id }
    package var recordOwnerID: UUID? { ownerID }

    /// What the audit log records of it.
    package func snapshot(_ schema: RecordSchema) -> AuditSnapshot {
        var out: AuditSnapshot = ["owner_id": ownerID?.uuidString]
        for field in schema.fields { out[field.key] = values[field.key] }
        return out
    }
}
