import Foundation
import Hummingbird
import GuanxiPlatform

/// The duplicate review queue, the merge page (choose the survivor and, field by field,
/// the value that stays) and undoing a merge.
package struct DuplicatePages {
    /// Where these pages are; links and redirects build on them.
    package static let merges = SiteURL("/merges")
    package static let url = SiteURL("/duplicates")

    package let services: CustomerFileServices

    package struct Member { package let id: String; package let name: String; package let href: String }
    package struct Group { package let key: String; package let score: Int; package let reasons: String; package let members: [Member]; package let mergeHref: String; package let canMerge: Bool }
    package struct QueuePage { package let kind: String; package let kinds: [WebChoice]; package let groups: [Group]; package let total: Int; package let exact: Int; package let canMerge: Bool; package let notice: String? }
    package struct FieldRow { package let key: String; package let label: String; package let options: [Option] }
    package struct Option { package let recordID: String; package let value: String; package let selected: Bool }
    package struct Column { package let id: String; package let name: String; package let survivor: Bool; package init(id: String, name: String, survivor: Bool) { (self.id, self.name, self.survivor) = (id, name, survivor) } }
    package struct MergePage { package let kind: String; package let ids: String; package let columns: [Column]; package let rows: [FieldRow] }
    package struct DonePage { package let id: String; package let survivorHref: String; package let survivorName: String; package let undone: Bool }

    /// The kinds whose duplicates are looked for.
    package var kinds: [RecordKind] { services.records.kinds { !$0.duplicateKeys.isEmpty } }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/duplicates") { request, context in try await queue(request, context) }
        web.post("/duplicates/dismiss") { request, context in
            let form = try await request.form(context: context)
            let kind = try duplicateKind(form["kind"])
            try await DuplicateFinder(services: services).dismiss(kind, key: form["key"] ?? "", by: context.principal)
            return WebRenderer.redirect(Self.url.with("kind", kind.rawValue))
        }
        web.post("/duplicates/merge-exact") { request, context in
            let form = try await request.form(context: context)
            let kind = try duplicateKind(form["kind"])
            let result = try await DuplicateFinder(services: services).mergeExact(kind, by: context.principal)
            return WebRenderer.redirect(Self.url.with("kind", kind.rawValue).with("merged", result.merged).with("failed", result.failed))
        }
        web.get("/duplicates/merge") { request, context in try await mergePage(request, context) }
        web.post("/duplicates/merge") { request, context in
            let form = try await request.form(context: context)
            let kind = try duplicateKind(form["kind"])
            let ids = (form["ids"] ?? "").split(separator: ",").compactMap { UUID(uuidString: String($0)) }
            guard let survivor = form["survivor"].flatMap(UUID.init(uuidString:)), ids.contains(survivor) else {
                throw GuanxiError.invalid("survivor", "Choose the record that stays.").localized("msg.required", ["field": "survivor"])
            }
            var take: [String: UUID] = [:]
            for (key, values) in form.all where key.hasPrefix("take_") { take[String(key.dropFirst(5))] = values.first.flatMap(UUID.init(uuidString:)) }
            let merge = try await MergeService(services: services).merge(kind, survivor: survivor, others: ids.filter { $0 != survivor }, take: take, by: context.principal)
            return WebRenderer.redirect(Self.merges.appending(merge))
        }
        web.get("/merges/:id") { _, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Merge"))
            let principal = context.principal
            guard let row = try await services.database.sql.select().columns("kind", "survivor_id", "undone_at").from("merges").where("id", .equal, id).first() else {
                throw GuanxiError.notFound("Merge")
            }
            let kind = RecordKind(rawValue: try row.decode(column: "kind", as: String.self))
            let survivor = try row.decode(column: "survivor_id", as: UUID.self)
            let name = try await services.records.find(kind, survivor, for: principal).name
            let page = DonePage(id: id.uuidString, survivorHref: "/\(kind.rawValue)/\(survivor.uuidString)", survivorName: name,
                                undone: try row.decode(column: "undone_at", as: Date?.self) != nil)
            return services.renderer.render("merge-done", titleKey: "duplicates.merge_title", page: page, context: context)
        }
        web.post("/merges/:id/undo") { _, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Merge"))
            try await MergeService(services: services).undo(id, by: context.principal)
            return WebRenderer.redirect(Self.merges.appending(id))
        }
    }

    package func duplicateKind(_ text: String?) throws -> RecordKind {
        try services.records.named(text, field: "kind") { !$0.duplicateKeys.isEmpty }.kind
    }

    package func queue(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let kind = try duplicateKind(q["kind"].map(String.init) ?? "customers")
        _ = try services.permissions.require(principal, .read, on: kind)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let found = try await DuplicateFinder(services: services).groups(kind, for: principal)
        let canMerge = services.records[kind]?.merging != nil && principal.scope(for: .delete, on: kind) != nil
        let groups = found.groups.map { g in
            Group(key: g.key, score: g.score, reasons: g.reasons.map { t("duplicates.reason_\($0)") }.joined(separator: " · "),
                  members: g.members.map { Member(id: $0.id.uuidString, name: $0.name, href: "/\(kind.rawValue)/\($0.id.uuidString)") },
                  mergeHref: Self.url.appending("merge").with("kind", kind.rawValue).with("ids", g.key).description, canMerge: canMerge)
        }
        var notice: String?
        if let merged = q["merged"], let failed = q["failed"] {
            notice = services.localizer.text("duplicates.bulk_result", context.locale, ["merged": String(merged), "failed": String(failed)])
        }
        let page = QueuePage(kind: kind.rawValue, kinds: kinds.filter { principal.scope(for: .read, on: $0) != nil }.map {
            WebChoice(value: $0.rawValue, label: t("kinds.\($0.rawValue)"), selected: $0 == kind) }, groups: groups, total: found.total,
                             exact: found.groups.filter(\.isExact).count, canMerge: canMerge, notice: notice)
        return services.renderer.render("duplicates", titleKey: "duplicates.title", page: page, context: context)
    }

    package func mergePage(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let kind = try duplicateKind(q["kind"].map(String.init))
        let ids = (q["ids"].map(String.init) ?? "").split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let comparison = try await MergeService(services: services).merging(kind).compare(ids, principal)
        let columns = comparison.records.enumerated().map { Column(id: $1.id.uuidString, name: $1.name, survivor: $0 == 0) }
        let readable = ReadableHistory(services: services, reader: principal, locale: context.locale)
        var rows: [FieldRow] = []
        for field in comparison.fields {
            // Stored values read as histories read them: the owner's name, the stage's label.
            let shown = try await readable.values(field.values, of: ["owner": "owner_id", "customer": "customer_id"][field.key] ?? field.key, kind: kind)
            rows.append(FieldRow(key: field.key, label: t("merge_fields.\(field.key)"), options: zip(comparison.records, shown).map { record, value in
                Option(recordID: record.id.uuidString, value: value, selected: field.chosen == record.id)
            }))
        }
        let page = MergePage(kind: kind.rawValue, ids: ids.map(\.uuidString).joined(separator: ","), columns: columns, rows: rows)
        return services.renderer.render("merge", titleKey: "duplicates.merge_title", page: page, context: context)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
