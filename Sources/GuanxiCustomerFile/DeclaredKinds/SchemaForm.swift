import Foundation
import Hummingbird
import GuanxiPlatform

/// The form of a kind declared as data, for a new record and for changes: one input per
/// field, of the field's type and length. After a rejected save it shows what was typed
/// and names the field; after a version conflict, the saved value beside each field that
/// differs, so nobody overwrites a colleague's change unknowingly.
package struct SchemaForm {
    package let pages: SchemaPages
    package var services: CustomerFileServices { pages.services }
    package var schema: RecordSchema { pages.schema }

    package struct Input { package let name: String; package let label: String; package let type: String; package let value: String; package let required: Bool; package let maxLength: Int; package let saved: String? }
    package struct Page { package let isNew: Bool; package let id: String; package let version: Int; package let title: String; package let action: String; package let inputs: [Input]; package let error: String?; package let conflict: Bool }

    package func register(on web: RouterGroup<SignedInContext>) {
        let path = pages.path
        web.get(RouterPath("\(path)/new")) { _, context in
            try services.permissions.require(context.principal, .create, on: schema.kind)
            return render(nil, context: context)
        }
        web.post(RouterPath("\(path)/new")) { request, context in
            let form = try await request.form(context: context)
            do {
                let record = try await pages.records.create(values(form), by: context.principal)
                return WebRenderer.redirect(SiteURL(path).appending(record.id).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation {
                return render(nil, form: form, context: context, error: error, status: .badRequest)
            }
        }
        web.get(RouterPath("\(path)/:id/edit")) { _, context in
            render(try await pages.records.find(try pages.id(context), for: context.principal, action: .update), context: context)
        }
        web.post(RouterPath("\(path)/:id/edit")) { request, context in
            let id = try pages.id(context)
            let form = try await request.form(context: context)
            do {
                try await pages.records.update(id, values(form), expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation || error.code == "version_conflict" {
                let current = try await pages.records.find(id, for: context.principal, action: .update)
                return render(current, form: form, context: context, error: error, status: error.kind == .validation ? .badRequest : .conflict)
            }
            return WebRenderer.redirect(SiteURL(path).appending(id).notice("saved"))
        }
    }

    /// The fields the form sent; a field left out of the form keeps its value.
    package func values(_ form: FormData) -> [String: String] {
        schema.fields.reduce(into: [:]) { out, field in if let value = form[field.key] { out[field.key] = value } }
    }

    package func render(_ record: SchemaRecord?, form: FormData? = nil, context: SignedInContext, error: GuanxiError? = nil,
                status: HTTPResponse.Status = .ok) -> Response {
        let conflict = error?.code == "version_conflict"
        let inputs = schema.fields.map { field in
            let stored = record?.values[field.key]
            let typed = form?[field.key]
            let type = switch field.type { case .text: "text"; case .number: "number"; case .date: "date" }
            return Input(name: field.key, label: pages.label(field.key, context.locale), type: type, value: typed ?? stored ?? "", required: field.required,
                         maxLength: field.maxLength, saved: conflict && typed != nil && typed != (stored ?? "") ? (stored ?? "—") : nil)
        }
        let name = record?.values[schema.nameField] ?? ""
        let page = Page(isNew: record == nil, id: record?.id.uuidString ?? "", version: record?.version ?? 0,
                        title: record == nil ? services.localizer.text(pages.nameKey, context.locale) : name,
                        action: record.map { "\(pages.path)/\($0.id.uuidString)/edit" } ?? "\(pages.path)/new", inputs: inputs,
                        error: error.map { services.localizer.message(for: $0, context.locale) }, conflict: conflict)
        return services.renderer.render("schema-form", titleKey: pages.nameKey, page: page, context: context, status: status)
    }
}
