import Foundation
import GuanxiPlatform

extension MessageRecipients {
    /// Contacts as recipients: their first e-mail and phone, the `contact` fields and their
    /// customer's; letters go to the customer's address, to the person.
    package static func contacts(_ database: DatabaseService) -> MessageRecipients {
        let customerColumns = customerFields.map { "cu.\($0) AS customer_\($0)" }.joined(separator: ", ")
        return MessageRecipients(fields: ["contact": contactFields, "customer": customerFields]) { ids in
            try await rows(database, ids: ids) { list in
                """
                SELECT t.id, t.name, t.title, t.department, t.wechat, t.owner_id, t.customer_id,
                  (SELECT value FROM contact_channels c WHERE c.contact_id = t.id AND c.kind = 'email' ORDER BY c.position LIMIT 1) AS email,
                  (SELECT value FROM contact_channels c WHERE c.contact_id = t.id AND c.kind = 'phone' ORDER BY c.position LIMIT 1) AS phone,
                  \(unsafeRaw: customerColumns)
                FROM contacts t LEFT JOIN customers cu ON cu.id = t.customer_id WHERE t.id IN \(list)
                """
            }.map { row in
                let contact = try values(row, contactFields)
                let customer = try values(row, customerFields, prefix: "customer_")
                return MessageRecipient(id: try row.decode(column: "id", as: UUID.self), name: contact["name"] ?? "", email: contact["email"], phone: contact["phone"],
                                        ownerID: try row.decode(column: "owner_id", as: UUID?.self), customerID: try row.decode(column: "customer_id", as: UUID?.self),
                                        fields: ["contact": contact, "customer": customer], postal: postal(customer, person: contact["name"]))
            }
        }
    }

    /// The contact's fields a template can name, as `contact.<field>`.
    package static let contactFields = ["name", "title", "department", "email", "phone", "wechat"]
}
