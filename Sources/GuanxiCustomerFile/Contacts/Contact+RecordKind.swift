import Foundation
import GuanxiPlatform
import SQLKit

extension RecordKind {
    /// The people at customers (联系人).
    public static let contacts = RecordKind(rawValue: "contacts")
}

extension RecordKindDescriptor {
    /// Contacts (联系人): the people at a customer.
    package static func contacts(_ services: CustomerFileServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .contacts)
        d.historyFields = ["customer_id": .record(.customers), "reports_to_id": .record(.contacts)]
        d.hangsOn = [RecordDependent(host: .customers, kind: .contacts, table: "contacts", column: "customer_id", fate: .detached)]
        d.find = { id, actor, action in
            let c = try await services.contacts.find(id, for: actor, action: action)
            return FoundRecord(kind: .contacts, id: id, name: c.name, customerID: c.customerID)
        }
        d.list = ContactList(services: services)
        @Sendable func hits(_ filter: ContactFilter, _ actor: Principal) async throws -> [SearchHit] {
            let found = try await services.contactQuery.list(filter, for: actor).contacts
            let names = try await services.customerQuery.names(of: found.compactMap(\.customerID), for: actor)
            return found.map {
                SearchHit(kind: .contacts, id: $0.id!, title: $0.name, detail: [$0.title, $0.customerID.flatMap { names[$0] }].compactMap { $0 }.joined(separator: " · "))
            }
        }
        d.search = { term, actor, limit in
            var filter = ContactFilter()
            (filter.search, filter.limit) = (term, limit)
            return try await hits(filter, actor)
        }
        d.searchAtCustomer = { term, customerID, actor, limit in
            var filter = ContactFilter()
            (filter.search, filter.customerID, filter.limit) = (term.isEmpty ? nil : term, customerID, limit)
            return try await hits(filter, actor)
        }
        for version in [VCard.Version.v3, .v4] {
            d.fileFormats["vcard\(version == .v3 ? 3 : 4)"] = RecordFileFormat(fileExtension: "vcf") { query, actor, _ in
                let cards = ContactVCard(services: services)
                try await cards.start(query: query, version: version, by: actor)
                return RecordFileFormat.Pages { after in try await cards.chunk(query: query, version: version, after: after, by: actor) }
            }
        }
        d.importTarget = { settings in ContactImportTarget(services: services, settings: settings) }
        d.duplicateKeys = Contact.duplicateKeys
        d.merging = .contacts(services)
        d.quality = Contact.quality
        d.bulkActions = [
            .assign: { id, arguments, actor in
                var input = ContactInput()
                input.ownerID = .some(arguments.ownerID)
                _ = try await services.contacts.update(id, input, expectedVersion: nil, by: actor)
            },
            .delete: { id, _, actor in try await services.contacts.delete(id, expectedVersion: nil, by: actor) },
        ]
        (d.savedViews, d.timeline, d.attachments, d.customFields, d.handOver) = (true, true, true, true, true)
        d.contactWays = { id in try await services.contacts.channels(of: id).filter { $0.kind != .address }.map { ($0.kind.rawValue, $0.value) } }
        d.messageRecipients = .contacts(services.database)
        d.mailAddressed = { address in
            try await services.database.sql.raw("""
                SELECT DISTINCT contact_id FROM contact_channels WHERE kind = 'email' AND normalized = \(bind: address.lowercased()) LIMIT 20
                """).all(decodingColumn: "contact_id", as: UUID.self)
        }
        d.phoneNumbered = { digits in
            try await services.database.sql.select().distinct().column("contact_id").from("contact_channels").where("kind", .equal, "phone")
                .where("normalized", .in, digits).limit(20).all(decodingColumn: "contact_id", as: UUID.self)
        }
        return d
    }
}

extension Contact {
    package static let quality = QualitySubject(kind: .contacts, table: "contacts", channels: true)
}

extension Contact.Values: ListedRecord { package var recordID: UUID { id! }; package var recordOwnerID: UUID? { ownerID } }
