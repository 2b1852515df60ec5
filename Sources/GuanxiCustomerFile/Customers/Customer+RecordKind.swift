import Foundation
import GuanxiPlatform

extension RecordKind {
    /// Customers (客户): companies and people who buy.
    public static let customers = RecordKind(rawValue: "customers")
}

extension RecordKindDescriptor {
    /// Customers (客户): companies and people who buy, the centre of the customer file.
    package static func customers(_ services: CustomerFileServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .customers)
        d.historyFields = ["kind": .label("customer_kinds"), "size": .label("sizes"), "value_tier": .label("value_tiers"),
                           "lifecycle_stage": .label("lifecycle"), "relationship": .label("relationships"),
                           "consent_email": .label("consent"), "consent_sms": .label("consent"), "consent_phone": .label("consent"),
                           "parent_id": .record(.customers), "referred_by_id": .record(.customers)]
        d.inSharedPool = true
        d.find = { id, actor, action in
            let c = try await services.customers.find(id, for: actor, action: action)
            return FoundRecord(kind: .customers, id: id, name: c.name, customerID: id)
        }
        d.list = CustomerList(services: services)
        d.search = { term, actor, limit in
            var filter = CustomerFilter()
            (filter.search, filter.limit) = (term, limit)
            return try await services.customerQuery.list(filter, for: actor).customers.map {
                SearchHit(kind: .customers, id: $0.id!, title: $0.name, detail: [$0.city, $0.phone].compactMap { $0 }.joined(separator: " · "))
            }
        }
        d.importTarget = { _ in CustomerImportTarget(services: services) }
        d.duplicateKeys = [.email(in: "customers"), .phone(in: "customers"), .name(in: "customers", column: "name_key")]
        d.merging = .customers(services)
        (d.quality, d.activityColumn) = (Customer.quality, Customer.quality.activityColumn)
        d.bulkActions = [
            .assign: { id, arguments, actor in
                var input = CustomerInput()
                input.ownerID = .some(arguments.ownerID)
                _ = try await services.customers.update(id, input, expectedVersion: nil, by: actor)
            },
            .tag: { id, arguments, actor in
                var input = CustomerInput()
                let customer = try await services.customers.find(id, for: actor, action: .update)
                input.tags = try await services.customers.tags(of: customer.id!) + [arguments.tag ?? ""]
                _ = try await services.customers.update(id, input, expectedVersion: nil, by: actor)
            },
            .pool: { id, _, actor in _ = try await services.customerPool.release(id, by: actor) },
            .delete: { id, _, actor in try await services.customers.delete(id, expectedVersion: nil, by: actor) },
        ]
        (d.savedViews, d.timeline, d.attachments, d.customFields, d.handOver) = (true, true, true, true, true)
        d.contactWays = { id in try await ContactWays.emailAndPhone(of: id, in: "customers", sql: services.database.sql) }
        d.mailAddressed = RecordKindDescriptor.emailColumn(of: "customers", database: services.database)
        d.phoneNumbered = RecordKindDescriptor.phoneDigitsColumn(of: "customers", database: services.database)
        d.messageRecipients = .customers(services.database)
        return d
    }
}

extension Customer {
    /// A customer's activities are all those of the customer, whatever record they are about.
    package static let quality = QualitySubject(kind: .customers, table: "customers", activityColumn: "customer_id", hasIndustry: true)
}

extension Customer.Values: ListedRecord { package var recordID: UUID { id! }; package var recordOwnerID: UUID? { ownerID } }
