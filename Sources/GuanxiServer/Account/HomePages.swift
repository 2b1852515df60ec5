import Foundation
import Hummingbird

/// The start page after sign-in.
struct HomePages {
    let services: AppServices

    struct HomePage {
        let displayName: String
        let notice: String?
    }

    func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/") { request, context in
            let principal = try context.requirePrincipal()
            let notice = request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }
            return services.renderer.render("home", titleKey: "home.title", page: HomePage(displayName: principal.displayName, notice: notice), context: context)
        }
    }
}
