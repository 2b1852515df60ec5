import Foundation

extension RecordKindDescriptor {
    /// Leads (线索): prospects not yet qualified, assigned by rules or taken from the pool.
    static func leads(_ services: AppServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .leads)
        d.inSharedPool = true
        d.find = { id, actor, action in
            let l = try await services.leads.find(id, for: actor, action: action)
            return FoundRecord(kind: .leads, id: id, name: l.name, customerID: nil)
        }
        d.list = LeadList(services: services)
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
        return d
    }
}

extension Lead {
    static let quality = QualitySubject(kind: .leads, table: "leads")
}
