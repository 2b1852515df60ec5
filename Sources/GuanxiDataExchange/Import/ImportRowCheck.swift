import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// What a row of an import does, decided from its values and from what its key found:
/// plain functions of their arguments, with no database, so each rule is tested on its
/// own (`ImportRowCheckTests`). The runner looks the key up and hands the answers in.
package enum ImportRowCheck {
    package enum Decision: Equatable {
        case create
        /// Changes the record; `merge` fills only its empty fields (and adds to its lists).
        case update(UUID, merge: Bool)
        /// Not imported: `skipped` when the settings chose to leave such rows out
        /// (duplicates: skip), refused otherwise.
        case refuse(Reason, skipped: Bool)
    }

    /// Why a row is not imported: its locale key, the English text, and their arguments.
    package struct Reason: Equatable, Sendable {
        package let key: String
        package let english: String
        package let arguments: [String: String]
    }

    /// A row with more or fewer fields than the header.
    package static func ragged(fields: Int, expected: Int) -> Reason {
        Reason(key: "msg.import_ragged", english: "The row has \(fields) fields where the header has \(expected).",
               arguments: ["count": String(fields), "expected": String(expected)])
    }

    /// The value a row's key compares: the first entry of a list, without its label.
    package static func keyValue(_ values: [String: String], keyField: String?) -> String? {
        keyField.flatMap { values[$0] }.flatMap { ImportValues.list($0).first }.map(unlabelled)
    }

    /// What a row does, given the import's `mode` and `duplicates` settings, its key's
    /// value (nil: no key, or blank), the records the key found and the line of an earlier
    /// row of the file with the same key (whose record `matches` then holds).
    package static func decide(mode: ImportSettings.Mode, duplicates: ImportSettings.Duplicates, keyHeader: String, keyValue: String?,
                       matches: [UUID], earlierLine: Int?) -> Decision {
        let value = keyValue ?? ""
        if keyValue == nil && mode != .create {
            return .refuse(Reason(key: "msg.import_key_blank", english: "\(keyHeader) is empty; the import finds records by it.", arguments: ["field": keyHeader]),
                           skipped: false)
        }
        switch (mode, matches.count) {
        case (_, 2...):
            return .refuse(Reason(key: "msg.import_ambiguous", english: "\(matches.count) records have \(keyHeader) \(value); the import cannot tell which to update.",
                                  arguments: ["count": String(matches.count), "field": keyHeader, "value": value]), skipped: false)
        case (.create, 1):
            switch duplicates {
            case .create: return .create
            case .merge: return .update(matches[0], merge: true)
            case .skip:
                let reason = earlierLine.map {
                    Reason(key: "msg.import_duplicate_row", english: "Same \(keyHeader) as line \($0); skipped.", arguments: ["field": keyHeader, "line": String($0)])
                } ?? Reason(key: "msg.import_duplicate_record", english: "A record with \(keyHeader) \(value) exists already; skipped.",
                            arguments: ["field": keyHeader, "value": value])
                return .refuse(reason, skipped: true)
            }
        case (.update, 0):
            return .refuse(Reason(key: "msg.import_no_match", english: "No record has \(keyHeader) \(value).", arguments: ["field": keyHeader, "value": value]),
                           skipped: false)
        case (.update, _), (.upsert, 1):
            return .update(matches[0], merge: false)
        default:
            return .create
        }
    }

    /// "手机: 138 0013 8000" → "138 0013 8000": a key compares values, not their labels.
    package static func unlabelled(_ entry: String) -> String {
        guard let colon = entry.firstIndex(where: { $0 == ":" || $0 == "：" }), !entry[..<colon].contains(Character("@")), entry[..<colon].allSatisfy({ !$0.isNumber }) else { return entry }
        return entry[entry.index(after: colon)...].trimmed
    }

    /// The file's header for the field an error names ("emails[0]" → the e-mail column).
    package static func column(of error: GuanxiError, mapping: ImportMapping, header: [String]) -> String {
        guard var field = error.field else { return "" }
        if let bracket = field.firstIndex(of: "[") { field = String(field[..<bracket]) }
        if field.hasPrefix("customFields.") { field = "cf." + field.dropFirst("customFields.".count) }
        let aliases = ["customerId": "customer", "ownerId": "owner", "externalId": "external_id", "lifecycleStage": "lifecycle_stage", "reportsToId": "reports_to",
                       "stageId": "stage", "pipelineId": "pipeline", "expectedClose": "expected_close", "lossReason": "loss_reason", "startsAt": "starts_at",
                       "endsAt": "ends_at", "dueAt": "due_at", "relatedId": "customer"]
        field = aliases[field] ?? field
        return mapping.columns.first { $0.value == field }.map { header[$0.key] } ?? field
    }
}
