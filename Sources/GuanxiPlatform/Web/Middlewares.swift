import HTTPTypes
import Foundation
import Hummingbird
import Logging

/// Sets up each request: request id (echoed as `X-Request-Id`), client address,
/// language, body limit, security headers, and per-route metrics.
package struct RequestSetupMiddleware: RouterMiddleware {
    package init(config: AppConfig, localizer: Localizer, metrics: AppMetrics, errors: ErrorResponder, uploadLimits: [String: Int]) {
        self.config = config
        self.localizer = localizer
        self.metrics = metrics
        self.errors = errors
        self.uploadLimits = uploadLimits
    }
    package typealias Context = AppRequestContext
    package let config: AppConfig
    package let localizer: Localizer
    package let metrics: AppMetrics
    package let errors: ErrorResponder
    /// Routes that take larger bodies than `config.maxBodySize` (uploads), by path, with
    /// their limit; the features that own them register them.
    package let uploadLimits: [String: Int]

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID].flatMap { id in id.count <= 100 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } ? id : nil }
        let requestID = incoming ?? context.id
        context.logger[metadataKey: "request_id"] = .string(requestID)
        if config.trustProxy, let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first {
            context.address = forwarded.trimmingCharacters(in: .whitespaces)
        }
        let limit = request.method == .post ? uploadLimits[request.uri.path] ?? config.maxBodySize : config.maxBodySize
        context.maxBody = limit
        context.locale = Self.locale(request, localizer: localizer, fallback: config.defaultLocale)
        context.here = request.uri.string
        let started = ContinuousClock.now
        var response: Response
        do {
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                throw GuanxiError(.payloadTooLarge, "The request body is \(length) bytes; the limit is \(limit) bytes.")
                    .localized("msg.body_too_large", ["limit": String(limit)])
            }
            var limited = request
            limited.body = RequestBody(asyncSequence: BodyLimit(base: request.body, limit: limit))
            response = try await next(limited, context)
        } catch {
            response = errors.response(for: error, request: request, context: context)
        }
        if request.uri.path.hasPrefix("/api/") { ContentDisposition.restore(in: &response.headers) }
        response.headers[.requestID] = requestID
        SecurityHeaders.apply(to: &response.headers, https: config.publicURL?.lowercased().hasPrefix("https://") == true)
        let elapsed = ContinuousClock.now - started
        metrics.requestFinished(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                                         status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .stringConvertible(response.status.code),
            "ms": .stringConvertible(Int(elapsed / .milliseconds(1))), "address": .string(context.address),
        ])
        return response
    }

    /// Language before sign-in: the one chosen on the sign-in page (a cookie), then the
    /// browser's `Accept-Language`, then the default. A signed-in user's profile decides
    /// after that (`SessionMiddleware`).
    package static func locale(_ request: Request, localizer: Localizer, fallback: String) -> String {
        if let chosen = request.cookies["guanxi_lang"]?.value, Localizer.supported.contains(chosen) { return chosen }
        return localizer.negotiate(request.headers[.acceptLanguage], fallback: fallback)
    }
}

/// Headers every response carries. The policy allows no inline script at all.
package enum SecurityHeaders {
    package static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    /// With `https` (the public URL is one), browsers are told to use nothing else for a
    /// year (HSTS), so a network attacker cannot downgrade a later visit to plain HTTP.
    package static func apply(to headers: inout HTTPFields, https: Bool) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        if https { headers[.strictTransportSecurity] = "max-age=31536000" }
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "same-origin"
    }
}

extension HTTPField.Name {
    package static let requestID = Self("X-Request-Id")!
    package static let xForwardedFor = Self("X-Forwarded-For")!
    package static let xForwardedProto = Self("X-Forwarded-Proto")!
    package static let xFrameOptions = Self("X-Frame-Options")!
    package static let xContentTypeOptions = Self("X-Content-Type-Options")!
    package static let referrerPolicy = Self("Referrer-Policy")!
    package static let strictTransportSecurity = Self("Strict-Transport-Security")!
    package static let csrfToken = Self("X-CSRF-Token")!
    package static let rateLimitLimit = Self("X-RateLimit-Limit")!
    package static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
}
