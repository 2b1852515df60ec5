import Foundation
import GuanxiAPI
import GuanxiCustomerFile
import GuanxiPlatform

/// Opportunities, their stage history and the forecast over the REST API.
extension SalesAPI {
    package func listOpportunities(_ input: Operations.listOpportunities.Input) async throws -> Operations.listOpportunities.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        var filter = OpportunityFilter()
        filter.search = try Validate.text(q.q, field: "q", required: false, max: 100)
        filter.pipelineID = try q.pipelineId.map { try Self.id($0, field: "pipelineId") }
        filter.stageID = try q.stageId.map { try Self.id($0, field: "stageId") }
        filter.ownerID = try q.ownerId.map { try Self.id($0, field: "ownerId") }
        filter.customerID = try q.customerId.map { try Self.id($0, field: "customerId") }
        filter.status = q.status.flatMap { OpportunityFilter.Status(rawValue: $0.rawValue) }
        filter.closeFrom = q.closeFrom
        filter.closeTo = q.closeTo
        filter.custom = try Self.customFilters(q.cf)
        filter.customSort = q.sortField
        filter.customSortDescending = q.order == .desc
        filter.sort = q.sort.flatMap { OpportunityFilter.Sort(rawValue: $0.rawValue) } ?? .updated
        filter.cursor = q.cursor
        filter.limit = try Self.limit(q.limit)
        let page = try await sales.opportunityQuery.list(filter, for: principal)
        let competitors = try await OpportunityService.competitors.members(ofAll: page.opportunities.map { $0.id! }, as: UUID.self, on: sales.database.db)
        let custom = try await sales.customValues.values(of: .opportunities, ids: page.opportunities.map { $0.id! })
        return .ok(.init(body: .json(.init(items: page.opportunities.map { Self.apiOpportunity($0, competitors: competitors[$0.id!] ?? [], custom: custom[$0.id!] ?? [:]) },
                                           nextCursor: page.next))))
    }

    package func createOpportunity(_ input: Operations.createOpportunity.Input) async throws -> Operations.createOpportunity.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let o = try await sales.opportunities.create(try Self.opportunityInput(body), by: principal)
        return .created(.init(headers: .init(ETag: Self.etag(version: o.version)), body: .json(try await apiOpportunity(o))))
    }

    package func getOpportunity(_ input: Operations.getOpportunity.Input) async throws -> Operations.getOpportunity.Output {
        let principal = try RequestPrincipal.require()
        let o = try await sales.opportunities.find(try Self.id(input.path.opportunityId, field: "opportunityId"), for: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: o.version)), body: .json(try await apiOpportunity(o))))
    }

    package func updateOpportunity(_ input: Operations.updateOpportunity.Input) async throws -> Operations.updateOpportunity.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.opportunityId, field: "opportunityId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let o = try await Self.precondition {
            try await sales.opportunities.update(id, try Self.opportunityInput(body), expectedVersion: expected, by: principal)
        }
        return .ok(.init(headers: .init(ETag: Self.etag(version: o.version)), body: .json(try await apiOpportunity(o))))
    }

    package func deleteOpportunity(_ input: Operations.deleteOpportunity.Input) async throws -> Operations.deleteOpportunity.Output {
        let principal = try RequestPrincipal.require()
        let id = try Self.id(input.path.opportunityId, field: "opportunityId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        try await Self.precondition { try await sales.opportunities.delete(id, expectedVersion: expected, by: principal) }
        return .noContent(.init())
    }

    package func getOpportunityStages(_ input: Operations.getOpportunityStages.Input) async throws -> Operations.getOpportunityStages.Output {
        let principal = try RequestPrincipal.require()
        let o = try await sales.opportunities.find(try Self.id(input.path.opportunityId, field: "opportunityId"), for: principal)
        let now = sales.clock.now()
        let visits = try await sales.opportunities.stageHistory(of: o.id!)
        return .ok(.init(body: .json(.init(items: visits.map {
            .init(stageId: $0.stageID.uuidString, stageName: $0.stageName, enteredAt: $0.enteredAt, leftAt: $0.leftAt,
                  durationSeconds: Int($0.duration(now: now)), movedBy: $0.movedBy)
        }))))
    }

    package func getOpportunityHistory(_ input: Operations.getOpportunityHistory.Input) async throws -> Operations.getOpportunityHistory.Output {
        let principal = try RequestPrincipal.require()
        let o = try await sales.opportunities.find(try Self.id(input.path.opportunityId, field: "opportunityId"), for: principal)
        let entries = try await sales.auditQuery.history(kind: .opportunities, id: o.id!.uuidString)
        return .ok(.init(body: .json(.init(items: entries.map(Self.apiAuditEntry)))))
    }

    package func getForecast(_ input: Operations.getForecast.Input) async throws -> Operations.getForecast.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        let grouping = q.groupBy.flatMap { Forecast.Grouping(rawValue: $0.rawValue) } ?? .month
        let rows = try await sales.forecast.rows(pipelineID: try q.pipelineId.map { try Self.id($0, field: "pipelineId") },
                                                    from: q.from, to: q.to, by: grouping, for: principal)
        return .ok(.init(body: .json(.init(items: rows.map { .init(key: $0.key, open: Self.apiFigures($0.open), won: Self.apiFigures($0.won)) }))))
    }

    package func getPipelineSummary(_ input: Operations.getPipelineSummary.Input) async throws -> Operations.getPipelineSummary.Output {
        let principal = try RequestPrincipal.require()
        let (_, stages) = try await sales.pipelines.find(try Self.id(input.path.pipelineId, field: "pipelineId"))
        var filter = OpportunityFilter()
        filter.pipelineID = stages.first?.pipelineID
        filter.ownerID = try input.query.ownerId.map { try Self.id($0, field: "ownerId") }
        let totals = try await sales.opportunityQuery.stageTotals(filter, for: principal)
        let open = stages.filter { !$0.isClosed }.reduce(ForecastFigures.zero) { $0 + (totals[$1.id!] ?? .zero) }
        return .ok(.init(body: .json(.init(
            stages: stages.map { .init(stageId: $0.id!.uuidString, name: $0.name, outcome: .init(rawValue: $0.outcome) ?? .open,
                                       figures: Self.apiFigures(totals[$0.id!] ?? .zero)) },
            open: Self.apiFigures(open)))))
    }

    package static func apiFigures(_ f: ForecastFigures) -> Components.Schemas.Figures {
        .init(count: f.count, amount: f.amount.decimalText, weighted: f.weighted.decimalText)
    }

    package func apiOpportunity(_ o: Opportunity) async throws -> Components.Schemas.Opportunity {
        Self.apiOpportunity(o, competitors: try await sales.opportunities.competitorIDs(of: o.id!),
                            custom: try await sales.customValues.values(of: .opportunities, id: o.id!))
    }

    package static func apiOpportunity(_ o: Opportunity, competitors: [UUID], custom: [String: CustomValue]) -> Components.Schemas.Opportunity {
        .init(id: o.id!.uuidString, name: o.name, customerId: o.customerID.uuidString, contactId: o.contactID?.uuidString,
              pipelineId: o.pipelineID.uuidString, stageId: o.stageID.uuidString, amount: o.amount.decimalText, currency: o.currency,
              expectedClose: o.expectedClose, probability: o.probability, ownerId: o.ownerID?.uuidString, source: o.source,
              lossReason: o.lossReason, competitorIds: competitors.map(\.uuidString).sorted(), notes: o.notes, closedAt: o.closedAt,
              stageEnteredAt: o.stageEnteredAt, version: o.version, createdAt: o.createdAt, updatedAt: o.updatedAt, customFields: apiCustomValues(custom))
    }

    package static func opportunityInput(_ body: Components.Schemas.OpportunityWrite) throws -> OpportunityInput {
        var input = OpportunityInput()
        input.name = body.name
        input.customerID = try clearable(body.customerId, field: "customerId")
        input.contactID = try clearable(body.contactId, field: "contactId")
        input.pipelineID = try body.pipelineId.map { try id($0, field: "pipelineId") }
        input.stageID = try body.stageId.map { try id($0, field: "stageId") }
        input.amount = body.amount
        input.currency = body.currency
        input.expectedClose = body.expectedClose
        input.probability = body.probability
        input.ownerID = try clearable(body.ownerId, field: "ownerId")
        input.source = body.source
        input.lossReason = body.lossReason
        input.notes = body.notes
        input.competitorIDs = try ids(body.competitorIds, field: "competitorIds")
        input.customFields = try customInputs(body.customFields)
        return input
    }
}
