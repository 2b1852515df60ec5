import Hummingbird
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Every web page: each layer and area hands over its own (`AreaParts`); the app adds
/// its status page.
enum WebRoutes {
    static func register(on web: RouterGroup<AppRequestContext>, services: AppServices) {
        let parts = services.parts
        for pages in parts.openPages { pages(web) }
        let signedIn = web.group().add(middleware: RequireSignIn()).group(context: SignedInContext.self)
        for pages in parts.pages { pages(signedIn) }
        StatusPages(services: services).register(on: signedIn)
    }
}
