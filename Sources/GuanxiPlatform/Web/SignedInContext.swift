import Foundation
import Hummingbird

/// What the page plumbing (forms, the renderer, error pages) reads of a request, whether
/// someone is signed in or not.
public protocol PageContext: RequestContext {
    /// Who is signed in, if anyone.
    var viewer: Principal? { get }
    var session: SessionRecord? { get }
    var locale: String { get }
    /// The page asked for, path and query.
    var here: String { get }
    var address: String { get }
    /// The largest body this request may send.
    var maxBody: Int { get }
    /// The signed-in user's unread notifications (the bell).
    var unreadNotifications: Int { get }
}

extension AppRequestContext: PageContext {
    public var viewer: Principal? { principal }
}

/// A request of someone signed in (and past the second factor and any password change
/// `RequireSignIn` asks for). The pages behind sign-in are registered on a group of this
/// context, so each handler has its principal by construction instead of asking for it.
public struct SignedInContext: ChildRequestContext, PageContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal
    public let session: SessionRecord?
    public let locale: String
    public let here: String
    public let address: String
    public let maxBody: Int
    public let unreadNotifications: Int

    public init(context: AppRequestContext) throws {
        guard let principal = context.principal, context.session?.awaitingSecondFactor != true else {
            throw GuanxiError(.unauthorized, "Sign in first.")
        }
        // The parent's storage, so route parameters and the logger's request id carry over.
        coreContext = context.coreContext
        (self.principal, session, locale, here, address, maxBody) = (principal, context.session, context.locale, context.here, context.address, context.maxBody)
        unreadNotifications = context.unreadNotifications
    }

    public var viewer: Principal? { principal }
    public var maxUploadSize: Int { maxBody }
}
