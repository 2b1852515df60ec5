import Foundation
import Hummingbird
import GuanxiPlatform

/// The start page after sign-in: a workspace of cards, each offered by an area for the
/// reader's role — the day's work, the pipeline, customers at risk, the system's health.
package struct HomePages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/")

    package let services: CustomerFileServices

    package struct HomePage {
        package let displayName: String
        package let notice: String?
        /// The cards the areas offer this reader (`HomeCard`), drawn.
        package let cards: [String]
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/") { request, context in
            let notice = request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }
            // The cards are independent of each other: read them side by side.
            let cards = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for (index, card) in services.records.homeCards.enumerated() { group.addTask { (index, try await card.render(context)) } }
                var drawn: [(Int, String)] = []
                for try await (index, html) in group { if let html { drawn.append((index, html)) } }
                return drawn.sorted { $0.0 < $1.0 }.map(\.1)
            }
            let page = HomePage(displayName: context.principal.displayName, notice: notice, cards: cards)
            return services.renderer.render("home", titleKey: "home.title", page: page, context: context)
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
