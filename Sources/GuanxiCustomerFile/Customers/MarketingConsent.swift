import Foundation
import GuanxiPlatform
import SQLKit

/// The customer file's answer to the outbox's question "may this address get marketing?":
/// not when the customer it belongs to — directly, or through one of its contacts — has
/// said no to e-mail, nor when the message is about a record of a customer who has.
enum MarketingConsent {
    static func check(_ database: DatabaseService, records: RecordKinds) -> Outbox.ConsentCheck {
        { address, about in
            let key = address.lowercased()
            let optedOut = Consent.Status.optedOut.rawValue
            // The customer the record belongs to, whatever its kind (a contact, a deal …).
            if let about, let customer = try await records.find(about.kind, about.id, for: PrincipalLoader.console()).customerID,
               let name = try await database.sql.raw("""
                   SELECT name FROM customers WHERE id = \(bind: customer) AND consent_email = \(bind: optedOut)
                   """).first(decodingColumn: "name", as: String.self) {
                return "no consent: \(name) opted out of e-mail"
            }
            let row = try await database.sql.raw("""
                SELECT name FROM customers WHERE LOWER(email) = \(bind: key) AND consent_email = \(bind: optedOut)
                UNION ALL
                SELECT cu.name FROM contact_channels ch JOIN contacts t ON t.id = ch.contact_id JOIN customers cu ON cu.id = t.customer_id
                WHERE ch.kind = 'email' AND ch.normalized = \(bind: key) AND cu.consent_email = \(bind: optedOut)
                LIMIT 1
                """).first()
            return try row.map { "no consent: \(try $0.decode(column: "name", as: String.self)) opted out of e-mail" }
        }
    }
}
