import Hummingbird
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Every web page, registered by its business area; each area's pages get the services
/// of their layer (`services.customerFile`, `services.sales`).
enum WebRoutes {
    static func register(on web: RouterGroup<AppRequestContext>, services: AppServices) {
        SignInPages(services: services.customerFile).register(on: web)
        CalendarFeed(services: services.customerFile).register(on: web)
        let signedIn = web.group().add(middleware: RequireSignIn()).group(context: SignedInContext.self)
        HomePages(services: services.customerFile).register(on: signedIn)
        CustomerPages(services: services.customerFile).register(on: signedIn)
        ContactPages(services: services.customerFile).register(on: signedIn)
        LeadPages(services: services.sales).register(on: signedIn)
        LeadSettingsPages(services: services.sales).register(on: signedIn)
        OpportunityPages(services: services.sales).register(on: signedIn)
        PipelineAdminPages(services: services.sales).register(on: signedIn)
        CompetitorPages(services: services.sales).register(on: signedIn)
        ActivityPages(services: services.customerFile).register(on: signedIn)
        CustomFieldPages(services: services.customerFile).register(on: signedIn)
        ListRoutes(services: services.customerFile).register(on: signedIn)
        // Kinds declared as data get their pages from their declaration.
        for schema in services.records.all.compactMap(\.schema) { SchemaPages(services: services.customerFile, schema: schema).register(on: signedIn) }
        ExportRoutes(services: services.customerFile).register(on: signedIn)
        ImportPages(services: services.customerFile).register(on: signedIn)
        DuplicatePages(services: services.customerFile).register(on: signedIn)
        DataQualityPages(services: services.customerFile).register(on: signedIn)
        AttachmentPages(services: services.customerFile).register(on: signedIn)
        CustomerSettingsPages(services: services.customerFile).register(on: signedIn)
        SearchPages(services: services.customerFile).register(on: signedIn)
        AnalyticsPages(services: services.customerFile).register(on: signedIn)
        ProfilePages(services: services.customerFile).register(on: signedIn)
        AdminUserPages(services: services.customerFile).register(on: signedIn)
        AdminOrganisationPages(services: services.customerFile).register(on: signedIn)
        AuditPages(services: services.customerFile).register(on: signedIn)
        StatusPages(services: services).register(on: signedIn)
    }
}
