import Foundation
import Hummingbird
import GuanxiPlatform

/// "Forgot your password?" before sign-in: ask for a link, then set the new password.
package struct PasswordResetPages {
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    package struct AskPage { var username = ""; var error: String?; var sent = false }
    package struct SetPage { let token: String; var error: String? }

    var signIn: SignInPages { SignInPages(services: services) }
    var resets: PasswordResets { PasswordResets(services: services) }

    package func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/password/forgot") { request, context in
            try requireMail()
            return signIn.openForm("password-forgot", titleKey: "reset.title", page: AskPage(), request: request, context: context)
        }
        web.post("/password/forgot") { request, context in
            try requireMail()
            let form = try await request.form(context: context)
            let name = form["username"] ?? ""
            do {
                try await resets.request(name, address: context.address, links: services.outbox.links)
            } catch let error as GuanxiError where [.validation, .tooManyRequests].contains(error.kind) {
                return signIn.openForm("password-forgot", titleKey: "reset.title", page: AskPage(username: name, error: services.localizer.message(for: error, context.locale)),
                                       request: request, context: context, status: error.status)
            }
            // The same answer whether the account exists or not.
            return signIn.openForm("password-forgot", titleKey: "reset.title", page: AskPage(sent: true), request: request, context: context)
        }
        web.get("/password/reset/:token") { request, context in
            let token = context.parameters.get("token") ?? ""
            guard try await resets.user(for: token) != nil else { throw Self.linkGone }
            return signIn.openForm("password-reset", titleKey: "reset.title", page: SetPage(token: token), request: request, context: context)
        }
        web.post("/password/reset/:token") { request, context in
            let token = context.parameters.get("token") ?? ""
            let form = try await request.form(context: context)
            do {
                try await resets.complete(token, password: form["password"] ?? "", confirmation: form["confirmation"] ?? "", address: context.address)
            } catch let error as GuanxiError where error.kind == .validation {
                return signIn.openForm("password-reset", titleKey: "reset.title", page: SetPage(token: token, error: services.localizer.message(for: error, context.locale)),
                                       request: request, context: context, status: .badRequest)
            }
            return signIn.loginForm(SignInPages.LoginPage(notice: services.localizer.text("reset.done", context.locale)), request: request, context: context)
        }
    }

    func requireMail() throws {
        guard services.config.mailConfigured else { throw GuanxiError(.notFound, "Password reset by e-mail is not available: mail is not configured.").localized("reset.unavailable") }
    }

    static let linkGone = GuanxiError(.notFound, "This link has expired or was used already; ask for a new one.").localized("reset.link_gone")
}
