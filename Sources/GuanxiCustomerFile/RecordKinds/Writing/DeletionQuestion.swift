import Foundation
import Hummingbird
import GuanxiPlatform

/// The question before a record is deleted: its name, what goes with it (a customer's
/// deals and purchases) and what stays, no longer linked (its contacts and activities),
/// each with how many. Answering it posts to the kind's own delete route, with the version
/// the record page showed, so a change saved meanwhile stops the delete.
package struct DeletionQuestion {
    package let services: CustomerFileServices

    /// The templates see stored values only, so the flags are worked out here.
    package struct Page {
        package let title: String
        package let action: String
        package let back: String
        package let version: String
        package let deleted: [String]
        package let detached: [String]
        package let goesWithOthers: Bool
        package let leavesOthers: Bool
        package let goesAlone: Bool

        package init(title: String, action: String, back: String, version: String, deleted: [String], detached: [String]) {
            (self.title, self.action, self.back, self.version, self.deleted, self.detached) = (title, action, back, version, deleted, detached)
            (goesWithOthers, leavesOthers, goesAlone) = (!deleted.isEmpty, !detached.isEmpty, deleted.isEmpty && detached.isEmpty)
        }
    }

    /// `GET <path>/:id/delete?version=N` for `kind`, whose pages post deletions to `<path>/:id/delete`.
    package func register(_ kind: RecordKind, on web: RouterGroup<SignedInContext>) {
        let path = services.records[kind]?.path ?? "/\(kind.rawValue)"
        web.get("\(path)/:id/delete") { request, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Record"))
            let record = try await services.records.find(kind, id, for: context.principal, action: .delete)
            let locale = context.locale
            let counts = try await services.records.dependents(of: kind, id, on: services.database.sql)
            func lines(_ fate: RecordDependent.Fate) -> [String] {
                counts.filter { $0.dependent.fate == fate }.map { item in
                    services.localizer.text("deletion.count", locale, ["kind": services.localizer.text("kinds.\(item.dependent.kind.rawValue)", locale),
                                                                       "count": String(item.count)])
                }
            }
            let version = request.uri.queryParameters["version"].flatMap { Int(String($0)) }
            let page = Page(title: services.localizer.text("deletion.title", locale, ["name": record.name]), action: "\(path)/\(id.uuidString)/delete",
                            back: "\(path)/\(id.uuidString)", version: version.map(String.init) ?? "", deleted: lines(.deleted), detached: lines(.detached))
            return services.renderer.render("delete-record", titleKey: "deletion.heading", page: page, context: context)
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
