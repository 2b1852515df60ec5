import Foundation
import GuanxiPlatform
import SQLKit

/// The customer file's answer to the outbox's question "may this address get marketing?":
/// not when the customer it belongs to — directly, or through one of its contacts — has
/// said no to e-mail, nor when the message is about a record of a customer who has.
enum MarketingConsent {
    static func check(_ database: DatabaseService, records: RecordKinds) -> Outbox.ConsentCheck {
        { questions in
            let optedOut = Consent.Status.optedOut.rawValue
            // The customer each record belongs to, whatever its kind (a contact, a deal …),
            // unless the asker knew it already (a mail merge does, for every recipient).
            var customers = [UUID?](repeating: nil, count: questions.count)
            for (index, question) in questions.enumerated() {
                if question.customerKnown { customers[index] = question.customer }
                else if let about = question.about { customers[index] = try await records.find(about.kind, about.id, for: PrincipalLoader.console()).customerID }
            }
            var refusingCustomers: [UUID: String] = [:]
            for chunk in Array(Set(customers.compactMap { $0 })).chunked(500) {
                for row in try await database.sql.select().columns("id", "name").from("customers").where("id", .in, chunk)
                    .where("consent_email", .equal, optedOut).all() {
                    refusingCustomers[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
                }
            }
            // The address itself: a customer's own, or a contact's of a customer who said no.
            var refusingAddresses: [String: String] = [:]
            for chunk in Array(Set(questions.map { $0.address.lowercased() })).chunked(500) {
                let list = SQLGroupExpression(chunk.map { SQLBind($0) as any SQLExpression })
                for row in try await database.sql.raw("""
                    SELECT LOWER(email) AS address, name FROM customers WHERE LOWER(email) IN \(list) AND consent_email = \(bind: optedOut)
                    UNION ALL
                    SELECT ch.normalized AS address, cu.name FROM contact_channels ch JOIN contacts t ON t.id = ch.contact_id JOIN customers cu ON cu.id = t.customer_id
                    WHERE ch.kind = 'email' AND ch.normalized IN \(list) AND cu.consent_email = \(bind: optedOut)
                    """).all() {
                    refusingAddresses[try row.decode(column: "address", as: String.self)] = try row.decode(column: "name", as: String.self)
                }
            }
            return questions.indices.map { index in
                let name = customers[index].flatMap { refusingCustomers[$0] } ?? refusingAddresses[questions[index].address.lowercased()]
                return name.map { "no consent: \($0) opted out of e-mail" }
            }
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
