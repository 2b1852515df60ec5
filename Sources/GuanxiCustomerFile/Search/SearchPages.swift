import Foundation
import Hummingbird
import GuanxiPlatform

/// The search box's results page.
package struct SearchPages {
    package let services: CustomerFileServices

    package struct Row { package let href: String; package let kind: String; package let title: String; package let detail: String }
    package struct Page { package let q: String; package let rows: [Row]; package let searched: Bool }

    package func register(on web: RouterGroup<SignedInContext>) {
        RecordPicker(services: services).register(on: web)
        web.get("/search") { request, context in
            let principal = context.principal
            let q = request.uri.queryParameters["q"].map(String.init) ?? ""
            var rows: [Row] = []
            if !q.trimmingCharacters(in: .whitespaces).isEmpty {
                let hits = try await GlobalSearch(services: services).search(q, for: principal)
                rows = hits.map { hit in
                    let href = "/\(hit.kind.rawValue)/\(hit.id.uuidString)"
                    return Row(href: href, kind: services.localizer.text("kinds.\(hit.kind.rawValue)", context.locale), title: hit.title, detail: hit.detail)
                }
            }
            return services.renderer.render("search", titleKey: "search.title", page: Page(q: q, rows: rows, searched: !q.isEmpty), context: context)
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
