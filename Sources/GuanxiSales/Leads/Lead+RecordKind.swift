import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

extension RecordKind {
    /// Leads (线索): prospects not yet qualified.
    public static let leads = RecordKind(rawValue: "leads")
}

extension RecordKindDescriptor {
    /// Leads (线索): prospects not yet qualified, assigned by rules or taken from the pool.
    package static func leads(_ services: SalesServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .leads)
        d.historyFields = ["status": .label("lead_statuses"), "rating": .label("lead_ratings"), "converted_customer_id": .record(.customers),
                           "converted_contact_id": .record(.contacts), "converted_opportunity_id": .record(.opportunities)]
        d.inSharedPool = true
        d.find = { id, actor, action in
            let l = try await services.leads.find(id, for: actor, action: action)
            return FoundRecord(kind: .leads, id: id, name: l.name, customerID: nil)
        }
        d.list = LeadList(services: services)
        d.search = { term, actor, limit in
            var filter = LeadFilter()
            (filter.search, filter.limit) = (term, limit)
            // By name, like every kind here: a short term is matched on names by scanning the
            // name index, which stops as soon as a page is full.
            filter.sort = .name
            return try await services.leadQuery.list(filter, for: actor).leads.map {
                SearchHit(kind: .leads, id: $0.id!, title: $0.name, detail: [$0.company, $0.phone].compactMap { $0 }.joined(separator: " · "))
            }
        }
        d.importTarget = { _ in LeadImportTarget(services: services) }
        d.duplicateKeys = [.email(in: "leads"), .phone(in: "leads")]
        d.quality = Lead.quality
        d.bulkActions = [
            .assign: { id, arguments, actor in
                var input = LeadInput()
                input.assignment = .owner(arguments.ownerID)
                _ = try await services.leads.update(id, input, expectedVersion: nil, by: actor)
            },
            .pool: { id, _, actor in _ = try await services.leadPool.release(id, by: actor) },
            .delete: { id, _, actor in try await services.leads.delete(id, expectedVersion: nil, by: actor) },
        ]
        (d.savedViews, d.timeline, d.attachments, d.customFields, d.handOver) = (true, true, true, true, true)
        d.contactWays = { id in try await ContactWays.emailAndPhone(of: id, in: "leads", sql: services.database.sql) }
        d.mailAddressed = RecordKindDescriptor.emailColumn(of: "leads", database: services.database)
        d.phoneNumbered = RecordKindDescriptor.phoneDigitsColumn(of: "leads", database: services.database)
        d.messageRecipients = .leads(services.database)
        d.fromUnknownSender = { sender, subject in
            // Someone who wrote in: a new lead from e-mail, routed like any other.
            var input = LeadInput()
            input.name = sender.name ?? sender.localPart
            input.email = sender.address
            input.source = "email"
            input.notes = subject.isEmpty ? nil : String(subject.prefix(500))
            input.assignment = .byRules
            return try await services.leads.create(input, by: PrincipalLoader.console()).id!
        }
        return d
    }
}

extension Lead {
    package static let quality = QualitySubject(kind: .leads, table: "leads")
}

extension Lead: ListedRecord { package var recordID: UUID { id! }; package var recordOwnerID: UUID? { ownerID } }
