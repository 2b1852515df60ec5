import Foundation
import Hummingbird
import GuanxiPlatform

/// Departments, teams and roles on the web.
package struct AdminOrganisationPages {
    /// Where these pages are; links and redirects build on them.
    package static let departments = SiteURL("/admin/departments")
    package static let roles = SiteURL("/admin/roles")
    package static let teams = SiteURL("/admin/teams")

    /// Departments, teams and roles, shown together to whoever may read any of them.
    package static let menu = [("/admin/departments", "nav.departments"), ("/admin/teams", "nav.teams"), ("/admin/roles", "nav.roles")].map { path, title in
        MenuEntry(path, titleKey: title, readers: .departments, .roles, .teams)
    }

    package let services: CustomerFileServices

    package typealias Choice = WebChoice
    package struct DepartmentRow { package let id: String; package let name: String; package let depth: Int; package let indent: String; package let members: Int }
    package struct DepartmentsPage { package let departments: [DepartmentRow]; package let parents: [Choice]; package let error: String?; package let canEdit: Bool }
    package struct TeamRow { package let id: String; package let name: String; package let description: String; package let members: String }
    package struct TeamsPage { package let teams: [TeamRow]; package let users: [Choice]; package let error: String?; package let canEdit: Bool }
    package struct ActionCell { package let name: String; package let label: String; package let checked: Bool }
    package struct KindRow { package let kind: String; package let label: String; package let actions: [ActionCell]; package let scopes: [Choice] }
    package struct RoleRow { package let id: String; package let name: String; package let description: String; package let summary: String }
    package struct RolesPage { package let roles: [RoleRow]; package let error: String?; package let canEdit: Bool }
    package struct RolePage {
        package let isNew: Bool; let id: String; let name: String; let description: String; let kinds: [KindRow]; let error: String?
        package let history: [AuditEntryRow]
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/departments") { _, context in try await departments(context) }
        web.post("/admin/departments") { request, context in
            let form = try await request.form(context: context)
            do {
                _ = try await services.departments.create(name: form["name"], parentID: try Validate.uuid(form["parent_id"], field: "parentId"), by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await departments(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.departments)
        }
        web.post("/admin/departments/:id/delete") { _, context in
            do {
                try await services.departments.delete(try id(context), by: context.principal)
            } catch let error as GuanxiError where error.kind == .conflict {
                return try await departments(context, error: services.localizer.message(for: error, context.locale), status: .conflict)
            }
            return WebRenderer.redirect(Self.departments)
        }
        web.get("/admin/teams") { _, context in try await teams(context) }
        web.post("/admin/teams") { request, context in
            let form = try await request.form(context: context)
            do {
                let members = try form.values("member_ids").compactMap { try Validate.uuid($0, field: "memberIds") }
                _ = try await services.teams.create(name: form["name"], description: form["description"], memberIDs: members, by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await teams(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.teams)
        }
        web.post("/admin/teams/:id/delete") { _, context in
            try await services.teams.delete(try id(context), by: context.principal)
            return WebRenderer.redirect(Self.teams)
        }
        web.get("/admin/roles") { _, context in
            let principal = context.principal
            let rows = try await services.roles.list(for: principal).map { role in
                RoleRow(id: role.id!.uuidString, name: role.name, description: role.details,
                        summary: services.localizer.list(role.grants.keys.map(\.rawValue).sorted().map { services.localizer.text("kinds.\($0)", context.locale) }, context.locale))
            }
            return services.renderer.render("admin-roles", titleKey: "roles.title",
                                            page: RolesPage(roles: rows, error: nil, canEdit: principal.scope(for: .create, on: .roles) != nil), context: context)
        }
        web.get("/admin/roles/new") { _, context in
            try services.permissions.require(context.principal, .create, on: .roles)
            return try await role(nil, context: context)
        }
        web.get("/admin/roles/:id") { _, context in
            try await role(try await services.roles.get(try id(context), for: context.principal), context: context)
        }
        web.post("/admin/roles/new") { request, context in
            let form = try await request.form(context: context)
            do {
                _ = try await services.roles.create(name: form["name"], description: form["description"], grants: try grants(form), by: context.principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await role(nil, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.roles)
        }
        web.post("/admin/roles/:id") { request, context in
            let principal = context.principal
            let roleID = try id(context)
            let form = try await request.form(context: context)
            do {
                _ = try await services.roles.update(roleID, name: form["name"], description: form["description"], grants: try grants(form), by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await role(try await services.roles.get(roleID, for: principal), context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.roles)
        }
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Record"))
    }

    /// Reads the role editor's matrix: `grant.<kind>.<action>` check boxes and `scope.<kind>`.
    package func grants(_ form: FormData) throws -> [String: Grant] {
        var out: [String: Grant] = [:]
        for kind in services.records.kinds(where: \.grantable) {
            let actions = PermissionAction.allCases.filter { form["grant.\(kind.rawValue).\($0.rawValue)"] == "on" }
            guard !actions.isEmpty else { continue }
            guard let scope = DataScope(rawValue: form["scope.\(kind.rawValue)"] ?? "") else {
                throw GuanxiError.invalid("scope.\(kind.rawValue)", "Choose a data scope for \(kind.rawValue).").localized("msg.choose_scope", [:])
            }
            out[kind.rawValue] = Grant(actions: actions, scope: scope)
        }
        return out
    }

    package func departments(_ context: SignedInContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let all = try await services.departments.list(for: principal)
        let counts = try await User.query(on: services.database.db).all().reduce(into: [UUID: Int]()) { acc, user in
            if let d = user.departmentID { acc[d, default: 0] += 1 }
        }
        var rows: [DepartmentRow] = []
        func walk(_ parent: UUID?, depth: Int) {
            for d in all where d.parentID == parent {
                rows.append(DepartmentRow(id: d.id!.uuidString, name: d.name, depth: depth, indent: String(repeating: "— ", count: depth), members: counts[d.id!] ?? 0))
                walk(d.id, depth: depth + 1)
            }
        }
        walk(nil, depth: 0)
        let parents = [Choice(value: "", label: "—", selected: true)] + rows.map { Choice(value: $0.id, label: $0.indent + $0.name, selected: false) }
        return services.renderer.render("admin-departments", titleKey: "departments.title",
                                        page: DepartmentsPage(departments: rows, parents: parents, error: error, canEdit: principal.scope(for: .create, on: .departments) != nil),
                                        context: context, status: status)
    }

    package func teams(_ context: SignedInContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        // Member names come only from users the reader may see; the others are counted.
        let users = (try? await services.users.list(for: principal, limit: 200).users) ?? []
        let names = Dictionary(uniqueKeysWithValues: users.map { ($0.id!, $0.displayName) })
        let rows = try await services.teams.list(for: principal).map { entry in
            let shown = entry.members.compactMap { names[$0] }.sorted()
            let hidden = entry.members.count - shown.count
            return TeamRow(id: entry.team.id!.uuidString, name: entry.team.name, description: entry.team.details,
                           members: services.localizer.list(shown + (hidden > 0 ? ["+\(hidden)"] : []), context.locale))
        }
        let choices = users.map { Choice(value: $0.id!.uuidString, label: "\($0.displayName) (\($0.username))", selected: false) }
        return services.renderer.render("admin-teams", titleKey: "teams.title",
                                        page: TeamsPage(teams: rows, users: choices, error: error, canEdit: principal.scope(for: .create, on: .teams) != nil),
                                        context: context, status: status)
    }

    package func role(_ role: Role?, context: SignedInContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        var history: [AuditEntry] = []
        if let id = role?.id { history = try await services.auditQuery.history(kind: .roles, id: id.uuidString, limit: 50) }
        let grants = role?.grants ?? [:]
        let kinds = services.records.kinds(where: \.grantable).map { kind in
            KindRow(kind: kind.rawValue, label: services.localizer.text("kinds.\(kind.rawValue)", context.locale),
                    actions: PermissionAction.allCases.map { ActionCell(name: $0.rawValue, label: services.localizer.text("actions.\($0.rawValue)", context.locale),
                                                                        checked: grants[kind]?.actions.contains($0) ?? false) },
                    scopes: DataScope.allCases.map { Choice(value: $0.rawValue, label: services.localizer.text("scopes.\($0.rawValue)", context.locale),
                                                            selected: (grants[kind]?.scope ?? .own) == $0) })
        }
        let page = RolePage(isNew: role == nil, id: role?.id?.uuidString ?? "", name: role?.name ?? "", description: role?.details ?? "", kinds: kinds, error: error,
                            history: try await ReadableHistory(services: services, reader: context.principal, locale: context.locale).rows(history))
        return services.renderer.render("admin-role", titleKey: role == nil ? "roles.new" : "roles.edit", page: page, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
