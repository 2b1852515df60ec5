import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// Administrators' pipeline pages: every pipeline with its stages, and one form for a
/// new or changed pipeline (a row per stage, blank rows to add stages; clearing a
/// stage's name removes it).
package struct PipelineAdminPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/admin/pipelines")

    package static let menu = MenuEntry.administrators("/admin/pipelines", titleKey: "nav.pipelines")

    package let services: SalesServices

    package static let blankRows = 3

    package struct Summary { package let id: String; package let name: String; package let stages: String }
    package struct StageRow { package let index: Int; package let id: String; package let name: String; package let probability: String; package let outcomes: [WebChoice] }
    package struct FormPage { package let isNew: Bool; package let id: String; package let version: Int; package let name: String; package let rows: [StageRow]; package let error: String? }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/pipelines") { request, context in
            guard context.principal.isAdmin else { throw GuanxiError.forbidden }
            let list = try await services.pipelines.list().map { p in
                Summary(id: p.pipeline.id!.uuidString, name: p.pipeline.name, stages: p.stages.map { "\($0.name) \($0.probability)%" }.joined(separator: " → "))
            }
            struct Page { package let pipelines: [Summary]; package let notice: String? }
            let notice = request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }
            return services.renderer.render("admin-pipelines", titleKey: "pipelines.title", page: Page(pipelines: list, notice: notice), context: context)
        }
        web.get("/admin/pipelines/new") { _, context in
            guard context.principal.isAdmin else { throw GuanxiError.forbidden }
            return try await form(nil, context: context)
        }
        web.post("/admin/pipelines/new") { request, context in
            let form = try await request.form(context: context)
            do {
                _ = try await services.pipelines.create(name: form["name"] ?? "", stages: try Self.stages(form), by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await self.form(nil, typed: form, context: context, error: error)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
        web.get("/admin/pipelines/:id") { _, context in
            guard context.principal.isAdmin else { throw GuanxiError.forbidden }
            return try await form(try await services.pipelines.find(try id(context)), context: context)
        }
        web.post("/admin/pipelines/:id") { request, context in
            let pipelineID = try id(context)
            let form = try await request.form(context: context)
            do {
                _ = try await services.pipelines.update(pipelineID, name: form["name"], stages: try Self.stages(form),
                                                        expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await self.form(try await services.pipelines.find(pipelineID), typed: form, context: context, error: error)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
        web.post("/admin/pipelines/:id/delete") { _, context in
            do {
                try await services.pipelines.delete(try id(context), by: context.principal)
            } catch let error as GuanxiError where error.kind == .conflict {
                return try await form(try await services.pipelines.find(try id(context)), context: context, error: error)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Pipeline"))
    }

    /// The stage rows of the form, in order; rows with an empty name are dropped.
    package static func stages(_ form: FormData) throws -> [StageInput] {
        var out: [StageInput] = []
        var index = 0
        while let name = form["stage_\(index)_name"] {
            defer { index += 1 }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let field = "stages[\(out.count)].probability"
            guard let probability = Int(form["stage_\(index)_probability"] ?? "") else {
                throw GuanxiError.invalid(field, "\(field) must be from 0 to 100.").localized("msg.range", ["field": field, "min": "0", "max": "100"])
            }
            out.append(StageInput(id: try Validate.uuid(form["stage_\(index)_id"], field: "stages[\(out.count)].id"), name: name,
                                  probability: probability, outcome: form["stage_\(index)_outcome"] ?? "open"))
        }
        return out
    }

    package func form(_ saved: (pipeline: Pipeline, stages: [PipelineStage])?, typed: FormData? = nil, context: SignedInContext,
              error: GuanxiError? = nil) async throws -> Response {
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        func outcomes(_ selected: String) -> [WebChoice] {
            WebChoice.list(StageOutcome.all, selected: selected, allowEmpty: false) { t("stage_outcomes.\($0)") }
        }
        var rows: [StageRow] = []
        if let typed {
            var index = 0
            while let name = typed["stage_\(index)_name"] {
                rows.append(StageRow(index: index, id: typed["stage_\(index)_id"] ?? "", name: name, probability: typed["stage_\(index)_probability"] ?? "",
                                     outcomes: outcomes(typed["stage_\(index)_outcome"] ?? "open")))
                index += 1
            }
        } else {
            rows = (saved?.stages ?? []).enumerated().map { index, s in
                StageRow(index: index, id: s.id!.uuidString, name: s.name, probability: String(s.probability), outcomes: outcomes(s.outcome))
            }
            for index in rows.count..<(rows.count + Self.blankRows) {
                rows.append(StageRow(index: index, id: "", name: "", probability: "", outcomes: outcomes("open")))
            }
        }
        let page = FormPage(isNew: saved == nil, id: saved?.pipeline.id?.uuidString ?? "", version: saved?.pipeline.version ?? 0,
                            name: typed?["name"] ?? saved?.pipeline.name ?? "", rows: rows,
                            error: error.map { services.localizer.message(for: $0, context.locale) })
        let status: HTTPResponse.Status = error == nil ? .ok : error!.kind == .validation ? .badRequest : .conflict
        return services.renderer.render("admin-pipeline", titleKey: "pipelines.title", page: page, context: context, status: status)
    }

    package init(services: SalesServices) { self.services = services }
}
