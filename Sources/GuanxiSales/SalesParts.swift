import GuanxiCustomerFile
import GuanxiPlatform

extension SalesServices {
    /// The sales pages, and the upkeep that returns neglected leads to the pool.
    package var parts: AreaParts {
        var parts = AreaParts()
        parts.pages = [
            LeadPages(services: self).register, LeadSettingsPages(services: self).register, OpportunityPages(services: self).register,
            PipelineAdminPages(services: self).register, CompetitorPages(services: self).register,
        ]
        let leadPool = leadPool
        parts.upkeep = [{ try await leadPool.returnNeglected() }]
        return parts
    }
}
