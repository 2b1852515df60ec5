import Foundation
import Hummingbird
import GuanxiPlatform

/// The user's own profile: language, time zone, two-factor sign-in, API tokens and the
/// calendar feed address.
package struct ProfilePages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/profile")

    package let services: CustomerFileServices

    package typealias Option = WebChoice
    package struct ProfilePage {
        package let username: String
        package let displayName: String
        package let locales: [Option]
        package let timeZone: String
        package let totpEnabled: Bool
        package let totpSetup: TotpSetup?
        package let tokens: [APITokenRow]
        package let newToken: String?
        /// The calendar feed: whether one exists, and a new address (shown once).
        package let feedOn: Bool
        package let newFeedURL: String?
        package let error: String?
        package let notice: String?
    }
    package struct TotpSetup { package let secret: String; package let url: String }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/profile") { request, context in
            try await page(context, notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/profile") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            do {
                try await services.users.updateOwnProfile(principal, displayName: form["display_name"], locale: form["locale"], timeZone: form["time_zone"])
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            var response = WebRenderer.redirect(Self.url.notice("saved"))
            if let locale = form["locale"], Localizer.supported.contains(locale) {
                response.setCookie(Cookie(name: "guanxi_lang", value: locale, maxAge: 365 * 86_400, path: "/", httpOnly: true, sameSite: .lax))
            }
            return response
        }
        web.post("/profile/totp/begin") { request, context in
            let form = try await request.form(context: context)
            do {
                let setup = try await services.twoFactor.begin(for: context.principal, password: form["password"] ?? "")
                return try await page(context, totp: TotpSetup(secret: setup.secret, url: setup.url))
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.post("/profile/totp/confirm") { request, context in
            let form = try await request.form(context: context)
            do {
                try await services.twoFactor.confirm(for: context.principal, code: form["code"] ?? "")
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.text("login.error.bad_code", context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.notice("totp_on"))
        }
        web.post("/profile/totp/disable") { request, context in
            let form = try await request.form(context: context)
            do {
                try await services.twoFactor.disable(for: context.principal, password: form["password"] ?? "")
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            return WebRenderer.redirect(Self.url.notice("totp_off"))
        }
        web.post("/profile/tokens") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            let days = form["expires_in_days"].flatMap { $0.isEmpty ? nil : Int($0) }
            if let raw = form["expires_in_days"], !raw.isEmpty, days == nil {
                let error = GuanxiError.invalid("expiresInDays", "expiresInDays must be a whole number of days.").localized("msg.whole_numbers", [:])
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            do {
                let issued = try await services.tokens.issue(for: principal.userID, name: form["name"], expiresInDays: days, by: principal)
                return try await page(context, newToken: issued.token)
            } catch let error as GuanxiError where error.kind == .validation {
                return try await page(context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.post("/profile/calendar-feed") { request, context in
            let secret = try await CalendarFeed(services: services).issue(by: context.principal)
            let base = services.config.publicURL ?? "http://\(request.head.authority ?? "localhost")"
            return try await page(context, newFeedURL: "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/calendar/feed/\(secret).ics")
        }
        web.post("/profile/calendar-feed/off") { _, context in
            try await CalendarFeed(services: services).revoke(by: context.principal)
            return WebRenderer.redirect(Self.url.notice("feed_off"))
        }
        web.post("/profile/tokens/:id/revoke") { _, context in
            let id = try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("API token"))
            try await services.tokens.revoke(id, by: context.principal)
            return WebRenderer.redirect(Self.url.notice("token_revoked"))
        }
    }

    package func page(_ context: SignedInContext, totp: TotpSetup? = nil, newToken: String? = nil, newFeedURL: String? = nil, error: String? = nil,
              notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        guard let user = try await User.find(principal.userID, on: services.database.db) else { throw GuanxiError.notFound("User") }
        let format = DisplayFormat(timeZone: user.timeZone, locale: context.locale)
        let tokens = try await services.tokens.list(userID: principal.userID).map { APITokenRow($0, format: format) }
        let locales = Localizer.supported.map { Option(value: $0, label: services.localizer.text("language.\($0)", context.locale), selected: $0 == user.locale) }
        let model = ProfilePage(username: user.username, displayName: user.displayName, locales: locales, timeZone: user.timeZone,
                                totpEnabled: user.totpEnabled, totpSetup: totp, tokens: tokens, newToken: newToken,
                                feedOn: try await CalendarFeed(services: services).isOn(for: principal), newFeedURL: newFeedURL, error: error, notice: notice)
        return services.renderer.render("profile", titleKey: "profile.title", page: model, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
