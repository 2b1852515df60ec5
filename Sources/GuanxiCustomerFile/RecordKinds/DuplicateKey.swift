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
    /// For a key too weak alone (a company name: "Northwind Trading" in ten cities), the
    /// columns the query also gives that must back it up: records sharing the key are
    /// grouped only with those they share one of these with as well (`Corroboration`).
    package var corroboratedBy: [String] = []
    package let query: @Sendable (_ visible: SQLQueryString, _ engine: SQLEngine) -> SQLQueryString

    package init(reason: String, corroboratedBy: [String] = [], query: @escaping @Sendable (_ visible: SQLQueryString, _ engine: SQLEngine) -> SQLQueryString) {
        (self.reason, self.corroboratedBy, self.query) = (reason, corroboratedBy, query)
    }

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

    /// The same value of `column` (a name already brought to a comparable form), backed
    /// up by the same city, e-mail domain (not a public mail service), address or phone.
    package static func name(in table: String, column: String) -> DuplicateKey {
        DuplicateKey(reason: "name", corroboratedBy: ["city", "email", "address", "phone_digits"]) { visible, _ in
            "SELECT t.id, t.name, t.\(unsafeRaw: column) AS k, t.city, t.email, t.address, t.phone_digits FROM \(unsafeRaw: table) t WHERE t.\(unsafeRaw: column) IN (SELECT \(unsafeRaw: column) FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) IS NOT NULL GROUP BY \(unsafeRaw: column) HAVING COUNT(*) > 1)\(visible)"
        }
    }

    /// The same value of `column`, counted as `reason`; records are named by `nameColumn`.
    package static func same(_ column: String, in table: String, reason: String, nameColumn: String = "name") -> DuplicateKey {
        DuplicateKey(reason: reason) { visible, _ in
            "SELECT t.id, t.\(unsafeRaw: nameColumn) AS name, t.\(unsafeRaw: column) AS k FROM \(unsafeRaw: table) t WHERE t.\(unsafeRaw: column) IN (SELECT \(unsafeRaw: column) FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) IS NOT NULL GROUP BY \(unsafeRaw: column) HAVING COUNT(*) > 1)\(visible)"
        }
    }
}

/// What backs a weak duplicate key up: two records sharing it are the same only if they
/// also share a city, an e-mail domain of their own (a company's, not 163.com or
/// gmail.com), an address or a phone number.
package enum Corroboration {
    /// Public mail services: two people using one say nothing about being one company.
    package static let publicMailDomains: Set<String> = [
        "163.com", "126.com", "yeah.net", "qq.com", "foxmail.com", "sina.com", "sina.cn", "sohu.com", "aliyun.com", "139.com", "189.cn",
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com", "me.com", "proton.me", "protonmail.com",
    ]

    /// The comparable form of one evidence value, or nil when it proves nothing.
    package static func evidence(_ column: String, _ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces).lowercased(), !value.isEmpty else { return nil }
        if column == "email" {
            guard let at = value.lastIndex(of: "@") else { return nil }
            let domain = String(value[value.index(after: at)...])
            return domain.isEmpty || publicMailDomains.contains(domain) ? nil : "domain:\(domain)"
        }
        if column == "phone_digits" && value.count < 7 { return nil }
        return "\(column):\(value)"
    }

    /// Splits the records sharing one key value into the groups whose members each share
    /// evidence with another: a sub-key per group; records backed by nothing are left out.
    package static func subKeys(_ records: [(id: UUID, evidence: Set<String>)]) -> [UUID: String] {
        var parent = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.id) })
        func root(_ id: UUID) -> UUID { var r = id; while parent[r]! != r { r = parent[r]! }; return r }
        var firstWith: [String: UUID] = [:]
        for record in records {
            for value in record.evidence {
                if let first = firstWith[value] { parent[root(record.id)] = root(first) } else { firstWith[value] = record.id }
            }
        }
        let roots = records.map { root($0.id) }
        var sizes: [UUID: Int] = [:]
        for r in roots { sizes[r, default: 0] += 1 }
        var out: [UUID: String] = [:]
        for (record, r) in zip(records, roots) where sizes[r]! > 1 { out[record.id] = r.uuidString }
        return out
    }
}
