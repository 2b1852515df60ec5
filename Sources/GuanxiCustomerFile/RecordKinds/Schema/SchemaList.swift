import Foundation
import Hummingbird
import GuanxiPlatform

/// A schema kind's list: `q` searches, `owner` narrows to one owner's records, rows by name.
package struct SchemaList: RecordList {
    package let records: SchemaRecords
    package let users: UserService
    package let localizer: Localizer

    package var kind: RecordKind { records.kind }
    package var defaultColumns: [String] { Array(records.schema.fields.dropFirst().prefix(4).map(\.key)) + ["owner"] }
    package func title(_ record: SchemaRecord) -> String { record.values[records.schema.nameField] ?? "" }

    package func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [SchemaRecord], next: String?) {
        let owner = try Validate.uuid(query["owner"].map(String.init), field: "owner")
        return try await records.page(search: query["q"].map(String.init), ownerID: owner, cursor: cursor, limit: limit, for: principal)
    }

    package func columns(for rows: [SchemaRecord], principal: Principal, locale: String) async throws -> [ListTable.Column<SchemaRecord>] {
        let owners = try await users.names(of: rows.compactMap(\.ownerID))
        let fields = records.schema.fields.dropFirst().map { field in
            ListTable.Column<SchemaRecord>(key: field.key, label: label(field.key, locale)) { $0.values[field.key] ?? "" }
        }
        return fields + [.init(key: "owner", label: localizer.text("customer_fields.owner", locale)) { $0.ownerID.flatMap { owners[$0] } ?? "" }]
    }

    /// A field's label: `<kind>_fields.<key>` from the locale files, else the key itself.
    package func label(_ key: String, _ locale: String) -> String {
        localizer.known("\(kind.rawValue)_fields.\(key)", locale) ?? key
    }
}
