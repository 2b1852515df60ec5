import Foundation
import Hummingbird
import GuanxiPlatform

/// Sign-in, the second factor, sign-out, the forced password change and the language switch.
package struct SignInPages {
    /// Where these pages are; links and redirects build on them.
    package static let login = SiteURL.signIn
    package static let password = SiteURL.passwordChange
    package static let secondFactor = SiteURL.secondFactor

    package let services: CustomerFileServices

    package struct LoginPage { package var username = ""; package var error: String?; package var canReset = false; package var notice: String? }
    package struct CodePage { package var error: String? }
    package struct PasswordPage { package var forced: Bool; package var error: String? }

    package func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/login") { request, context in
            if context.principal != nil && context.session?.awaitingSecondFactor == false { return WebRenderer.redirect(HomePages.url) }
            return loginForm(LoginPage(), request: request, context: context)
        }
        web.post("/login") { request, context in
            let form = try await request.form(context: context)
            do {
                let signedIn = try await services.login.signIn(username: form["username"] ?? "", password: form["password"] ?? "", address: context.address)
                var response = WebRenderer.redirect(signedIn.needsSecondFactor ? Self.secondFactor : HomePages.url)
                response.setCookie(sessionCookie(signedIn.cookie, request: request))
                return response
            } catch let error as GuanxiError where [.unauthorized, .tooManyRequests, .forbidden].contains(error.kind) {
                let message = services.localizer.text("login.error.\(error.code ?? "bad_credentials")", context.locale)
                return loginForm(LoginPage(username: form["username"] ?? "", error: message), request: request, context: context, status: error.status)
            }
        }
        web.get("/login/totp") { _, context in
            guard context.session?.awaitingSecondFactor == true else { return WebRenderer.redirect(Self.login) }
            return services.renderer.render("login-totp", titleKey: "login.totp_title", page: CodePage(), context: context)
        }
        web.post("/login/totp") { request, context in
            guard let session = context.session, session.awaitingSecondFactor else { return WebRenderer.redirect(Self.login) }
            let form = try await request.form(context: context)
            do {
                try await services.login.verifySecondFactor(session: session, code: form["code"] ?? "", address: context.address)
                return WebRenderer.redirect(HomePages.url)
            } catch let error as GuanxiError where error.kind == .validation {
                return services.renderer.render("login-totp", titleKey: "login.totp_title",
                                                page: CodePage(error: services.localizer.text("login.error.bad_code", context.locale)),
                                                context: context, status: .badRequest)
            }
        }
        web.post("/logout") { request, context in
            if let session = context.session { try await services.login.signOut(session: session, principal: context.principal) }
            var response = WebRenderer.redirect(Self.login)
            response.setCookie(sessionCookie("", request: request, expire: true))
            return response
        }
        web.post("/language") { request, context in
            let form = try await request.form(context: context)
            guard let chosen = try Validate.locale(form["lang"], field: "lang") else {
                throw GuanxiError.invalid("lang", "lang is required.").localized("msg.required", ["field": "lang"])
            }
            // Signed in, the language is the profile's, kept from one sign-in to the next
            // and on every device; the cookie serves the sign-in page after signing out.
            if let principal = context.principal, context.session?.awaitingSecondFactor == false {
                try await services.users.updateOwnProfile(principal, displayName: nil, locale: chosen, timeZone: nil)
            }
            let back = SiteURL(local: form["back"]) ?? (context.principal == nil ? Self.login : HomePages.url)
            var response = WebRenderer.redirect(back)
            response.setCookie(Cookie(name: "guanxi_lang", value: chosen, maxAge: 365 * 86_400, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax))
            return response
        }
        let password = web.group().add(middleware: RequireSignIn()).group(context: SignedInContext.self)
        password.get("/password") { _, context in
            services.renderer.render("password", titleKey: "password.title", page: PasswordPage(forced: context.principal.mustChangePassword), context: context)
        }
        password.post("/password") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            guard form["new_password"] == form["confirm_password"] else {
                return services.renderer.render("password", titleKey: "password.title",
                                                page: PasswordPage(forced: principal.mustChangePassword, error: services.localizer.text("password.mismatch", context.locale)),
                                                context: context, status: .badRequest)
            }
            do {
                try await services.users.changeOwnPassword(principal, current: form["current_password"] ?? "", new: form["new_password"] ?? "",
                                                           keepingSession: context.session?.id)
            } catch let error as GuanxiError where error.kind == .validation {
                return services.renderer.render("password", titleKey: "password.title",
                                                page: PasswordPage(forced: principal.mustChangePassword, error: services.localizer.message(for: error, context.locale)), context: context, status: .badRequest)
            }
            return WebRenderer.redirect(HomePages.url.notice("password_changed"))
        }
    }

    /// The sign-in form carries a CSRF token in a cookie of its own, since no session exists yet.
    package func loginForm(_ page: LoginPage, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        var page = page
        // "Forgot your password?" only where a link can be mailed.
        page.canReset = services.config.mailConfigured
        return openForm("login", titleKey: "login.title", page: page, request: request, context: context, status: status)
    }

    /// A form shown before sign-in (sign-in, forgotten password), with its CSRF cookie.
    package func openForm(_ template: String, titleKey: String, page: Any, request: Request, context: AppRequestContext,
                          status: HTTPResponse.Status = .ok) -> Response {
        let token = request.cookies[CSRFMiddleware.cookieName]?.value ?? Secrets.randomToken(bytes: 24)
        var response = services.renderer.render(template, titleKey: titleKey, page: page, context: context, status: status, csrfOverride: token)
        response.setCookie(Cookie(name: CSRFMiddleware.cookieName, value: token, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    package func sessionCookie(_ value: String, request: Request, expire: Bool = false) -> Cookie {
        Cookie(name: SessionStore.cookieName, value: value, maxAge: expire ? 0 : Int(services.config.sessionAbsoluteTimeout),
               path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax)
    }

    /// `Secure` when configured, or when a trusted proxy says the client used https.
    package func isSecure(_ request: Request) -> Bool {
        services.config.secureCookies || (services.config.trustProxy && request.headers[.xForwardedProto] == "https")
    }

    package init(services: CustomerFileServices) { self.services = services }
}
