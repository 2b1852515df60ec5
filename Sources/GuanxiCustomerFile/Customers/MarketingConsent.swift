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

extension MarketingConsent {
    /// Records the "no" of an unsubscribe link on every customer whose own address it is
    /// (a contact's address stays on the outbox's list alone: the company behind it has
    /// not said no). Each change is audited, naming where the request came from.
    static func optOut(_ address: String, services: CustomerFileServices, requester: String) async throws {
        let optedOut = Consent.Status.optedOut.rawValue
        let now = services.clock.now()
        try await services.database.db.transaction { db in
            let sql = db as! any SQLDatabase
            let rows = try await sql.raw("""
                SELECT id, name, consent_email FROM customers WHERE LOWER(email) = \(bind: address.lowercased()) AND consent_email <> \(bind: optedOut)
                """).all()
            for row in rows {
                let id = try row.decode(column: "id", as: UUID.self)
                try await sql.update("customers").set("consent_email", to: optedOut).set("consent_email_at", to: now)
                    .set("consent_email_via", to: "unsubscribe link").set(SQLIdentifier("version"), to: SQLRaw("version + 1")).set("updated_at", to: now)
                    .where("id", .equal, id).run()
                try await services.audit.record(on: db, actor: nil, action: .update, kind: .customers, id: id.uuidString,
                                                label: try row.decode(column: "name", as: String.self),
                                                changes: [FieldChange(field: "consent_email", old: try row.decode(column: "consent_email", as: String.self), new: optedOut),
                                                          FieldChange(field: "consent_email_via", old: nil, new: "unsubscribe link")],
                                                address: requester)
            }
        }
    }
}
