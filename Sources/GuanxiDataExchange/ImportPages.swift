import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The import pages: upload a file, look over how its columns map and how its first rows
/// will be stored, try it (dry run), start it, follow its progress, cancel, resume or
/// revert it, and download the rows it did not import.
package struct ImportPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/imports")

    /// Shown to whoever may import into any kind that takes files.
    package static func menu(_ records: RecordKinds) -> MenuEntry {
        MenuEntry("/imports", titleKey: "nav.imports") { principal in
            DataImport.importable(records).contains { principal.scope(for: .import, on: records.permissionKind(of: $0)) != nil }
        }
    }

    package let services: CustomerFileServices

    package struct JobRow { package let id: String; package let file: String; package let kind: String; package let status: String; package let done: Int; package let total: Int; package let at: String }
    package struct ListPage { package let kinds: [WebChoice]; package let modes: [WebChoice]; package let duplicates: [WebChoice]; package let templates: [WebChoice]; package let jobs: [JobRow]; package let largest: String }
    package struct MappingRow { package let header: String; package let index: Int; package let fields: [WebChoice] }
    package struct Problem { package let line: Int; package let column: String; package let reason: String }
    package struct Reverting { let gone: Int; let of: Int }

    package struct JobPage {
        package let id: String; let file: String; let kind: String; let status: String; let statusKey: String
        package let total: Int; let done: Int; let created: Int; let updated: Int; let skipped: Int; let rejected: Int; let error: String?
        package let isDraft: Bool; let isActive: Bool; let canCancel: Bool; let canResume: Bool; let canRevert: Bool; let hasRejects: Bool
        /// While the background worker reverts the import: how many of its records are gone.
        package let reverting: Reverting?
        package let mapping: [MappingRow]; let previewHeaders: [String]; let previewRows: [[String]]; let unmapped: String
        package let modes: [WebChoice]; let duplicates: [WebChoice]; let keys: [WebChoice]; let tag: String; let source: String; let byRules: Bool; let offersRules: Bool
        package let createMissing: Bool; let offersMissing: Bool
        package let dryRun: Bool; let dryCreated: Int; let dryUpdated: Int; let drySkipped: Int; let dryRejected: Int; let problems: [Problem]
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/imports") { _, context in try await list(context) }
        web.post("/imports") { request, context in
            let form = try await request.form(context: context)
            let principal = context.principal
            guard let file = form.files["file"]?.first else { throw GuanxiError.invalid("file", "Choose a file.").localized("msg.required", ["field": "file"]) }
            guard let named = form["kind"], !named.isEmpty else { throw GuanxiError.invalid("kind", "Choose what the file holds.").localized("msg.required", ["field": "kind"]) }
            let kind = try services.records.named(named, field: "kind") { $0.importTarget != nil }.kind
            var settings = try Self.settings(form)
            if let template = form["template"], !template.isEmpty {
                settings.mapping = try await ImportTemplates(services: services).find(kind, name: template, by: principal).mapping
            }
            let job = try await DataImport(services: services).draft(kind, fileName: file.filename, data: file.data, settings: settings, by: principal)
            return WebRenderer.redirect(Self.url.appending(job.id))
        }
        web.get("/imports/:id") { request, context in try await page(try Self.id(context), dryRun: false, context: context) }
        web.post("/imports/:id/settings") { request, context in
            let form = try await request.form(context: context)
            let id = try Self.id(context)
            let principal = context.principal
            let imports = DataImport(services: services)
            let job = try await imports.find(id, by: principal)
            var settings = try Self.settings(form)
            let header = try await imports.preview(draft: id, rows: 0, by: principal).header
            for (index, name) in header.enumerated() { settings.mapping[name] = form["map_\(index)"] ?? "" }
            _ = try await imports.update(draft: id, settings: settings, by: principal)
            if let name = form["template_name"], !name.trimmingCharacters(in: .whitespaces).isEmpty {
                try await ImportTemplates(services: services).save(job.kind, name: name, mapping: settings.mapping, by: principal)
            }
            return WebRenderer.redirect(Self.url.appending(id))
        }
        web.post("/imports/:id/dry-run") { _, context in try await page(try Self.id(context), dryRun: true, context: context) }
        web.post("/imports/:id/start") { _, context in
            let id = try Self.id(context)
            _ = try await DataImport(services: services).queue(id, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(id))
        }
        web.post("/imports/:id/resume") { _, context in
            let id = try Self.id(context)
            _ = try await DataImport(services: services).resumeLater(id, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(id))
        }
        web.post("/imports/:id/cancel") { _, context in
            let id = try Self.id(context)
            _ = try await DataImport(services: services).cancel(id, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(id))
        }
        web.post("/imports/:id/revert") { _, context in
            let id = try Self.id(context)
            _ = try await DataImport(services: services).revertLater(id, by: context.principal)
            return WebRenderer.redirect(Self.url.appending(id))
        }
        web.get("/imports/:id/rejects") { _, context in
            let id = try Self.id(context)
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = ContentDisposition.attachment("rejected-rows.csv")
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: try await DataImport(services: services).rejectsCSV(id, by: context.principal))))
        }
    }

    package static func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Import"))
    }

    package static func settings(_ form: FormData) throws -> ImportSettings {
        var settings = ImportSettings()
        func choice<T: RawRepresentable & CaseIterable>(_ field: String, _ fallback: T) throws -> T where T.RawValue == String {
            guard let text = form[field], !text.isEmpty else { return fallback }
            guard let value = T(rawValue: text) else {
                let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw GuanxiError.invalid(field, "\(field) must be one of \(choices).").localized("msg.choice", ["field": field, "choices": choices])
            }
            return value
        }
        settings.mode = try choice("mode", ImportSettings.Mode.create)
        settings.duplicates = try choice("duplicates", ImportSettings.Duplicates.skip)
        settings.key = form["key"].flatMap { $0.isEmpty ? nil : $0 }
        settings.tag = form["tag"].flatMap { $0.isEmpty ? nil : $0 }
        settings.source = form["source"].flatMap { $0.isEmpty ? nil : $0 }
        settings.assignByRules = form["by_rules"] == "on"
        settings.createMissingCustomers = form["create_missing"] == "on" ? true : nil
        return settings
    }

    package func list(_ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let kinds = DataImport.importable(services.records).filter { principal.scope(for: .import, on: services.records.permissionKind(of: $0)) != nil }
        guard !kinds.isEmpty else { throw GuanxiError(.forbidden, "You may not import records.") }
        var templates: [WebChoice] = [WebChoice(value: "", label: "—", selected: true)]
        for kind in kinds {
            templates += try await ImportTemplates(services: services).list(kind, by: principal).map { WebChoice(value: $0.name, label: "\(t("kinds.\(kind.rawValue)")) · \($0.name)", selected: false) }
        }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let jobs = try await DataImport(services: services).recent(by: principal).map {
            JobRow(id: $0.id.uuidString, file: $0.fileName, kind: t("kinds.\($0.kind.rawValue)"), status: t("import_statuses.\($0.status.rawValue)"),
                   done: $0.rowsDone, total: $0.totalRows, at: format.dateTime($0.createdAt))
        }
        let page = ListPage(kinds: kinds.map { WebChoice(value: $0.rawValue, label: t("kinds.\($0.rawValue)"), selected: false) },
                            modes: Self.modes(.create, t), duplicates: Self.duplicates(.skip, t), templates: templates, jobs: jobs,
                            largest: String(services.config.maxImportBytes / 1_048_576))
        return services.renderer.render("imports", titleKey: "imports.title", page: page, context: context)
    }

    package static func modes(_ selected: ImportSettings.Mode, _ t: (String) -> String) -> [WebChoice] {
        ImportSettings.Mode.allCases.map { WebChoice(value: $0.rawValue, label: t("imports.mode_\($0.rawValue)"), selected: $0 == selected) }
    }

    package static func duplicates(_ selected: ImportSettings.Duplicates, _ t: (String) -> String) -> [WebChoice] {
        ImportSettings.Duplicates.allCases.map { WebChoice(value: $0.rawValue, label: t("imports.duplicates_\($0.rawValue)"), selected: $0 == selected) }
    }

    package func page(_ id: UUID, dryRun: Bool, context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let imports = DataImport(services: services)
        let job = try await imports.find(id, by: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let custom = try await services.customValues.fields(of: job.kind)
        let target = try imports.target(job.kind)
        func label(_ key: String) -> String {
            key.hasPrefix("cf.") ? custom.first { "cf.\($0.key)" == key }?.label ?? key : t("import_fields.\(key)")
        }
        let fieldKeys = target.fields.map(\.key) + custom.map { "cf.\($0.key)" }
        var mapping: [MappingRow] = [], headers: [String] = [], rows: [[String]] = [], unmapped = ""
        if job.status == .draft {
            let preview = try await imports.preview(draft: id, by: principal)
            mapping = preview.header.enumerated().map { index, name in
                MappingRow(header: name, index: index, fields: [WebChoice(value: "", label: t("imports.ignore"), selected: preview.fields[index].isEmpty)]
                           + fieldKeys.map { WebChoice(value: $0, label: label($0), selected: preview.fields[index] == $0) })
            }
            let used = fieldKeys.filter { preview.fields.contains($0) }
            headers = used.map(label)
            rows = preview.rows.map { row in used.map { row[$0] ?? "" } }
            unmapped = preview.unmapped.joined(separator: ", ")
        }
        var report: DataImport.Report?
        if dryRun { report = try await imports.dryRun(draft: id, by: principal) }
        let keys = target.keys + custom.map { "cf.\($0.key)" }
        let page = JobPage(
            id: id.uuidString, file: job.fileName, kind: t("kinds.\(job.kind.rawValue)"), status: t("import_statuses.\(job.status.rawValue)"), statusKey: job.status.rawValue,
            total: job.totalRows, done: job.rowsDone, created: job.created, updated: job.updated, skipped: job.skipped, rejected: job.rejected, error: job.error,
            isDraft: job.status == .draft, isActive: [.queued, .running, .reverting].contains(job.status),
            canCancel: job.status == .queued || job.status == .running, canResume: job.status == .cancelled || job.status == .failed,
            canRevert: job.canRevert && job.status != .running && job.status != .reverting, hasRejects: job.skipped + job.rejected > 0,
            reverting: job.status == .reverting ? Reverting(gone: try await imports.store.revertedCount(of: id), of: job.created) : nil,
            mapping: mapping, previewHeaders: headers, previewRows: rows, unmapped: unmapped,
            modes: Self.modes(job.settings.mode, t), duplicates: Self.duplicates(job.settings.duplicates, t),
            // No key chosen: duplicates are still found, by external id, e-mail or phone (`ImportPlan.defaultKey`).
            keys: [WebChoice(value: "", label: t("imports.key_automatic"), selected: job.settings.key == nil)]
                + WebChoice.list(keys, selected: job.settings.key, allowEmpty: false) { label(target.field(forKey: $0)) },
            tag: job.settings.tag ?? "", source: job.settings.source ?? "", byRules: job.settings.assignByRules, offersRules: target.assignsByRules,
            createMissing: job.settings.createMissingCustomers == true, offersMissing: target.createsMissingCustomers,
            dryRun: report != nil, dryCreated: report?.job.created ?? 0, dryUpdated: report?.job.updated ?? 0, drySkipped: report?.job.skipped ?? 0,
            dryRejected: report?.job.rejected ?? 0, problems: (report?.problems ?? []).prefix(100).map { Problem(line: $0.line, column: $0.column, reason: $0.reason) })
        return services.renderer.render("import", titleKey: "imports.title", page: page, context: context)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
