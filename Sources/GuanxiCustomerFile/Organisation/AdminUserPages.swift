import Foundation
import Hummingbird
import GuanxiPlatform

/// Managing users on the web: list, create, edit (department, manager, roles, active),
/// reset a password and issue an API token for someone.
package struct AdminUserPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/admin/users")

    package static let menu = MenuEntry("/admin/users", titleKey: "nav.users", readers: .users)

    package let services: CustomerFileServices

    package typealias Choice = WebChoice
    package struct UserRow { package let id: String; package let username: String; package let displayName: String; package let department: String; package let active: Bool; package let admin: Bool }
    package struct ListPage { package let users: [UserRow]; package let next: String?; package let q: String; package let canCreate: Bool }
    package struct FormPage {
        package let isNew: Bool
        package let id: String
        package let username: String
        package let displayName: String
        package let email: String
        package let active: Bool
        package let admin: Bool
        package let departments: [Choice]
        package let managers: [Choice]
        package let roles: [Choice]
        /// The user's language and time zone, which an administrator sets for a new
        /// colleague before their first sign-in.
        package let locales: [Choice]
        package let timeZone: String
        package let tokens: [APITokenRow]
        package let history: [AuditEntryRow]
        package let issuedToken: String?
        package let error: String?
        package let notice: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/users") { request, context in
            let principal = context.principal
            let q = request.uri.queryParameters["q"].map(String.init) ?? ""
            let page = try await services.users.list(for: principal, after: request.uri.queryParameters["after"].map(String.init), limit: 50, search: q)
            let names = try await departmentNames()
            let rows = page.users.map { UserRow(id: $0.id!.uuidString, username: $0.username, displayName: $0.displayName,
                                                department: $0.departmentID.flatMap { names[$0] } ?? "—", active: $0.isActive, admin: $0.isAdmin) }
            return services.renderer.render("admin-users", titleKey: "users.title",
                                            page: ListPage(users: rows, next: page.next, q: q, canCreate: principal.scope(for: .create, on: .users) != nil), context: context)
        }
        web.get("/admin/users/new") { _, context in
            try services.permissions.require(context.principal, .create, on: .users)
            return try await form(nil, context: context)
        }
        web.post("/admin/users/new") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            var new = UserService.NewUser()
            new.username = form["username"]
            new.displayName = form["display_name"]
            new.email = form["email"]
            new.password = form["password"]
            new.isAdmin = form["is_admin"] == "on"
            new.locale = form["locale"]
            new.timeZone = form["time_zone"]
            do {
                new.departmentID = try Validate.uuid(form["department_id"], field: "departmentId")
                new.managerID = try Validate.uuid(form["manager_id"], field: "managerId")
                new.roleIDs = try form.values("role_ids").compactMap { try Validate.uuid($0, field: "roleIds") }
                let user = try await services.users.create(new, by: principal)
                return WebRenderer.redirect(Self.url.appending(user.id!).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await self.form(nil, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.get("/admin/users/:id") { request, context in
            let user = try await services.users.find(try id(context), for: context.principal)
            return try await form(user, context: context, notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/admin/users/:id") { request, context in
            let principal = context.principal
            let userID = try id(context)
            let form = try await request.form(context: context)
            var changes = UserService.UserChanges()
            changes.displayName = form["display_name"]
            if (form["email"] ?? "").isEmpty { changes.clearEmail = true } else { changes.email = form["email"] }
            changes.isActive = form["is_active"] == "on"
            changes.locale = form["locale"]
            changes.timeZone = form["time_zone"]
            if principal.isAdmin { changes.isAdmin = form["is_admin"] == "on" }
            do {
                changes.departmentID = .some(try Validate.uuid(form["department_id"], field: "departmentId"))
                changes.managerID = .some(try Validate.uuid(form["manager_id"], field: "managerId"))
                if principal.scope(for: .update, on: .roles) != nil {
                    changes.roleIDs = try form.values("role_ids").compactMap { try Validate.uuid($0, field: "roleIds") }
                }
                _ = try await services.users.update(userID, changes, by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .forbidden {
                let user = try await services.users.find(userID, for: principal)
                return try await self.form(user, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.appending(userID).notice("saved"))
        }
        web.post("/admin/users/:id/password") { request, context in
            let principal = context.principal
            let userID = try id(context)
            let form = try await request.form(context: context)
            do {
                try await services.users.resetPassword(userID, to: form["password"] ?? "", by: principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await self.form(try await services.users.find(userID, for: principal), context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.appending(userID).notice("password_reset"))
        }
        web.post("/admin/users/:id/tokens/:token/revoke") { _, context in
            let principal = context.principal
            let userID = try id(context)
            let tokenID = try UUID(uuidString: context.parameters.require("token")).orThrow(.notFound("API token"))
            guard try await services.tokens.list(userID: userID).contains(where: { $0.id == tokenID }) else { throw GuanxiError.notFound("API token") }
            try await services.tokens.revoke(tokenID, by: principal)
            return WebRenderer.redirect(Self.url.appending(userID).notice("token_revoked"))
        }
        web.post("/admin/users/:id/hand-over") { request, context in
            let principal = context.principal
            let userID = try id(context)
            let form = try await request.form(context: context)
            do {
                guard let to = try Validate.uuid(form["to_user_id"], field: "toUserId") else {
                    throw GuanxiError.invalid("toUserId", "toUserId is required.").localized("msg.required", ["field": "toUserId"])
                }
                _ = try await services.handOver.handOver(from: userID, to: to, by: principal)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await self.form(try await services.users.find(userID, for: principal), context: context,
                                           error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.appending(userID).notice("handed_over"))
        }
        web.post("/admin/users/:id/token") { request, context in
            let principal = context.principal
            let userID = try id(context)
            let form = try await request.form(context: context)
            do {
                let issued = try await services.tokens.issue(for: userID, name: form["name"], expiresInDays: nil, by: principal)
                return try await self.form(try await services.users.find(userID, for: principal), context: context, token: issued.token)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await self.form(try await services.users.find(userID, for: principal), context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("User"))
    }

    package func departmentNames() async throws -> [UUID: String] {
        Dictionary(uniqueKeysWithValues: try await Department.query(on: services.database.db).all().map { ($0.id!, $0.name) })
    }

    package func form(_ user: User?, context: SignedInContext, token: String? = nil, error: String? = nil, notice: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        var roleIDs: Set<UUID> = []
        var history: [AuditEntry] = []
        var tokens: [APITokenInfo] = []
        if let id = user?.id {
            tokens = try await services.tokens.list(userID: id)
            roleIDs = Set(try await RoleAssignments(database: services.database).roleIDs(of: id))
            history = try await services.auditQuery.history(kind: .users, id: id.uuidString, limit: 50)
        }
        let none = Choice(value: "", label: "—", selected: false)
        // The choices come through the same permission check as the lists they mirror.
        let readable = { (kind: RecordKind) in principal.scope(for: .read, on: kind) != nil }
        let departments = try await (readable(.departments) ? services.departments.list(for: principal) : [])
            .map { Choice(value: $0.id!.uuidString, label: $0.name, selected: $0.id == user?.departmentID) }
        let managers = try await services.users.list(for: principal, limit: 200).users.filter { $0.id != user?.id }
            .map { Choice(value: $0.id!.uuidString, label: "\($0.displayName) (\($0.username))", selected: $0.id == user?.managerID) }
        let roles = try await (readable(.roles) ? services.roles.list(for: principal) : [])
            .map { Choice(value: $0.id!.uuidString, label: $0.name, selected: roleIDs.contains($0.id!)) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let locale = user?.locale ?? services.users.defaults.locale
        let locales = Localizer.supported.map { Choice(value: $0, label: services.localizer.text("language.\($0)", context.locale), selected: $0 == locale) }
        let page = FormPage(
            isNew: user == nil, id: user?.id?.uuidString ?? "", username: user?.username ?? "", displayName: user?.displayName ?? "",
            email: user?.email ?? "", active: user?.isActive ?? true, admin: user?.isAdmin ?? false,
            departments: [none] + departments, managers: [none] + managers, roles: roles,
            locales: locales, timeZone: user?.timeZone ?? services.users.defaults.timeZone,
            tokens: tokens.map { APITokenRow($0, format: format) },
            history: try await ReadableHistory(services: services, reader: principal, locale: context.locale).rows(history), issuedToken: token, error: error, notice: notice)
        return services.renderer.render("admin-user", titleKey: user == nil ? "users.new" : "users.edit", page: page, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
