import Foundation
import GuanxiPlatform
import SQLKit

/// How messages reach a kind's records: their addresses and the merge fields they fill in
/// a template (`MailMerge`, letters and labels). A kind offers it in its descriptor
/// (`messageRecipients`); a new kind with addresses joins the mail merge by one line.
package struct MessageRecipients: Sendable {
    /// The merge fields the kind fills, by group: `["contact": ["name", "title", …]]`.
    package var fields: [String: [String]]
    /// Its records with these ids (those that exist), without a permission check: the
    /// caller checks each against `ownerID`.
    package var load: @Sendable (_ ids: [UUID]) async throws -> [MessageRecipient]

    package init(fields: [String: [String]], load: @escaping @Sendable (_ ids: [UUID]) async throws -> [MessageRecipient]) {
        (self.fields, self.load) = (fields, load)
    }
}

/// One record as a message goes to it.
package struct MessageRecipient: Sendable {
    package var id: UUID
    package var name: String
    package var email: String?
    package var phone: String?
    package var ownerID: UUID?
    /// The customer it belongs to (itself, for a customer), for consent.
    package var customerID: UUID?
    /// Its merge fields by group, as `MessageRecipients.fields` names them.
    package var fields: [String: [String: String]]
    /// Where a letter goes, in the order Chinese envelopes write it (postcode; province,
    /// city, district and street; company; person).
    package var postal: PostalAddress?

    package init(id: UUID, name: String, email: String?, phone: String?, ownerID: UUID?, customerID: UUID?, fields: [String: [String: String]], postal: PostalAddress?) {
        (self.id, self.name, self.email, self.phone, self.ownerID, self.customerID, self.fields, self.postal) = (id, name, email, phone, ownerID, customerID, fields, postal)
    }
}

package struct PostalAddress: Sendable, Equatable {
    package var postcode: String?
    /// Province, city, district and street, largest first.
    package var lines: [String]
    package var company: String?
    package var person: String?
}

extension MessageRecipients {
    /// Reads rows of `sql` for `ids` in pieces of 500; `sql` has `IN` where the list goes.
    package static func rows(_ database: DatabaseService, ids: [UUID], _ sql: @escaping (SQLGroupExpression) -> SQLQueryString) async throws -> [any SQLRow] {
        var out: [any SQLRow] = []
        for chunk in ids.chunked(500) {
            out += try await database.sql.raw(sql(SQLGroupExpression(chunk.map { SQLBind($0) as any SQLExpression }))).all()
        }
        return out
    }

    /// The named text columns of `row` that hold a value.
    package static func values(_ row: any SQLRow, _ columns: [String], prefix: String = "") throws -> [String: String] {
        var out: [String: String] = [:]
        for column in columns {
            if let value = try row.decode(column: prefix + column, as: String?.self), !value.isEmpty { out[column] = value }
        }
        return out
    }
}
