import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Turning import text into field values, shared by every kind.
package enum ImportValues {
    /// A list cell: entries separated by line breaks (of any system), `;`, `；`, `|` or `、`.
    package static func list(_ text: String) -> [String] {
        // Most cells hold one value: none of the separators' bytes (line breaks, `;`, `|`,
        // and the lead bytes of `；` and `、`) means nothing to split, without comparing
        // every character with the separators (6 % of a million-contact import).
        guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x3B || $0 == 0x7C || $0 == 0xEF || $0 == 0xE3 }) else {
            let value = text.trimmed
            return value.isEmpty ? [] : [value]
        }
        return text.split(whereSeparator: listSeparators.contains).map { $0.trimmed }.filter { !$0.isEmpty }
    }

    /// `\r\n` is one character, apart from `\n`.
    private static let listSeparators: Set<Character> = ["\n", "\r\n", "\r", ";", "；", "|", "、"]

    /// A vocabulary value given as its key ("company") or its label in either language ("公司", "Company").
    package static func choice(_ text: String?, keys: [String], labels prefix: String, localizer: Localizer) -> String? {
        guard let text else { return nil }
        let folded = ImportMapping.fold(text)
        return keys.first { key in
            ImportMapping.fold(key) == folded || ["zh-Hans", "en"].contains { ImportMapping.fold(localizer.text("\(prefix).\(key)", $0)) == folded }
        } ?? text
    }

    /// Custom field cells as the custom field service reads them: lists for multiple
    /// choice, yes/no for booleans, text otherwise.
    package static func custom(_ values: [String: String], fields: [CustomField]) -> [String: CustomInput]? {
        var out: [String: CustomInput] = [:]
        for field in fields {
            guard let text = values["cf.\(field.key)"] else { continue }
            switch field.fieldType {
            case .multiChoice: out[field.key] = .list(list(text))
            case .boolean:
                let folded = text.lowercased()
                if ["1", "true", "yes", "y", "是", "对", "有"].contains(folded) { out[field.key] = .boolean(true) }
                else if ["0", "false", "no", "n", "否", "不", "无"].contains(folded) { out[field.key] = .boolean(false) }
                else { out[field.key] = .text(text) }
            default: out[field.key] = .text(text)
            }
        }
        return out.isEmpty ? nil : out
    }

    /// The user name of an owner, as the owner column carries it ("" for none).
    package static func username(_ id: UUID?, services: CustomerFileServices) async throws -> String {
        guard let id else { return "" }
        return try await services.database.sql.select().column("username").from("users").where("id", .equal, id).first()?
            .decode(column: "username", as: String.self) ?? ""
    }

    /// A user named by user name or display name, for the owner column.
    package static func owner(_ text: String?, services: CustomerFileServices) async throws -> UUID?? {
        guard let text else { return nil }
        if text.isEmpty { return .some(nil) }
        let row = try await services.database.sql.select().column("id").from("users")
            .where(SQLFunction("lower", args: SQLIdentifier("username")), .equal, SQLBind(text.lowercased())).orWhere("display_name", .equal, text)
            .limit(1).first()
        guard let id = try row?.decode(column: "id", as: UUID.self) else {
            throw GuanxiError.invalid("owner", "owner: no user is called \(text).").localized("msg.import_unknown_user", ["value": text])
        }
        return .some(id)
    }
}
