import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

extension RecordKind {
    /// Opportunities (商机): deals in a pipeline.
    public static let opportunities = RecordKind(rawValue: "opportunities")
    /// Pipelines and their stages; changed by administrators.
    public static let pipelines = RecordKind(rawValue: "pipelines")
    /// Competitors met in deals; kept by anyone who may update opportunities.
    public static let competitors = RecordKind(rawValue: "competitors")
}

extension RecordKindDescriptor {
    /// Opportunities (商机): deals moving through a pipeline's stages.
    package static func opportunities(_ services: SalesServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .opportunities)
        d.historyFields = ["customer_id": .record(.customers), "contact_id": .record(.contacts),
                           "pipeline_id": .name(table: Pipeline.schema, column: "name"), "stage_id": .name(table: PipelineStage.schema, column: "name")]
        d.toldByTimelineEvents = ["stage_id"]
        d.hangsOn = [RecordDependent(host: .customers, kind: .opportunities, table: "opportunities", column: "customer_id", fate: .deleted),
                     RecordDependent(host: .contacts, kind: .opportunities, table: "opportunities", column: "contact_id", fate: .detached)]
        d.find = { id, actor, action in
            let o = try await services.opportunities.find(id, for: actor, action: action)
            return FoundRecord(kind: .opportunities, id: id, name: o.name, customerID: o.customerID)
        }
        d.list = OpportunityList(services: services)
        d.search = { term, actor, limit in
            var filter = OpportunityFilter()
            (filter.search, filter.limit, filter.sort) = (term, limit, .name)
            let found = try await services.opportunityQuery.list(filter, for: actor).opportunities
            let names = try await services.customerQuery.names(of: found.map(\.customerID), for: actor)
            return found.map {
                SearchHit(kind: .opportunities, id: $0.id!, title: $0.name,
                          detail: [names[$0.customerID], "\($0.amount.display) \($0.currency)"].compactMap { $0 }.joined(separator: " · "))
            }
        }
        d.importTarget = { _ in OpportunityImportTarget(services: services) }
        d.bulkActions = [
            .assign: { id, arguments, actor in
                var input = OpportunityInput()
                input.ownerID = .some(arguments.ownerID)
                _ = try await services.opportunities.update(id, input, expectedVersion: nil, by: actor)
            },
            .delete: { id, _, actor in try await services.opportunities.delete(id, expectedVersion: nil, by: actor) },
        ]
        d.panels = [RecordPanel(host: .customers, anchor: "deals", titleKey: "opportunities.title") { customerID, context in
            let principal = context.principal
            guard principal.scope(for: .read, on: .opportunities) != nil else { return nil }
            var filter = OpportunityFilter()
            filter.customerID = customerID
            let deals = try await services.opportunityQuery.list(filter, for: principal).opportunities
            let rows = try await OpportunityPages(services: services).rows(deals, principal: principal, locale: context.locale)
            let page = CustomerDeals(id: customerID.uuidString, rows: rows, canAddDeal: principal.scope(for: .create, on: .opportunities) != nil,
                                     more: deals.count >= filter.limit)
            return .init(html: services.renderer.fragment("opportunity-panel", page: page, context: context),
                         count: RecordHeader.count(deals.count, limit: filter.limit))
        }]
        d.timelineEvents = { id in
            try await services.opportunities.stageHistory(of: id).map { TimelineEvent(at: $0.enteredAt, actor: $0.movedBy, title: $0.stageName) }
        }
        (d.savedViews, d.timeline, d.attachments, d.customFields, d.handOver) = (true, true, true, true, true)
        return d
    }
}

/// A customer's deals on the customer's page (`opportunity-panel`).
package struct CustomerDeals {
    package let id: String; let rows: [OpportunityPages.Row]; let canAddDeal: Bool
    /// Whether the customer has more deals than the panel lists (it then links to all of them).
    package let more: Bool
}

extension Opportunity: ListedRecord { package var recordID: UUID { id! }; package var recordOwnerID: UUID? { ownerID } }
