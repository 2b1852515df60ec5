import Foundation
import Hummingbird
import GuanxiPlatform

/// The unsubscribe link of every marketing message: no sign-in, the token in the link is
/// the permission. Opening it asks first (link checkers in mail systems open links);
/// the button, or a mail program's one-click request (RFC 8058), records the "no".
package struct UnsubscribePages {
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    package struct Page { let token: String; let address: String; let subject: String; let done: Bool }

    package func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/unsubscribe/:token") { _, context in
            let (token, target) = try await find(context)
            let done = try await services.outbox.isSuppressed(target.address)
            return services.renderer.render("unsubscribe", titleKey: "unsubscribe.title",
                                            page: Page(token: token, address: target.address, subject: target.subject, done: done), context: context)
        }
    }

    /// The "no" itself, from the page's button or straight from a mail program.
    package func registerOneClick(on router: RouterGroup<AppRequestContext>) {
        router.post("/unsubscribe/:token") { _, context in
            let (token, target) = try await find(context)
            if try await !services.outbox.isSuppressed(target.address) {
                try await services.outbox.suppress(target.address, reason: "unsubscribed", source: "link in \"\(target.subject.prefix(100))\"",
                                                   by: nil, from: context.address)
                try await MarketingConsent.optOut(target.address, services: services, requester: context.address)
            }
            return services.renderer.render("unsubscribe", titleKey: "unsubscribe.title",
                                            page: Page(token: token, address: target.address, subject: target.subject, done: true), context: context)
        }
    }

    func find(_ context: AppRequestContext) async throws -> (String, (address: String, about: (kind: RecordKind, id: UUID)?, subject: String)) {
        let token = context.parameters.get("token") ?? ""
        guard let target = try await services.outbox.unsubscribing(token: token) else {
            throw GuanxiError(.notFound, "This unsubscribe link is not one Guanxi sent.").localized("unsubscribe.unknown")
        }
        return (token, target)
    }
}
