import Foundation
import Hummingbird
import GuanxiPlatform

/// The search box's results page.
struct SearchPages {
    let services: AppServices

    struct Row { let href: String; let kind: String; let title: String; let detail: String }
    struct Page { let q: String; let rows: [Row]; let searched: Bool }

    func register(on web: RouterGroup<SignedInContext>) {
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
}
