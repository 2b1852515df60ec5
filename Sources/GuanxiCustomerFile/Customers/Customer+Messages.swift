import Foundation
import GuanxiPlatform

extension MessageRecipients {
    /// Customers as recipients: their own e-mail and phone, and the `customer` fields.
    package static func customers(_ database: DatabaseService) -> MessageRecipients {
        MessageRecipients(fields: ["customer": customerFields]) { ids in
            try await rows(database, ids: ids) { list in
                "SELECT id, owner_id, \(unsafeRaw: customerFields.joined(separator: ", ")) FROM customers WHERE id IN \(list)"
            }.map { row in
                let id = try row.decode(column: "id", as: UUID.self)
                let fields = try values(row, customerFields)
                return MessageRecipient(id: id, name: fields["name"] ?? "", email: fields["email"], phone: fields["phone"],
                                        ownerID: try row.decode(column: "owner_id", as: UUID?.self), customerID: id, fields: ["customer": fields],
                                        postal: postal(fields, person: nil))
            }
        }
    }

    /// The customer's fields a template can name, as `customer.<field>`.
    package static let customerFields = ["name", "industry", "province", "city", "district", "address", "postcode", "phone", "email", "website"]

    /// A customer's postal address (their company name on the envelope when no person is named).
    package static func postal(_ customer: [String: String], person: String?) -> PostalAddress? {
        let lines = [customer["province"], customer["city"], customer["district"], customer["address"]].compactMap { $0 }
        // "北京市 北京市": a municipality's province and city are one.
        let unique = lines.enumerated().filter { $0.offset == 0 || $0.element != lines[$0.offset - 1] }.map(\.element)
        guard !unique.isEmpty else { return nil }
        return PostalAddress(postcode: customer["postcode"], lines: unique, company: customer["name"], person: person)
    }
}
