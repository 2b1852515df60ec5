import Foundation
import Hummingbird
import GuanxiPlatform

/// The start page after sign-in.
package struct HomePages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/")

    package let services: CustomerFileServices

    package struct HomePage {
        package let displayName: String
        package let notice: String?
        /// Reminders that are due, and what is on today, when the user works with activities.
        package let showsWork: Bool
        package let reminders: [ActivityPages.Row]
        package let rows: [ActivityPages.Row]
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/") { request, context in
            let principal = context.principal
            let notice = request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }
            var reminders: [ActivityPages.Row] = [], today: [ActivityPages.Row] = []
            let showsWork = principal.scope(for: .read, on: .activities) != nil
            if showsWork {
                let now = services.clock.now()
                let pages = ActivityPages(services: services)
                reminders = try await pages.rows(try await services.activityQuery.reminders(of: principal.userID, now: now, for: principal),
                                                 principal: principal, locale: context.locale)
                today = try await pages.rows(try await services.activityQuery.tasks(.today, of: principal.userID, now: now,
                                                                                    timeZone: TimeZone(identifier: principal.timeZone) ?? .current, for: principal),
                                             principal: principal, locale: context.locale)
            }
            let page = HomePage(displayName: principal.displayName, notice: notice, showsWork: showsWork, reminders: reminders, rows: today)
            return services.renderer.render("home", titleKey: "home.title", page: page, context: context)
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
