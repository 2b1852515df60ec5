import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The competitor list with its form: what each competitor does well and badly.
package struct CompetitorPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/competitors")

    package let services: SalesServices

    package struct Row { package let id: String; package let name: String; package let website: String; package let strengths: String; package let weaknesses: String }
    package struct Page {
        package let rows: [Row]; let canEdit: Bool; let editing: Bool; let id: String; let version: Int
        package let name: String; let website: String; let strengths: String; let weaknesses: String; let notes: String; let error: String?; let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/competitors") { request, context in
            try await page(nil, context: context, notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.get("/competitors/:id") { _, context in
            try await page(try await services.competitors.find(try id(context), for: context.principal), context: context)
        }
        web.post("/competitors") { request, context in
            let form = try await request.form(context: context)
            do {
                _ = try await services.competitors.create(Self.input(form), by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(nil, typed: form, context: context, error: error)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
        web.post("/competitors/:id") { request, context in
            let principal = context.principal
            let competitorID = try id(context)
            let form = try await request.form(context: context)
            do {
                _ = try await services.competitors.update(competitorID, Self.input(form), expectedVersion: Int(form["version"] ?? ""), by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await page(try await services.competitors.find(competitorID, for: principal), typed: form, context: context, error: error)
            }
            return WebRenderer.redirect(Self.url.notice("saved"))
        }
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Competitor"))
    }

    package static func input(_ form: FormData) -> CompetitorInput {
        var input = CompetitorInput()
        (input.name, input.website, input.strengths, input.weaknesses, input.notes) = (form["name"], form["website"], form["strengths"], form["weaknesses"], form["notes"])
        return input
    }

    package func page(_ editing: Competitor?, typed: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil, notice: String? = nil) async throws -> Response {
        let principal = context.principal
        let list = try await services.competitors.list(for: principal)
        let c = editing
        let model = Page(
            rows: list.map { Row(id: $0.id!.uuidString, name: $0.name, website: $0.website ?? "", strengths: $0.strengths, weaknesses: $0.weaknesses) },
            canEdit: principal.scope(for: .update, on: .opportunities) != nil, editing: c != nil, id: c?.id?.uuidString ?? "", version: c?.version ?? 0,
            name: typed?["name"] ?? c?.name ?? "", website: typed?["website"] ?? c?.website ?? "", strengths: typed?["strengths"] ?? c?.strengths ?? "",
            weaknesses: typed?["weaknesses"] ?? c?.weaknesses ?? "", notes: typed?["notes"] ?? c?.notes ?? "",
            error: error.map { services.localizer.message(for: $0, context.locale) }, notice: notice)
        let status: HTTPResponse.Status = error == nil ? .ok : error!.kind == .validation ? .badRequest : .conflict
        return services.renderer.render("competitors", titleKey: "competitors.title", page: model, context: context, status: status)
    }

    package init(services: SalesServices) { self.services = services }
}
