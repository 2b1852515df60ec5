import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

extension MessageRecipients {
    /// Leads as recipients: their e-mail and phone and the `lead` fields; a letter goes to
    /// their city, the only address a lead keeps, so leads are left out of envelopes.
    package static func leads(_ database: DatabaseService) -> MessageRecipients {
        MessageRecipients(fields: ["lead": leadFields]) { ids in
            try await rows(database, ids: ids) { list in
                "SELECT id, owner_id, \(unsafeRaw: leadFields.joined(separator: ", ")) FROM leads WHERE id IN \(list)"
            }.map { row in
                let lead = try values(row, leadFields)
                return MessageRecipient(id: try row.decode(column: "id", as: UUID.self), name: lead["name"] ?? "", email: lead["email"], phone: lead["phone"],
                                        ownerID: try row.decode(column: "owner_id", as: UUID?.self), customerID: nil, fields: ["lead": lead], postal: nil)
            }
        }
    }

    /// The lead's fields a template can name, as `lead.<field>`.
    package static let leadFields = ["name", "company", "title", "email", "phone", "wechat", "province", "city", "industry"]
}
