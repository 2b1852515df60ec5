import Foundation
import Hummingbird

/// The route behind a record page's in-place edits (`InlineEdit`): `POST <record>/field`
/// with `field`, its value under the field's own name and the page's `version`. Only the
/// named field is passed on, so the record's own form reader and service check it exactly
/// as they check the whole edit form, version included — a record changed since the page
/// was drawn is refused, not overwritten.
package struct InlineFieldRoute: Sendable {
    /// The fields a page offers in place; any other name is refused.
    package let fields: Set<String>
    /// Saves a form holding just the one field; answers the record's new version.
    package let save: @Sendable (_ id: UUID, _ form: FormData, _ version: Int?, _ context: SignedInContext) async throws -> Int
    /// Where a browser without the page script lands after a save (the record's page).
    package let page: @Sendable (_ id: UUID) -> SiteURL
    /// What such a browser sees when the save is refused: the record's whole edit form,
    /// holding the typed value and the reason.
    package let refused: @Sendable (_ id: UUID, _ form: FormData, _ error: GuanxiError, _ context: SignedInContext) async throws -> Response

    package init(fields: Set<String>,
                 save: @escaping @Sendable (_ id: UUID, _ form: FormData, _ version: Int?, _ context: SignedInContext) async throws -> Int,
                 page: @escaping @Sendable (_ id: UUID) -> SiteURL,
                 refused: @escaping @Sendable (_ id: UUID, _ form: FormData, _ error: GuanxiError, _ context: SignedInContext) async throws -> Response) {
        (self.fields, self.save, self.page, self.refused) = (fields, save, page, refused)
    }

    package struct Saved: Encodable { let version: Int }
    package struct Refused: Encodable { let error: String; let field: String }

    package func register(_ path: String, notFound: String, on web: RouterGroup<SignedInContext>, localizer: Localizer) {
        web.post("\(path)/:id/field") { request, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound(notFound))
            let form = try await request.form(context: context)
            let name = form["field"] ?? ""
            let wantsJSON = WebRenderer.wantsJSON(request)
            do {
                guard fields.contains(name) else {
                    throw GuanxiError.invalid("field", "\(name.isEmpty ? "No field" : "The field \(name)") cannot be changed in place; use the edit form.")
                        .localized("msg.field_not_inline", ["field": name])
                }
                let single = FormData(all: [name: [form[name] ?? ""]])
                let version = try await save(id, single, Int(form["version"] ?? ""), context)
                if wantsJSON { return try WebRenderer.json(Saved(version: version)) }
                return WebRenderer.redirect(page(id).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                let status: HTTPResponse.Status = error.kind == .validation ? .badRequest : .conflict
                if wantsJSON { return try WebRenderer.json(Refused(error: localizer.message(for: error, context.locale), field: name), status: status) }
                return try await refused(id, FormData(all: fields.contains(name) ? [name: [form[name] ?? ""]] : [:]), error, context)
            }
        }
    }
}
