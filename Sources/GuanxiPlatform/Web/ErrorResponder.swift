import Foundation
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// Turns any error into the answer a client expects: JSON
/// `{"error":{"code","message","field"}}` under `/api`, a page elsewhere. Unexpected
/// errors are logged and answered without internal detail.
package struct ErrorResponder: Sendable {
    package init(localizer: Localizer, renderer: WebRenderer) { self.localizer = localizer; self.renderer = renderer }
    package let localizer: Localizer
    package let renderer: WebRenderer

    package func response(for error: any Error, request: Request, context: some PageContext) -> Response {
        let problem = Self.classify(error)
        if problem.kind == .internal { context.logger.error("Request failed: \(Self.logDescription(error))") }
        if request.uri.path.hasPrefix("/api") {
            return Self.json(problem)
        }
        if problem.kind == .unauthorized { return WebRenderer.redirect(SiteURL.signIn) }
        let message = switch problem.kind {
        case .notFound: localizer.text("error.not_found", context.locale)
        case .internal: localizer.text("error.internal", context.locale)
        case .forbidden where problem.key == nil: localizer.text("error.forbidden", context.locale)
        default: localizer.message(for: problem, context.locale)
        }
        let page = ErrorPage(status: Int(problem.status.code), message: message)
        return renderer.render("error", titleKey: "error.title", page: page, context: context, status: problem.status)
    }

    package struct ErrorPage { let status: Int; let message: String }

    /// What goes into the log about a failure. The OpenAPI runtime's own description
    /// repeats the whole request, headers included, and so the caller's bearer token;
    /// only the operation and the cause are logged.
    package static func logDescription(_ error: any Error) -> String {
        if let server = error as? ServerError {
            return "\(server.operationID): \(server.causeDescription): \(String(reflecting: server.underlyingError))"
        }
        return String(reflecting: error)
    }

    package static func json(_ problem: GuanxiError) -> Response {
        var body: [String: Any] = ["code": problem.code ?? problem.kind.rawValue, "message": problem.message]
        if let field = problem.field { body["field"] = field }
        if !problem.details.isEmpty { body["details"] = problem.details }
        let data = (try? JSONSerialization.data(withJSONObject: ["error": body], options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retry = problem.retryAfter { headers[.retryAfter] = String(retry) }
        return Response(status: problem.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps every error Guanxi or its libraries raise to a `GuanxiError`.
    package static func classify(_ error: any Error) -> GuanxiError {
        if let error = error as? GuanxiError { return error }
        if let server = error as? ServerError {
            if let inner = server.underlyingError as? GuanxiError { return inner }
            if let decoding = server.underlyingError as? DecodingError { return describe(decoding) }
            if server.httpStatus.code >= 400 && server.httpStatus.code < 500 {
                return GuanxiError(.badRequest, "The request could not be read: \(server.causeDescription) \(server.underlyingError)")
            }
            return classify(server.underlyingError)
        }
        if let decoding = error as? DecodingError { return describe(decoding) }
        if error is NIOTooManyBytesError {
            return GuanxiError(.payloadTooLarge, "The request body is larger than the configured limit.").localized("msg.body_too_large_plain", [:])
        }
        if let http = error as? HTTPError {
            switch http.status {
            case .notFound: return GuanxiError(.notFound, "There is nothing at this address.")
            case .contentTooLarge: return GuanxiError(.payloadTooLarge, "The request body is larger than the configured limit.")
            case .methodNotAllowed: return GuanxiError(.badRequest, "This address does not accept that method.")
            default: return GuanxiError(http.status.code < 500 ? .badRequest : .internal, http.body ?? http.status.reasonPhrase)
            }
        }
        return GuanxiError(.internal, "Something went wrong on the server. The request id identifies it in the logs.")
    }

    package static func describe(_ error: DecodingError) -> GuanxiError {
        func path(_ keys: [any CodingKey]) -> String? {
            let parts = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? nil : parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let c):
            return GuanxiError(.validation, "\(path(c.codingPath) ?? "The body") must be of type \(type).", field: path(c.codingPath))
        case .valueNotFound(_, let c):
            return GuanxiError(.validation, "\(path(c.codingPath) ?? "A value") must not be null.", field: path(c.codingPath))
        case .keyNotFound(let key, let c):
            let field = path(c.codingPath + [key])
            return GuanxiError(.validation, "\(field ?? key.stringValue) is required.", field: field)
        case .dataCorrupted(let c):
            let detail = c.debugDescription
            if detail.contains("additional properties") {
                let names = detail.components(separatedBy: "properties:").last?.trimmingCharacters(in: .whitespaces) ?? ""
                return GuanxiError(.validation, "Unknown field(s) \(names) in \(path(c.codingPath) ?? "the body").", field: path(c.codingPath))
            }
            if c.codingPath.isEmpty { return GuanxiError(.badRequest, "The body is not valid JSON: \(detail)") }
            return GuanxiError(.validation, "\(path(c.codingPath)!) has an invalid value: \(detail)", field: path(c.codingPath))
        @unknown default:
            return GuanxiError(.badRequest, "The body could not be read.")
        }
    }
}
