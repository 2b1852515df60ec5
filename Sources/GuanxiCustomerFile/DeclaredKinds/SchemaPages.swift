import Foundation
import Hummingbird
import GuanxiPlatform

/// The web pages of a kind declared as data (`RecordSchema`), built from its declaration:
/// its list (search, saved views, columns, bulk actions, export, keyset paging), a record's
/// page (its fields, attachments and timeline), the form for new records and changes
/// (`SchemaForm`), and the question before a deletion. Every read and write goes through
/// `SchemaRecords`, so through the permission check, versioned and audited.
package struct SchemaPages {
    package let services: CustomerFileServices
    package let schema: RecordSchema

    package var records: SchemaRecords { SchemaRecords(schema, services: services) }
    package var kind: RecordKind { schema.kind }
    package var path: String { services.records[kind]?.path ?? "/\(kind.rawValue)" }
    package var nameKey: String { services.records[kind]?.nameKey ?? "kinds.\(kind.rawValue)" }

    package struct ListPage {
        package let title: String; let path: String; let q: String; let canCreate: Bool
        package let next: String?; let table: ListTable.Part
    }
    package struct DetailPage {
        package let id: String; let name: String; let path: String; let version: Int; let header: RecordHeader; let groups: [WebFieldGroup]; let notice: String?
        package let canEdit: Bool; let canDelete: Bool; let timeline: TimelineView.Part; let attachments: AttachmentPages.Part
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get(RouterPath(path)) { request, context in try await list(request, context) }
        SchemaForm(pages: self).register(on: web)
        web.get(RouterPath("\(path)/:id")) { request, context in
            try await detail(try id(context), context: context,
                             notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        DeletionQuestion(services: services).register(kind, on: web)
        web.post(RouterPath("\(path)/:id/delete")) { request, context in
            let form = try await request.form(context: context)
            try await records.delete(try id(context), expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            return WebRenderer.redirect(SiteURL(path))
        }
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound(kind.rawValue))
    }

    /// A field's label: `<kind>_fields.<key>` from the locale files, else the key itself.
    package func label(_ key: String, _ locale: String) -> String {
        services.localizer.known("\(kind.rawValue)_fields.\(key)", locale) ?? key
    }

    package func list(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let table = ListTable(services: services)
        if let view = q["view"], q["opened"] == nil { return try await table.open(String(view), path: path, context: context) }
        let list = SchemaList(records: records, users: services.users, localizer: services.localizer)
        let page = try await list.page(q, cursor: q["after"].map(String.init), limit: 50, for: principal)
        let columns = try await list.columns(for: page.records, principal: principal, locale: context.locale)
        let model = ListPage(
            title: services.localizer.text(nameKey, context.locale), path: path, q: q["q"].map(String.init) ?? "",
            canCreate: principal.scope(for: .create, on: kind) != nil, next: page.next,
            table: try await table.part(kind, path: path, records: page.records, title: list.title, builtIn: columns, defaults: list.defaultColumns,
                                        next: page.next, sorts: [], request: request, context: context))
        return services.renderer.render("schema-list", titleKey: nameKey, page: model, context: context)
    }

    package func detail(_ id: UUID, context: SignedInContext, notice: String?) async throws -> Response {
        let principal = context.principal
        let record = try await records.find(id, for: principal)
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let owner = try await services.users.names(of: record.ownerID.map { [$0] } ?? []).values.first ?? ""
        let fields = schema.fields.dropFirst().map { WebField(label: label($0.key, context.locale), value: record.values[$0.key] ?? "") }
            + [WebField(label: services.localizer.text("customer_fields.owner", context.locale), value: owner),
               WebField(label: services.localizer.text("lead_fields.created", context.locale), value: format.dateTime(record.createdAt))]
        let may = { (action: PermissionAction) async -> Bool in
            (try? await services.permissions.requireAccess(principal, action, on: kind, owner: record.ownerID, notFound: .notFound(kind.rawValue))) != nil
        }
        let name = record.values[schema.nameField] ?? ""
        let canEdit = await may(.update)
        let header = RecordHeader(crumbs: [.init(label: services.localizer.text(nameKey, context.locale), href: path)], title: name, facts: [], sections: [])
        let page = DetailPage(
            id: id.uuidString, name: name, path: path, version: record.version, header: header, groups: [WebFieldGroup(title: "", fields: fields)], notice: notice,
            canEdit: canEdit, canDelete: await may(.delete),
            timeline: try await TimelineView(services: services).part(of: kind, id: id, principal: principal, locale: context.locale),
            attachments: try await AttachmentPages(services: services).part(kind, id, principal: principal, locale: context.locale, canAdd: canEdit))
        return services.renderer.render("schema-record", titleKey: nameKey, page: page, context: context)
    }

    package init(services: CustomerFileServices, schema: RecordSchema) { (self.services, self.schema) = (services, schema) }
}
