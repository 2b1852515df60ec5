import HTTPTypes
import Foundation
import Hummingbird
import Logging

/// Sets up each request: request id (echoed as `X-Request-Id`), client address,
/// language, body limit, security headers, and per-route metrics.
struct RequestSetupMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[.requestID].flatMap { id in id.count <= 100 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } ? id : nil }
        let requestID = incoming ?? context.id
        context.logger[metadataKey: "request_id"] = .string(requestID)
        if services.config.trustProxy, let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first {
            context.address = forwarded.trimmingCharacters(in: .whitespaces)
        }
        // Attachment and import uploads may be larger than any other request.
        let isUpload = request.method == .post && (request.uri.path == "/attachments" || request.uri.path == "/api/v1/attachments")
        let isImport = request.method == .post && (request.uri.path == "/imports" || request.uri.path == "/api/v1/imports")
        // (A form's other fields and the multipart framing come on top of the file.)
        let limit = isImport ? services.config.maxImportBytes + 65_536 : isUpload ? services.config.maxUploadBytes + 65_536 : services.config.maxBodySize
        context.maxBody = limit
        context.locale = Self.locale(request, services: services)
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
            response = ErrorResponder(services: services).response(for: error, request: request, context: context)
        }
        if request.uri.path.hasPrefix("/api/") { ContentDisposition.restore(in: &response.headers) }
        response.headers[.requestID] = requestID
        SecurityHeaders.apply(to: &response.headers, https: services.config.publicURL?.lowercased().hasPrefix("https://") == true)
        let elapsed = ContinuousClock.now - started
        services.metrics.requestFinished(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                                         status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path), "status": .stringConvertible(response.status.code),
            "ms": .stringConvertible(Int(elapsed / .milliseconds(1))), "address": .string(context.address),
        ])
        return response
    }

    /// Chosen language: explicit cookie, then the browser's `Accept-Language`, then the default.
    static func locale(_ request: Request, services: AppServices) -> String {
        if let chosen = request.cookies["guanxi_lang"]?.value, Localizer.supported.contains(chosen) { return chosen }
        return services.localizer.negotiate(request.headers[.acceptLanguage], fallback: services.config.defaultLocale)
    }
}

/// Headers every response carries. The policy allows no inline script at all.
enum SecurityHeaders {
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    /// With `https` (the public URL is one), browsers are told to use nothing else for a
    /// year (HSTS), so a network attacker cannot downgrade a later visit to plain HTTP.
    static func apply(to headers: inout HTTPFields, https: Bool) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        if https { headers[.strictTransportSecurity] = "max-age=31536000" }
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "same-origin"
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
    static let csrfToken = Self("X-CSRF-Token")!
    static let rateLimitLimit = Self("X-RateLimit-Limit")!
    static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
}
