import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// The sales area's services — leads, their routing and conversion, pipelines, deals,
/// the forecast and competitors — built on the customer file, which they reach through
/// `customerFile` (or directly: `sales.customers` reads `sales.customerFile.customers`).
@dynamicMemberLookup
public final class SalesServices: Sendable {
    public let customerFile: CustomerFileServices
    public let leads: LeadService
    public let leadQuery: LeadQuery
    public let leadPool: SharedPool<Lead>
    public let leadRouter: LeadRouter
    public let leadConversion: LeadConversion
    public let pipelines: PipelineService
    public let opportunities: OpportunityService
    public let opportunityQuery: OpportunityQuery
    public let forecast: Forecast
    public let competitors: CompetitorService
    public let targets: SalesTargets

    public init(_ customerFile: CustomerFileServices) {
        self.customerFile = customerFile
        let c = customerFile
        leadRouter = LeadRouter(database: c.database, settings: c.settings)
        leads = LeadService(database: c.database, permissions: c.permissions, writer: c.writer(.leads, "leads", "lead"), router: leadRouter,
                            clock: c.clock, custom: c.customValues)
        leadQuery = LeadQuery(database: c.database, permissions: c.permissions, custom: c.customValues)
        leadPool = SharedPool<Lead>(database: c.database, permissions: c.permissions, audit: c.audit, settings: c.settings, clock: c.clock)
        pipelines = PipelineService(database: c.database, audit: c.audit, clock: c.clock)
        opportunities = OpportunityService(database: c.database, permissions: c.permissions, writer: c.writer(.opportunities, "opportunities", "opportunity"),
                                           pipelines: pipelines, customers: c.customers, contacts: c.contacts, clock: c.clock, custom: c.customValues)
        opportunityQuery = OpportunityQuery(database: c.database, permissions: c.permissions, custom: c.customValues)
        forecast = Forecast(query: opportunityQuery, pipelines: pipelines)
        competitors = CompetitorService(database: c.database, audit: c.audit, clock: c.clock)
        targets = SalesTargets(database: c.database, permissions: c.permissions, audit: c.audit, clock: c.clock)
        leadConversion = LeadConversion(database: c.database, leads: leads, customers: c.customers, customerQuery: c.customerQuery, contacts: c.contacts,
                                        contactQuery: c.contactQuery, opportunities: opportunities, audit: c.audit, clock: c.clock)
    }

    public subscript<T>(dynamicMember path: KeyPath<CustomerFileServices, T>) -> T { customerFile[keyPath: path] }
}
