import Foundation

extension RecordKindDescriptor {
    /// Opportunities (商机): deals moving through a pipeline's stages.
    static func opportunities(_ services: AppServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .opportunities)
        d.find = { id, actor, action in
            let o = try await services.opportunities.find(id, for: actor, action: action)
            return FoundRecord(kind: .opportunities, id: id, name: o.name, customerID: o.customerID)
        }
        d.list = OpportunityList(services: services)
        d.importTarget = { _ in OpportunityImportTarget(services: services) }
        d.bulkActions = [
            .assign: { id, arguments, actor in
                var input = OpportunityInput()
                input.ownerID = .some(arguments.ownerID)
                _ = try await services.opportunities.update(id, input, expectedVersion: nil, by: actor)
            },
            .delete: { id, _, actor in try await services.opportunities.delete(id, expectedVersion: nil, by: actor) },
        ]
        d.timelineEvents = { id in
            try await services.opportunities.stageHistory(of: id).map { TimelineEvent(at: $0.enteredAt, actor: $0.movedBy, title: $0.stageName) }
        }
        (d.savedViews, d.timeline, d.attachments, d.customFields, d.handOver) = (true, true, true, true, true)
        return d
    }
}
