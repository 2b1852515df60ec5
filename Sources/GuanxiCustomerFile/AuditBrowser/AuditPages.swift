import Foundation
import Hummingbird
import GuanxiPlatform

/// Browsing the audit log on the web, with filters.
package struct AuditPages {
    package static let menu = MenuEntry("/admin/audit", titleKey: "nav.audit", readers: .audit)

    package let services: CustomerFileServices

    package typealias Choice = WebChoice
    package struct Page { package let entries: [AuditEntryRow]; package let next: String?; package let kinds: [Choice]; package let actions: [Choice]; package let kind: String; package let action: String; package let actor: String; package let from: String; package let to: String }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/audit") { request, context in
            let principal = context.principal
            let q = request.uri.queryParameters
            var filter = AuditFilter()
            filter.recordKind = q["kind"].flatMap { $0.isEmpty ? nil : String($0) }
            filter.action = q["action"].flatMap { $0.isEmpty ? nil : String($0) }
            if let actor = q["actor"], !actor.isEmpty { filter.actorID = try await services.users.find(username: String(actor))?.id ?? UUID() }
            filter.before = q["before"].flatMap { Int64($0) }
            filter.from = try Validate.localDay(q["from"].map(String.init), field: "from", timeZone: principal.timeZone)
            filter.to = try Validate.localDay(q["to"].map(String.init), field: "to", timeZone: principal.timeZone).map { $0.addingTimeInterval(86_400) }
            let result = try await services.auditQuery.list(filter, for: principal)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let kinds = [Choice(value: "", label: "—", selected: filter.recordKind == nil)]
                + services.records.kinds(where: \.grantable).map { Choice(value: $0.rawValue, label: t("kinds.\($0.rawValue)"), selected: filter.recordKind == $0.rawValue) }
            let actions = [Choice(value: "", label: "—", selected: filter.action == nil)]
                + AuditAction.allCases.map { Choice(value: $0.rawValue, label: t("audit_actions.\($0.rawValue)"), selected: filter.action == $0.rawValue) }
            let page = Page(entries: try await ReadableHistory(services: services, reader: principal, locale: context.locale).rows(result.entries),
                            next: result.next.map(String.init), kinds: kinds, actions: actions,
                            kind: filter.recordKind ?? "", action: filter.action ?? "", actor: q["actor"].map(String.init) ?? "",
                            from: q["from"].map(String.init) ?? "", to: q["to"].map(String.init) ?? "")
            return services.renderer.render("admin-audit", titleKey: "audit.title", page: page, context: context)
        }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
