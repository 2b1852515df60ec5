import Foundation
import GuanxiPlatform
import SQLKit

/// The customer file's answer to the outbox's question "may this address get marketing?":
/// not when the customer it belongs to — directly, or through one of its contacts — has
/// said no to that channel (e-mail, or text messages for a mobile number), nor when the
/// message is about a record of a customer who has.
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
            var answers = [String?](repeating: nil, count: questions.count)
            for channel in OutboxEntry.Channel.allCases {
                let asked = questions.indices.filter { questions[$0].channel == channel }
                if asked.isEmpty { continue }
                let column = channel == .email ? "consent_email" : "consent_sms"
                var refusingCustomers: [UUID: String] = [:]
                for chunk in Array(Set(asked.compactMap { customers[$0] })).chunked(500) {
                    for row in try await database.sql.select().columns("id", "name").from("customers").where("id", .in, chunk)
                        .where(SQLIdentifier(column), .equal, SQLBind(optedOut)).all() {
                        refusingCustomers[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
                    }
                }
                // The address itself: a customer's own, or a contact's of a customer who said no.
                let keys = asked.map { channel == .email ? [questions[$0].address.lowercased()] : ((try? SMSNumber(questions[$0].address))?.storedForms ?? []) }
                let refusingAddresses = try await refusing(Set(keys.flatMap { $0 }), channel: channel, database)
                let what = channel == .email ? "e-mail" : "text messages"
                for (position, index) in asked.enumerated() {
                    let name = customers[index].flatMap { refusingCustomers[$0] } ?? keys[position].lazy.compactMap { refusingAddresses[$0] }.first
                    answers[index] = name.map { "no consent: \($0) opted out of \(what)" }
                }
            }
            return answers
        }
    }

    /// The names of the customers who said no to `channel`, by the keys they were found
    /// under: their own e-mail (lower case) or phone digits, or a contact's of theirs.
    static func refusing(_ keys: Set<String>, channel: OutboxEntry.Channel, _ database: DatabaseService) async throws -> [String: String] {
        // Fixed names per channel, never the caller's text.
        let (own, way, consent) = channel == .email ? ("LOWER(email)", "email", "consent_email") : ("phone_digits", "phone", "consent_sms")
        var out: [String: String] = [:]
        for chunk in Array(keys).chunked(500) {
            let list = SQLGroupExpression(chunk.map { SQLBind($0) as any SQLExpression })
            for row in try await database.sql.raw("""
                SELECT \(unsafeRaw: own) AS address, name FROM customers WHERE \(unsafeRaw: own) IN \(list) AND \(unsafeRaw: consent) = \(bind: Consent.Status.optedOut.rawValue)
                UNION ALL
                SELECT ch.normalized AS address, cu.name FROM contact_channels ch JOIN contacts t ON t.id = ch.contact_id JOIN customers cu ON cu.id = t.customer_id
                WHERE ch.kind = \(bind: way) AND ch.normalized IN \(list) AND cu.\(unsafeRaw: consent) = \(bind: Consent.Status.optedOut.rawValue)
                """).all() {
                out[try row.decode(column: "address", as: String.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        return out
    }
}

extension MarketingConsent {
    /// Records the "no" of an unsubscribe link on every customer whose own address it is
    /// (a contact's address stays on the outbox's list alone: the company behind it has
    /// not said no). Each change is audited, naming where the request came from.
    static func optOut(_ address: String, services: CustomerFileServices, requester: String) async throws {
        try await optOut(.email, customersWhere: "LOWER(email) = \(bind: address.lowercased())", via: "unsubscribe link", services: services, requester: requester)
    }

    /// The same for a reply that says "stop" to texts, on customers whose own number it is.
    static func optOut(_ number: SMSNumber, services: CustomerFileServices) async throws {
        let forms = SQLGroupExpression(number.storedForms.map { SQLBind($0) as any SQLExpression })
        try await optOut(.sms, customersWhere: "phone_digits IN \(forms)", via: "text reply", services: services, requester: number.international)
    }

    /// Sets the consent of `channel` to opted out on the customers `condition` selects.
    private static func optOut(_ channel: Consent.Channel, customersWhere condition: SQLQueryString, via: String, services: CustomerFileServices,
                               requester: String) async throws {
        let optedOut = Consent.Status.optedOut.rawValue
        let column = "consent_\(channel.rawValue)"
        let now = services.clock.now()
        try await services.database.db.transaction { db in
            let sql = db as! any SQLDatabase
            let rows = try await sql.raw("""
                SELECT id, name, \(unsafeRaw: column) AS consent FROM customers WHERE \(condition) AND \(unsafeRaw: column) <> \(bind: optedOut)
                """).all()
            for row in rows {
                let id = try row.decode(column: "id", as: UUID.self)
                try await sql.update("customers").set(SQLIdentifier(column), to: SQLBind(optedOut)).set(SQLIdentifier(column + "_at"), to: SQLBind(now))
                    .set(SQLIdentifier(column + "_via"), to: SQLBind(via)).set(SQLIdentifier("version"), to: SQLRaw("version + 1")).set("updated_at", to: now)
                    .where("id", .equal, id).run()
                try await services.audit.record(on: db, actor: nil, action: .update, kind: .customers, id: id.uuidString,
                                                label: try row.decode(column: "name", as: String.self),
                                                changes: [FieldChange(field: column, old: try row.decode(column: "consent", as: String.self), new: optedOut),
                                                          FieldChange(field: column + "_via", old: nil, new: via)],
                                                address: requester)
            }
        }
    }
}
