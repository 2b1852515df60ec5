import Foundation
import Hummingbird

/// The duplicate review queue, the merge page (choose the survivor and, field by field,
/// the value that stays) and undoing a merge.
struct DuplicatePages {
    let services: AppServices

    struct Member { let id: String; let name: String; let href: String }
    struct Group { let key: String; let score: Int; let reasons: String; let members: [Member]; let mergeHref: String; let canMerge: Bool }
    struct QueuePage { let kind: String; let kinds: [WebChoice]; let groups: [Group]; let total: Int; let exact: Int; let canMerge: Bool; let notice: String? }
    struct FieldRow { let key: String; let label: String; let options: [Option] }
    struct Option { let recordID: String; let value: String; let selected: Bool }
    struct Column { let id: String; let name: String; let survivor: Bool }
    struct MergePage { let kind: String; let ids: String; let columns: [Column]; let rows: [FieldRow] }
    struct DonePage { let id: String; let survivorHref: String; let survivorName: String; let undone: Bool }

    static let kinds: [RecordKind] = [.customers, .contacts, .leads]

    func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/duplicates") { request, context in try await queue(request, context) }
        web.post("/duplicates/dismiss") { request, context in
            let form = try await request.form(context: context)
            let kind = try Self.kind(form["kind"])
            try await DuplicateFinder(services: services).dismiss(kind, key: form["key"] ?? "", by: try context.requirePrincipal())
            return WebRenderer.redirect("/duplicates?kind=\(kind.rawValue)")
        }
        web.post("/duplicates/merge-exact") { request, context in
            let form = try await request.form(context: context)
            let kind = try Self.kind(form["kind"])
            let result = try await DuplicateFinder(services: services).mergeExact(kind, by: try context.requirePrincipal())
            return WebRenderer.redirect("/duplicates?kind=\(kind.rawValue)&merged=\(result.merged)&failed=\(result.failed)")
        }
        web.get("/duplicates/merge") { request, context in try await mergePage(request, context) }
        web.post("/duplicates/merge") { request, context in
            let form = try await request.form(context: context)
            let kind = try Self.kind(form["kind"])
            let ids = (form["ids"] ?? "").split(separator: ",").compactMap { UUID(uuidString: String($0)) }
            guard let survivor = form["survivor"].flatMap(UUID.init(uuidString:)), ids.contains(survivor) else {
                throw GuanxiError.invalid("survivor", "Choose the record that stays.").localized("msg.required", ["field": "survivor"])
            }
            var take: [String: UUID] = [:]
            for (key, values) in form.all where key.hasPrefix("take_") { take[String(key.dropFirst(5))] = values.first.flatMap(UUID.init(uuidString:)) }
            let merge = try await MergeService(services: services).merge(kind, survivor: survivor, others: ids.filter { $0 != survivor }, take: take, by: try context.requirePrincipal())
            return WebRenderer.redirect("/merges/\(merge.uuidString)")
        }
        web.get("/merges/:id") { _, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Merge"))
            let principal = try context.requirePrincipal()
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
            try await MergeService(services: services).undo(id, by: try context.requirePrincipal())
            return WebRenderer.redirect("/merges/\(id.uuidString)")
        }
    }

    static func kind(_ text: String?) throws -> RecordKind {
        try kinds.first { $0.rawValue == text }.orThrow(.invalid("kind", "kind must be customers, contacts or leads.")
            .localized("msg.choice", ["field": "kind", "choices": "customers, contacts, leads"]))
    }

    func queue(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let q = request.uri.queryParameters
        let kind = try Self.kind(q["kind"].map(String.init) ?? "customers")
        _ = try services.permissions.require(principal, .read, on: kind)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let found = try await DuplicateFinder(services: services).groups(kind, for: principal)
        let canMerge = kind != .leads && principal.scope(for: .delete, on: kind) != nil
        let groups = found.groups.map { g in
            Group(key: g.key, score: g.score, reasons: g.reasons.map { t("duplicates.reason_\($0)") }.joined(separator: " · "),
                  members: g.members.map { Member(id: $0.id.uuidString, name: $0.name, href: "/\(kind.rawValue)/\($0.id.uuidString)") },
                  mergeHref: "/duplicates/merge?kind=\(kind.rawValue)&ids=\(g.key)", canMerge: canMerge)
        }
        var notice: String?
        if let merged = q["merged"], let failed = q["failed"] {
            notice = services.localizer.text("duplicates.bulk_result", context.locale, ["merged": String(merged), "failed": String(failed)])
        }
        let page = QueuePage(kind: kind.rawValue, kinds: Self.kinds.filter { principal.scope(for: .read, on: $0) != nil }.map {
            WebChoice(value: $0.rawValue, label: t("kinds.\($0.rawValue)"), selected: $0 == kind) }, groups: groups, total: found.total,
                             exact: found.groups.filter(\.isExact).count, canMerge: canMerge, notice: notice)
        return services.renderer.render("duplicates", titleKey: "duplicates.title", page: page, context: context)
    }

    func mergePage(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let q = request.uri.queryParameters
        let kind = try Self.kind(q["kind"].map(String.init))
        let ids = (q["ids"].map(String.init) ?? "").split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        var columns: [Column] = [], rows: [FieldRow] = []
        func build<R>(_ records: [R], _ fields: [(key: String, read: @Sendable (R) -> String?, copy: MergeFields.Copy<R>)], id: (R) -> UUID, name: (R) -> String,
                      show: (String, String) async throws -> String) async throws {
            let survivor = records[0]
            let choices = MergeFields.defaults(fields, survivor: survivor, others: Array(records.dropFirst()), id: id)
            columns = records.enumerated().map { Column(id: id($1).uuidString, name: name($1), survivor: $0 == 0) }
            for field in fields where Set(records.map { field.read($0) ?? "" }).count > 1 {
                var options: [Option] = []
                for r in records { options.append(Option(recordID: id(r).uuidString, value: try await show(field.key, field.read(r) ?? ""), selected: choices[field.key] == id(r))) }
                rows.append(FieldRow(key: field.key, label: t("merge_fields.\(field.key)"), options: options))
            }
        }
        let owners = { (text: String) async throws -> String in
            guard let id = UUID(uuidString: text) else { return text }
            return try await services.users.names(of: [id])[id] ?? text
        }
        switch kind {
        case .customers:
            var records: [Customer] = []
            for id in ids { records.append(try await services.customers.find(id, for: principal, action: .update)) }
            guard records.count >= 2 else { throw GuanxiError.invalid("ids", "Choose 2 to 21 records to merge.").localized("msg.merge_count", [:]) }
            try await build(records, MergeFields.customer, id: { $0.id! }, name: \.name) { key, value in key == "owner" ? try await owners(value) : value }
        case .contacts:
            var records: [Contact] = []
            for id in ids { records.append(try await services.contacts.find(id, for: principal, action: .update)) }
            guard records.count >= 2 else { throw GuanxiError.invalid("ids", "Choose 2 to 21 records to merge.").localized("msg.merge_count", [:]) }
            let companies = try await services.customerQuery.names(of: records.compactMap(\.customerID), for: principal)
            try await build(records, MergeFields.contact, id: { $0.id! }, name: \.name) { key, value in
                key == "owner" ? try await owners(value) : key == "customer" ? UUID(uuidString: value).flatMap { companies[$0] } ?? value : value
            }
        default:
            throw GuanxiError.invalid("kind", "Customers and contacts can be merged.").localized("msg.choice", ["field": "kind", "choices": "customers, contacts"])
        }
        let page = MergePage(kind: kind.rawValue, ids: ids.map(\.uuidString).joined(separator: ","), columns: columns, rows: rows)
        return services.renderer.render("merge", titleKey: "duplicates.merge_title", page: page, context: context)
    }
}
