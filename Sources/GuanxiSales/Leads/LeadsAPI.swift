import Foundation
import GuanxiAPI
import GuanxiCustomerFile
import GuanxiPlatform

/// Leads over the REST API: records, the pool, assignment rules and conversion.
extension SalesAPI {
    package func listLeads(_ input: Operations.listLeads.Input) async throws -> Operations.listLeads.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        var filter = LeadFilter()
        filter.search = try Validate.text(q.q, field: "q", required: false, max: 100)
        filter.status = q.status?.rawValue
        filter.rating = q.rating?.rawValue
        filter.source = q.source
        filter.ownerID = try q.ownerId.map { try Self.id($0, field: "ownerId") }
        filter.inPool = q.pool ?? false
        filter.custom = try Self.customFilters(q.cf)
        filter.quality = input.query.quality.flatMap { QualityRule(rawValue: $0.rawValue) }
        filter.qualityCutoff = sales.clock.now().addingTimeInterval(-Double(QualityRule.staleDays) * 86_400)
        filter.customSort = q.sortField
        filter.customSortDescending = q.order == .desc
        filter.sort = q.sort.flatMap { LeadFilter.Sort(rawValue: $0.rawValue) } ?? .created
        filter.cursor = q.cursor
        filter.limit = try Self.limit(q.limit)
        let page = try await sales.leadQuery.list(filter, for: principal)
        let custom = try await sales.customValues.values(of: .leads, ids: page.leads.map { $0.id! })
        return .ok(.init(body: .json(.init(items: page.leads.map { Self.apiLead($0, custom: custom[$0.id!] ?? [:]) }, nextCursor: page.next))))
    }

    package func createLead(_ input: Operations.createLead.Input) async throws -> Operations.createLead.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let lead = try await sales.leads.create({
            var new = try Self.leadInput(body)
            new.checkDuplicates = !(body.allowDuplicates ?? false)
            return new
        }(), by: principal)
        return .created(.init(headers: .init(ETag: Self.etag(version: lead.version)), body: .json(try await apiLead(lead))))
    }

    package func getLead(_ input: Operations.getLead.Input) async throws -> Operations.getLead.Output {
        let principal = try RequestPrincipal.require()
        let lead = try await sales.leads.find(try Self.id(input.path.leadId, field: "leadId"), for: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: lead.version)), body: .json(try await apiLead(lead))))
    }

    package func updateLead(_ input: Operations.updateLead.Input) async throws -> Operations.updateLead.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.leadId, field: "leadId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let lead = try await Self.precondition { try await sales.leads.update(id, try Self.leadInput(body), expectedVersion: expected, by: principal) }
        return .ok(.init(headers: .init(ETag: Self.etag(version: lead.version)), body: .json(try await apiLead(lead))))
    }

    package func deleteLead(_ input: Operations.deleteLead.Input) async throws -> Operations.deleteLead.Output {
        let principal = try RequestPrincipal.require()
        let id = try Self.id(input.path.leadId, field: "leadId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        try await Self.precondition { try await sales.leads.delete(id, expectedVersion: expected, by: principal) }
        return .noContent(.init())
    }

    package func getLeadHistory(_ input: Operations.getLeadHistory.Input) async throws -> Operations.getLeadHistory.Output {
        let principal = try RequestPrincipal.require()
        let lead = try await sales.leads.find(try Self.id(input.path.leadId, field: "leadId"), for: principal)
        let entries = try await sales.auditQuery.history(kind: .leads, id: lead.id!.uuidString)
        return .ok(.init(body: .json(.init(items: entries.map(Self.apiAuditEntry)))))
    }

    package func claimLead(_ input: Operations.claimLead.Input) async throws -> Operations.claimLead.Output {
        let principal = try RequestPrincipal.require()
        let lead = try await sales.leadPool.claim(try Self.id(input.path.leadId, field: "leadId"), by: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: lead.version)), body: .json(try await apiLead(lead))))
    }

    package func releaseLead(_ input: Operations.releaseLead.Input) async throws -> Operations.releaseLead.Output {
        let principal = try RequestPrincipal.require()
        let lead = try await sales.leadPool.release(try Self.id(input.path.leadId, field: "leadId"), by: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: lead.version)), body: .json(try await apiLead(lead))))
    }

    package func getLeadMatches(_ input: Operations.getLeadMatches.Input) async throws -> Operations.getLeadMatches.Output {
        let principal = try RequestPrincipal.require()
        let matches = try await sales.leadConversion.matches(for: try Self.id(input.path.leadId, field: "leadId"), by: principal)
        func api(_ m: LeadMatches.Match) -> Components.Schemas.LeadMatch {
            .init(id: m.id.uuidString, name: m.name, reasons: m.reasons.compactMap { .init(rawValue: $0) }, customerId: m.customerID?.uuidString)
        }
        return .ok(.init(body: .json(.init(customers: matches.customers.map(api), contacts: matches.contacts.map(api)))))
    }

    package func convertLead(_ input: Operations.convertLead.Input) async throws -> Operations.convertLead.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.leadId, field: "leadId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        var conversion = LeadConversionInput()
        conversion.customerID = try Self.clearable(body.customerId, field: "customerId") ?? nil
        conversion.customerName = try body.customerName.map { try Validate.requiredText($0, field: "customerName", max: 200) }
        conversion.contactID = try Self.clearable(body.contactId, field: "contactId") ?? nil
        conversion.createContact = body.createContact ?? true
        conversion.ownerID = try Self.clearable(body.ownerId, field: "ownerId") ?? nil
        conversion.opportunity = try body.opportunity.map(Self.opportunityInput)
        conversion.customerCustomFields = try Self.customInputs(body.customerCustomFields)
        conversion.contactCustomFields = try Self.customInputs(body.contactCustomFields)
        let result = try await Self.precondition { try await sales.leadConversion.convert(id, conversion, expectedVersion: expected, by: principal) }
        return .ok(.init(body: .json(.init(lead: try await apiLead(result.lead), customerId: result.customerID.uuidString,
                                           contactId: result.contactID?.uuidString, opportunityId: result.opportunityID?.uuidString))))
    }

    package func getLeadPoolRules(_ input: Operations.getLeadPoolRules.Input) async throws -> Operations.getLeadPoolRules.Output {
        _ = try RequestPrincipal.require()
        let rules = try await sales.leadPool.rules()
        return .ok(.init(body: .json(.init(claimLimit: rules.claimLimit, returnAfterDays: rules.returnAfterDays))))
    }

    package func setLeadPoolRules(_ input: Operations.setLeadPoolRules.Input) async throws -> Operations.setLeadPoolRules.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        try await sales.leadPool.setRules(PoolRules(claimLimit: body.claimLimit, returnAfterDays: body.returnAfterDays), by: principal)
        let rules = try await sales.leadPool.rules()
        return .ok(.init(body: .json(.init(claimLimit: rules.claimLimit, returnAfterDays: rules.returnAfterDays))))
    }

    package func getLeadRouting(_ input: Operations.getLeadRouting.Input) async throws -> Operations.getLeadRouting.Output {
        _ = try RequestPrincipal.require()
        return .ok(.init(body: .json(Self.apiRouting(try await sales.leadRouter.rules()))))
    }

    package func setLeadRouting(_ input: Operations.setLeadRouting.Input) async throws -> Operations.setLeadRouting.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let territories = try body.territories.enumerated().map { index, t in
            LeadRoutingRules.Territory(province: t.province, city: t.city, industry: t.industry,
                                       userID: try t.userId.map { try Self.id($0, field: "territories[\(index)].userId") },
                                       teamID: try t.teamId.map { try Self.id($0, field: "territories[\(index)].teamId") })
        }
        let rules = LeadRoutingRules(territories: territories, fallbackTeamID: try body.fallbackTeamId.map { try Self.id($0, field: "fallbackTeamId") })
        try await sales.leadRouter.setRules(rules, by: principal)
        return .ok(.init(body: .json(Self.apiRouting(try await sales.leadRouter.rules()))))
    }

    package static func apiRouting(_ rules: LeadRoutingRules) -> Components.Schemas.LeadRouting {
        .init(territories: rules.territories.map {
            .init(province: $0.province, city: $0.city, industry: $0.industry, userId: $0.userID?.uuidString, teamId: $0.teamID?.uuidString)
        }, fallbackTeamId: rules.fallbackTeamID?.uuidString)
    }

    package static func leadInput(_ body: Components.Schemas.LeadWrite) throws -> LeadInput {
        var input = LeadInput()
        input.name = body.name
        input.company = body.company
        input.title = body.title
        input.phone = body.phone
        input.email = body.email
        input.wechat = body.wechat
        input.province = body.province
        input.city = body.city
        input.industry = body.industry
        input.source = body.source
        input.status = body.status
        input.statusReason = body.statusReason
        input.rating = body.rating
        input.notes = body.notes
        input.customFields = try customInputs(body.customFields)
        if body.autoAssign == true {
            guard body.ownerId == nil else {
                throw GuanxiError.invalid("autoAssign", "Send either ownerId or autoAssign, not both.").localized("msg.owner_or_rules", [:])
            }
            input.assignment = .byRules
        } else if let owner = try clearable(body.ownerId, field: "ownerId") {
            input.assignment = .owner(owner)
        }
        return input
    }

    package func apiLead(_ l: Lead) async throws -> Components.Schemas.Lead {
        Self.apiLead(l, custom: try await sales.customValues.values(of: .leads, id: l.id!))
    }

    package static func apiLead(_ l: Lead, custom: [String: CustomValue]) -> Components.Schemas.Lead {
        .init(id: l.id!.uuidString, name: l.name, company: l.company, title: l.title, phone: l.phone, email: l.email, wechat: l.wechat,
              province: l.province, city: l.city, industry: l.industry, source: l.source, status: .init(rawValue: l.status) ?? .new,
              statusReason: l.statusReason, rating: l.rating.flatMap { .init(rawValue: $0) }, ownerId: l.ownerID?.uuidString, notes: l.notes,
              convertedCustomerId: l.convertedCustomerID?.uuidString, convertedContactId: l.convertedContactID?.uuidString,
              convertedOpportunityId: l.convertedOpportunityID?.uuidString, convertedAt: l.convertedAt,
              version: l.version, createdAt: l.createdAt, updatedAt: l.updatedAt, customFields: apiCustomValues(custom))
    }
}
