import Foundation
import Hummingbird
import GuanxiPlatform

/// Web routes shared by every record list: bulk actions on the picked rows, the reader's
/// choice of columns, and saving or deleting a view.
package struct ListRoutes {
    package let services: CustomerFileServices

    /// The lists with saved views and bulk actions.
    package var kinds: [RecordKind] { services.records.kinds(where: \.savedViews) }

    package func register(on web: RouterGroup<SignedInContext>) {
        for kind in kinds {
            web.post("/\(kind.rawValue)/bulk") { request, context in
                let form = try await request.form(context: context)
                let back = Self.safeBack(form["back"], kind: kind)
                guard let action = form["action"].flatMap(BulkActions.Action.init(rawValue:)) else {
                    throw GuanxiError.invalid("action", "Choose an action.").localized("msg.required", ["field": "action"])
                }
                let ids = form.values("ids").compactMap(UUID.init(uuidString:))
                let result = try await BulkActions(services: services).run(action, on: kind, ids: ids, ownerID: try Validate.uuid(form["owner_id"], field: "ownerId"),
                                                                           tag: form["tag"], by: context.principal)
                return WebRenderer.redirect(back.with("bulk_done", result.succeeded).with("bulk_failed", result.failed.count))
            }
        }
        for kind in kinds {
            // The reader's own choice of columns, kept for the next time they open the list.
            web.post("/\(kind.rawValue)/columns") { request, context in
                let form = try await request.form(context: context)
                let columns = form["reset"] == nil ? form.values("col") : []
                try await services.savedViews.keepColumns(columns, of: kind, by: context.principal)
                return WebRenderer.redirect(Self.safeBack(form["back"], kind: kind))
            }
        }
        web.post("/views") { request, context in
            let form = try await request.form(context: context)
            guard let kind = kinds.first(where: { "/\($0.rawValue)" == form["path"] }) else { throw GuanxiError.notFound("List") }
            var input = SavedViewInput()
            (input.recordKind, input.name, input.shared, input.query) = (kind.rawValue, form["name"], form["shared"] == "on", form["query"])
            input.columns = (form["columns"] ?? "").split(separator: ",").map(String.init)
            let view = try await services.savedViews.create(input, by: context.principal)
            return WebRenderer.redirect(services.records.url(kind).with("view", view.id!.uuidString))
        }
        web.post("/views/:id/delete") { request, context in
            let form = try await request.form(context: context)
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("View"))
            try await services.savedViews.delete(id, by: context.principal)
            return WebRenderer.redirect(kinds.first { "/\($0.rawValue)" == form["back"] }.map { services.records.url($0) } ?? HomePages.url)
        }
    }

    /// Only a page of this list is a place to go back to: never another site.
    package static func safeBack(_ back: String?, kind: RecordKind) -> SiteURL {
        let list = SiteURL("/\(kind.rawValue)")
        guard let back, back.hasPrefix("/\(kind.rawValue)?") else { return list }
        return list.with(rawQuery: String(back.dropFirst(kind.rawValue.count + 2)))
    }

    package init(services: CustomerFileServices) { self.services = services }
}
