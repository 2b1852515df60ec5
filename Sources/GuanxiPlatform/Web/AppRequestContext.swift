import Foundation
import Hummingbird

/// What Guanxi knows about a request while handling it.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who is signed in (session or API token); nil for anonymous requests.
    public var principal: Principal?
    /// The browser session, when the request carries a live one.
    public var session: SessionRecord?
    /// The language pages are rendered in.
    public var locale = "zh-Hans"
    /// The page asked for, path and query, so a form on it (the language switch) can come
    /// back to it.
    public var here = "/"
    /// The client's network address (from the proxy header when the proxy is trusted).
    public var address = ""
    public var maxBody = 1_048_576
    /// The signed-in user's unread notifications, for the bell on every page.
    public var unreadNotifications = 0

    public init(source: Source) {
        coreContext = .init(source: source)
        address = source.channel.remoteAddress?.ipAddress ?? ""
    }

    public var maxUploadSize: Int { maxBody }
}

/// The principal of the API request being handled, for the generated OpenAPI handlers,
/// which do not see the Hummingbird context.
public enum RequestPrincipal {
    @TaskLocal public static var current: Principal?

    public static func require() throws -> Principal {
        guard let current else { throw GuanxiError(.unauthorized, "Send a personal API token as 'Authorization: Bearer <token>'.") }
        return current
    }
}
