import Foundation
import SQLKit
import GuanxiPlatform

/// A new contact probably exists already when a readable one has one of its phones or e-mails,
/// or the same name at the same customer.
extension DuplicateCheck {
    package func contacts(like c: some ContactFields, channels: [ContactChannel], for actor: Principal) async throws -> [DuplicateCandidate] {
        let owners = try await permissions.ownerFilter(actor, .read, on: .contacts)
        var found: [DuplicateCandidate] = []
        for channel in channels where channel.kind != .address {
            let normal = ContactService.normalized(channel)
            guard channel.kind == .email || normal.count >= 7 else { continue }
            var query = database.sql.select().columns(SQLColumn("id", table: "contacts"), SQLColumn("name", table: "contacts")).from("contact_channels")
                .join("contacts", on: SQLColumn("id", table: "contacts"), .equal, SQLColumn("contact_id", table: "contact_channels"))
                .where(SQLColumn("kind", table: "contact_channels"), .equal, SQLBind(channel.kind.rawValue))
                .where(SQLColumn("normalized", table: "contact_channels"), .equal, SQLBind(normal)).limit(5)
            if let reachable = owners.condition("contacts.owner_id") { query = query.where(reachable) }
            found += try await query.all().map { DuplicateCandidate(id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self), reason: channel.kind.rawValue) }
        }
        if let customer = c.customerID {
            var query = database.sql.select().columns("id", "name").from("contacts").where("customer_id", .equal, customer).where("name", .equal, c.name).limit(5)
            if let reachable = owners.condition() { query = query.where(reachable) }
            found += try await query.all().map { DuplicateCandidate(id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self), reason: "name") }
        }
        return Self.distinct(found.filter { $0.id != c.id })
    }
}
