import Foundation
import SQLKit
import GuanxiPlatform

/// One thing records of a kind can share that makes them probably the same (an e-mail
/// address, a phone number, a name), as a grouped query over the whole file: it gives
/// `id`, `name` and the shared value `k` of every record (alias `t`) that shares it with
/// another. `visible` (" AND …" on `t.owner_id`) keeps the reader's records.
package struct DuplicateKey: Sendable {
    /// `email` (scores 100), `phone` (90) or `name` (80).
    package let reason: String
    package let query: @Sendable (_ visible: SQLQueryString, _ engine: SQLEngine) -> SQLQueryString

    /// The same e-mail address, without regard to case, in the kind's `email` column.
    package static func email(in table: String) -> DuplicateKey {
        DuplicateKey(reason: "email") { visible, _ in
            "SELECT t.id, t.name, lower(t.email) AS k FROM \(unsafeRaw: table) t WHERE lower(t.email) IN (SELECT lower(email) FROM \(unsafeRaw: table) WHERE email IS NOT NULL GROUP BY lower(email) HAVING COUNT(*) > 1)\(visible)"
        }
    }

    /// The same phone number, by its digits (seven or more), in the kind's `phone_digits` column.
    package static func phone(in table: String) -> DuplicateKey {
        DuplicateKey(reason: "phone") { visible, _ in
            "SELECT t.id, t.name, t.phone_digits AS k FROM \(unsafeRaw: table) t WHERE t.phone_digits IN (SELECT phone_digits FROM \(unsafeRaw: table) WHERE phone_digits IS NOT NULL AND length(phone_digits) >= 7 GROUP BY phone_digits HAVING COUNT(*) > 1)\(visible)"
        }
    }

    /// The same value of `column` (a name already brought to a comparable form).
    package static func name(in table: String, column: String) -> DuplicateKey {
        same(column, in: table, reason: "name")
    }

    /// The same value of `column`, counted as `reason`; records are named by `nameColumn`.
    package static func same(_ column: String, in table: String, reason: String, nameColumn: String = "name") -> DuplicateKey {
        DuplicateKey(reason: reason) { visible, _ in
            "SELECT t.id, t.\(unsafeRaw: nameColumn) AS name, t.\(unsafeRaw: column) AS k FROM \(unsafeRaw: table) t WHERE t.\(unsafeRaw: column) IN (SELECT \(unsafeRaw: column) FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) IS NOT NULL GROUP BY \(unsafeRaw: column) HAVING COUNT(*) > 1)\(visible)"
        }
    }
}
