import Foundation
import Hummingbird

/// Reads the session cookie and puts the signed-in principal on the context. Pages
/// that need a signed-in user ask `RequireSignIn`.
package struct SessionMiddleware: RouterMiddleware {
    package init(sessions: SessionStore, principals: PrincipalLoader, notifications: Notifications, errors: ErrorResponder) {
        self.sessions = sessions
        self.principals = principals
        self.notifications = notifications
        self.errors = errors
    }
    package typealias Context = AppRequestContext
    package let sessions: SessionStore
    package let principals: PrincipalLoader
    package let notifications: Notifications
    package let errors: ErrorResponder

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let cookie = request.cookies[SessionStore.cookieName]?.value, !cookie.isEmpty,
           let signedIn = try await sessions.signedIn(cookie: cookie, address: context.address, principals: principals) {
            context.session = signedIn.session
            context.principal = signedIn.principal
            // The profile's language, whatever the browser or an earlier visitor chose.
            context.locale = signedIn.principal.locale
            // Only pages draw the bell.
            if request.method == .get, !signedIn.session.awaitingSecondFactor {
                context.unreadNotifications = try await notifications.bell(signedIn.principal.userID)
            }
        }
        do {
            return try await next(request, context)
        } catch {
            // Answer here, where the session is known, so error pages keep the signed-in layout.
            return errors.response(for: error, request: request, context: context)
        }
    }
}

/// Rejects state-changing requests whose form field `_csrf` (or `X-CSRF-Token` header)
/// does not match the session's token or, before sign-in, the `guanxi_csrf` cookie.
package struct CSRFMiddleware: RouterMiddleware {
    package init() {  }
    package typealias Context = AppRequestContext
    package static let cookieName = "guanxi_csrf"

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method) else { return try await next(request, context) }
        var request = request
        let form = try await FormData.read(&request, context: context)
        let sent = request.headers[.csrfToken] ?? form["_csrf"] ?? ""
        let expected = context.session?.csrfToken ?? request.cookies[Self.cookieName]?.value ?? ""
        guard !expected.isEmpty, Secrets.constantTimeEquals(sent, expected) else {
            throw GuanxiError(.forbidden, "The form has expired or did not come from this site. Reload the page and try again.", code: "csrf_failed").localized("msg.csrf", [:])
        }
        return try await next(request, context)
    }
}

/// Pages behind sign-in. A session still waiting for its second factor, or a user who
/// must change their password, is sent to that step first.
package struct RequireSignIn: RouterMiddleware {
    package init() {  }
    package typealias Context = AppRequestContext

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let principal = context.principal, let session = context.session else { return WebRenderer.redirect(SiteURL.signIn) }
        if session.awaitingSecondFactor { return WebRenderer.redirect(SiteURL.secondFactor) }
        if principal.mustChangePassword && request.uri.path != SiteURL.passwordChange.description { return WebRenderer.redirect(SiteURL.passwordChange) }
        return try await next(request, context)
    }
}
