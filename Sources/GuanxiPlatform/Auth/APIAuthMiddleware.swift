import Foundation
import Hummingbird

/// Authenticates `/api/v1` requests by personal API token (`Authorization: Bearer`),
/// applies the per-token rate limit, and makes the principal available to the
/// generated API handlers through `RequestPrincipal.current`.
package struct APIAuthMiddleware: RouterMiddleware {
    package init(tokens: APITokenService, rateLimiter: RateLimiter, requestsPerMinute: Int) {
        self.tokens = tokens
        self.rateLimiter = rateLimiter
        self.requestsPerMinute = requestsPerMinute
    }
    package typealias Context = AppRequestContext
    package let tokens: APITokenService
    package let rateLimiter: RateLimiter
    /// Requests each token may make per minute.
    package let requestsPerMinute: Int

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw GuanxiError(.unauthorized, "Send a personal API token as 'Authorization: Bearer <token>'.", code: "token_missing")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let principal = try await tokens.authenticate(token, address: context.address),
              case .apiToken(let tokenID) = principal.channel
        else {
            throw GuanxiError(.unauthorized, "The API token is unknown, expired or revoked, or its user is disabled.", code: "token_invalid")
        }
        let limit = requestsPerMinute
        let outcome = try await rateLimiter.hitBatched("api:\(tokenID.uuidString)", limit: limit, window: 60)
        guard outcome.allowed else {
            throw GuanxiError(.tooManyRequests, "This token has made more than \(limit) requests this minute. Retry after \(outcome.retryAfter) seconds.",
                              retryAfter: outcome.retryAfter, code: "rate_limited")
        }
        var context = context
        context.principal = principal
        var response = try await RequestPrincipal.$current.withValue(principal) {
            try await next(request, context)
        }
        response.headers[.rateLimitLimit] = String(limit)
        response.headers[.rateLimitRemaining] = String(max(0, limit - outcome.count))
        return response
    }
}
