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
struct RecordSchema: Sendable {
    struct Field: Sendable {
        enum FieldType: String, Sendable {
            case text
            /// A whole number.
            case number
            /// A calendar day, YYYY-MM-DD.
            case date
        }
        /// Its column, and its name in the API, list columns and import files.
        let key: String
        var type: FieldType = .text
        var required = false
        /// Longest text it takes, in characters.
        var maxLength = 200
        /// The record is found by this field's text.
        var searchable = false
        /// Headers an import file may name it by, besides its key (both languages).
        var headers: [String] = []

        init(_ key: String, _ type: FieldType = .text, required: Bool = false, maxLength: Int = 200, searchable: Bool = false, headers: [String] = []) {
            (self.key, self.type, self.required, self.maxLength, self.searchable, self.headers) = (key, type, required, maxLength, searchable, headers)
        }
    }

    let kind: RecordKind
    /// The first is the record's name (required, searchable, sorted on).
    let fields: [Field]
    /// Fields whose equal values mark records as probably the same (and that can find
    /// existing records in an import), each with what sharing it means: `email` (the
    /// strongest sign), `phone` or `name`.
    var duplicateFields: [(field: String, reason: String)] = []
    /// Migration name prefix; never change it once shipped.
    var migrationName: String { "kind_\(kind.rawValue)_0001" }

    var table: String { kind.rawValue }
    var nameField: String { fields[0].key }

    init(kind: RecordKind, fields: [Field], duplicateFields: [(field: String, reason: String)] = []) {
        precondition(!fields.isEmpty, "A record schema needs at least its name field.")
        var fields = fields
        (fields[0].required, fields[0].searchable) = (true, true)
        (self.kind, self.fields, self.duplicateFields) = (kind, fields, duplicateFields)
    }

    func field(_ key: String) -> Field? { fields.first { $0.key == key } }
}

/// One record of a schema kind as read from its table.
struct SchemaRecord: Sendable, Codable, ListedRecord {
    let id: UUID
    var ownerID: UUID?
    var version: Int
    var createdAt: Date
    var updatedAt: Date
    /// Field key → value as text (numbers in decimal, days as YYYY-MM-DD); absent when empty.
    var values: [String: String]

    var recordID: UUID { id }
    var recordOwnerID: UUID? { ownerID }

    /// What the audit log records of it.
    func snapshot(_ schema: RecordSchema) -> AuditSnapshot {
        var out: AuditSnapshot = ["owner_id": ownerID?.uuidString]
        for field in schema.fields { out[field.key] = values[field.key] }
        return out
    }
}
