import Foundation
import Hummingbird
import SQLKit
import GuanxiPlatform

/// The data-quality page — records missing key fields, contact ways that fail, records
/// nobody can reach, probable duplicates, records untouched for half a year — each number
/// a link to the list of the records behind it; and marking a phone or e-mail as not
/// working (or working again) from a record's page.
package struct DataQualityPages {
    package static let menu = MenuEntry("/data-quality", titleKey: "nav.data_quality", readers: .customers)

    package let services: CustomerFileServices

    package struct Check { package let label: String; package let count: Int; package let href: String }
    package struct KindSection { package let kind: String; package let title: String; package let checks: [Check] }
    package struct Page { package let sections: [KindSection] }
    /// A record page's phones and e-mails with their marks and the forms to change them.
    package struct WaysPart { package let kind: String; package let id: String; package let back: String; package let ways: [Way]; package let reasons: [WebChoice]; package let canMark: Bool; package let unreachable: Bool }
    package struct Way { package let value: String; package let invalid: Bool; package let reason: String }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/data-quality") { _, context in try await page(context) }
        web.post("/contact-ways/invalid") { request, context in
            let form = try await request.form(context: context)
            let (kind, id) = try Self.record(form, records: services.records)
            try await ContactWays(services: services).markInvalid(kind, id, value: form["value"] ?? "", reason: form["reason"] ?? "", by: context.principal)
            return WebRenderer.redirect(services.records.url(kind, id).notice("saved"))
        }
        web.post("/contact-ways/valid") { request, context in
            let form = try await request.form(context: context)
            let (kind, id) = try Self.record(form, records: services.records)
            try await ContactWays(services: services).markValid(kind, id, value: form["value"] ?? "", by: context.principal)
            return WebRenderer.redirect(services.records.url(kind, id).notice("saved"))
        }
    }

    package static func record(_ form: FormData, records: RecordKinds) throws -> (RecordKind, UUID) {
        guard let kind = ContactWays.markable(records).first(where: { $0.rawValue == form["kind"] }), let id = form["id"].flatMap(UUID.init(uuidString:)) else {
            throw GuanxiError.notFound("Record")
        }
        return (kind, id)
    }

    package func page(_ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let cutoff = services.clock.now().addingTimeInterval(-Double(QualityRule.staleDays) * 86_400)
        var sections: [KindSection] = []
        for descriptor in services.records.all where descriptor.quality != nil && principal.scope(for: .read, on: descriptor.kind) != nil {
            let (kind, subject) = (descriptor.kind, descriptor.quality!)
            let owners = try await services.permissions.ownerFilter(principal, .read, on: kind)
            var checks: [Check] = []
            for rule in QualityRule.rules(for: subject) {
                var query = services.database.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(subject.table)
                    .where(rule.condition(subject, cutoff: cutoff))
                if let reachable = owners.condition() { query = query.where(reachable) }
                let count = try await query.first()?.decode(column: "n", as: Int.self) ?? 0
                checks.append(Check(label: t("data_quality.\(rule.rawValue)"), count: count, href: "/\(kind.rawValue)?quality=\(rule.rawValue)"))
            }
            if !descriptor.duplicateKeys.isEmpty {
                let duplicates = try await DuplicateFinder(services: services).groups(kind, for: principal, limit: 0).total
                checks.append(Check(label: t("data_quality.duplicates"), count: duplicates, href: DuplicatePages.url.with("kind", kind.rawValue).description))
            }
            sections.append(KindSection(kind: kind.rawValue, title: t(descriptor.nameKey), checks: checks))
        }
        guard !sections.isEmpty else { throw GuanxiError(.forbidden, "You may not read customers, contacts or leads.") }
        return services.renderer.render("data-quality", titleKey: "data_quality.title", page: Page(sections: sections), context: context)
    }

    /// The phones-and-e-mails card of a customer, contact or lead page.
    package func part(_ kind: RecordKind, _ id: UUID, principal: Principal, locale: String) async throws -> WaysPart {
        let ways = ContactWays(services: services)
        let problems = try await ways.problems(of: kind, id)
        let current = try await ways.ways(of: kind, id)
        let t = { (key: String) in services.localizer.text(key, locale) }
        let rows = current.map { way in
            let problem = problems.first { $0.kind == way.kind && ContactWays.normalized($0.kind, $0.value) == ContactWays.normalized(way.kind, way.value) }
            return Way(value: way.value, invalid: problem != nil, reason: problem.map { t("contact_way_reasons.\($0.reason)") } ?? "")
        }
        return WaysPart(kind: kind.rawValue, id: id.uuidString, back: "/\(kind.rawValue)/\(id.uuidString)", ways: rows,
                        reasons: ContactWays.reasons.map { WebChoice(value: $0, label: t("contact_way_reasons.\($0)"), selected: false) },
                        canMark: principal.scope(for: .update, on: kind) != nil, unreachable: !rows.isEmpty && rows.allSatisfy(\.invalid))
    }

    package init(services: CustomerFileServices) { self.services = services }
}
