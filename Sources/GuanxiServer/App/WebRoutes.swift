import Hummingbird
import GuanxiPlatform

/// Every web page, registered by its business area.
enum WebRoutes {
    static func register(on web: RouterGroup<AppRequestContext>, services: AppServices) {
        SignInPages(services: services).register(on: web)
        CalendarFeed(services: services).register(on: web)
        let signedIn = web.group().add(middleware: RequireSignIn()).group(context: SignedInContext.self)
        HomePages(services: services).register(on: signedIn)
        CustomerPages(services: services).register(on: signedIn)
        ContactPages(services: services).register(on: signedIn)
        LeadPages(services: services).register(on: signedIn)
        LeadSettingsPages(services: services).register(on: signedIn)
        OpportunityPages(services: services).register(on: signedIn)
        PipelineAdminPages(services: services).register(on: signedIn)
        CompetitorPages(services: services).register(on: signedIn)
        ActivityPages(services: services).register(on: signedIn)
        CustomFieldPages(services: services).register(on: signedIn)
        ListRoutes(services: services).register(on: signedIn)
        // Kinds declared as data get their pages from their declaration.
        for schema in services.records.all.compactMap(\.schema) { SchemaPages(services: services, schema: schema).register(on: signedIn) }
        ExportRoutes(services: services).register(on: signedIn)
        ImportPages(services: services).register(on: signedIn)
        DuplicatePages(services: services).register(on: signedIn)
        DataQualityPages(services: services).register(on: signedIn)
        AttachmentPages(services: services).register(on: signedIn)
        CustomerSettingsPages(services: services).register(on: signedIn)
        SearchPages(services: services).register(on: signedIn)
        AnalyticsPages(services: services).register(on: signedIn)
        ProfilePages(services: services).register(on: signedIn)
        AdminUserPages(services: services).register(on: signedIn)
        AdminOrganisationPages(services: services).register(on: signedIn)
        AuditPages(services: services).register(on: signedIn)
        StatusPages(services: services).register(on: signedIn)
    }
}
