import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// What an import settles before its first row: the file's rows after the header, which
/// column fills which field, and the key that finds existing records. Every error here
/// concerns the file as a whole — its encoding, quoting, header, mapping and key — and
/// stops the import before anything is written. A vCard file (contacts only) reads as one
/// row per card.
package struct ImportPlan: Sendable {
    package var rows: ImportRows
    package let header: [String]
    package let mapping: ImportMapping
    /// The key in effect: the one chosen or, for a create that skips or merges duplicates
    /// without one, the first the file fills of external id, e-mail, phone (`defaultKey`).
    package let key: String?
    /// The field the key compares (contacts find `email` in `emails`), nil without a key.
    package let keyField: String?
    /// The header of the key's column, as rejects name it ("" without a key).
    package let keyHeader: String

    package static func make(_ file: ImportFile, target: some ImportTarget, settings: ImportSettings, custom: [CustomField]) async throws -> ImportPlan {
        var rows: ImportRows
        let header: CSVReader.Row
        switch file.content {
        case .cards(let cards, let fields):
            guard target.readsCards else {
                throw GuanxiError.invalid("file", "A vCard file holds contacts; import it as contacts.").localized("msg.vcard_contacts_only", [:])
            }
            (rows, header) = (ImportRows(cards: cards), CSVReader.Row(line: 0, fields: fields))
        case .csv(let bytes):
            rows = ImportRows(csv: CSVReader.Rows(bytes: bytes[...], separator: CSVReader(detectingIn: bytes.prefix(65_536)).separator))
            header = try await Self.header(&rows)
        case .stored(let job, let store):
            rows = ImportRows(stored: try await StoredRows(job: job, store: store))
            header = try await Self.header(&rows)
        }
        // Only a file that creates every row must fill every required field; an update or
        // upsert file may carry just the key and what changes.
        let mapping = try ImportMapping.make(header: header.fields, fields: target.fields, custom: custom, explicit: settings.mapping,
                                             requireAll: settings.mode == .create)
        if let key = settings.key {
            let known = target.keys + custom.map { "cf.\($0.key)" }
            guard known.contains(key) else {
                throw GuanxiError.invalid("key", "\(key) cannot find records of this kind; use one of: \(known.joined(separator: ", ")).")
                    .localized("msg.import_key_unknown", ["field": key, "choices": known.joined(separator: ", ")])
            }
            guard mapping.columns.values.contains(target.field(forKey: key)) else {
                throw GuanxiError.invalid("key", "No column of the file fills \(key), the key.").localized("msg.import_key_not_mapped", ["field": key])
            }
        } else if settings.mode != .create {
            throw GuanxiError.invalid("key", "Updating needs a key: the field that finds each row's record.").localized("msg.import_key_needed", [:])
        }
        let key = settings.key ?? (settings.mode == .create && settings.duplicates != .create ? defaultKey(target: target, mapping: mapping) : nil)
        let keyField = key.map(target.field(forKey:))
        let keyHeader = keyField.flatMap { k in mapping.columns.first { $0.value == k }.map { header.fields[$0.key] } } ?? ""
        return ImportPlan(rows: rows, header: header.fields, mapping: mapping, key: key, keyField: keyField, keyHeader: keyHeader)
    }

    /// "Skip duplicates" with no key chosen still finds them: by the record's external id,
    /// else its e-mail, else its phone, whichever the file fills first; nil when it fills
    /// none of the kind's keys (then every row is new).
    package static func defaultKey(target: some ImportTarget, mapping: ImportMapping) -> String? {
        let preference = ["external_id", "email", "phone"]
        return target.keys.filter(preference.contains).sorted { preference.firstIndex(of: $0)! < preference.firstIndex(of: $1)! }
            .first { mapping.columns.values.contains(target.field(forKey: $0)) }
    }

    private static func header(_ rows: inout ImportRows) async throws -> CSVReader.Row {
        guard let first = try await rows.next() else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
        return first
    }
}
