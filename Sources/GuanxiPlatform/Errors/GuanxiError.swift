import HTTPTypes

/// The one error type of Guanxi. It knows its HTTP status and carries a stable
/// machine-readable code, a human message and, for bad input, the field at fault.
public struct GuanxiError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badRequest = "bad_request"
        case validation = "validation_failed"
        case unauthorized = "unauthorized"
        case forbidden = "forbidden"
        case notFound = "not_found"
        case conflict = "conflict"
        /// An `If-Match` that no longer matches: the record changed since the client read it.
        case preconditionFailed = "precondition_failed"
        case payloadTooLarge = "payload_too_large"
        case tooManyRequests = "too_many_requests"
        case unavailable = "unavailable"
        case `internal` = "internal"
        case configuration = "configuration"
    }

    public var kind: Kind
    public var message: String
    public var field: String?
    /// Seconds a client should wait before retrying (429 and 503 answers).
    public var retryAfter: Int?
    /// Extra machine-readable code narrower than `kind` (for example `password_change_required`).
    public var code: String?
    /// The locale-file key of this message, and the values for its `{placeholders}`,
    /// so web pages can show it in the reader's language; `message` stays English for
    /// the API and the logs.
    public var key: String?
    public var arguments: [String: String] = [:]
    /// Machine-readable particulars a client can act on, e.g. the meetings a new one
    /// overlaps; sent as `details` in the API's error body.
    public var details: [[String: String]] = []

    public init(_ kind: Kind, _ message: String, field: String? = nil, retryAfter: Int? = nil, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
        self.retryAfter = retryAfter
        self.code = code
    }

    public var status: HTTPResponse.Status {
        switch kind {
        case .badRequest, .validation: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .preconditionFailed: .preconditionFailed
        case .payloadTooLarge: .contentTooLarge
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internal, .configuration: .internalServerError
        }
    }

    public var description: String {
        if let field { return "\(message) (field: \(field))" }
        return message
    }

    public func localized(_ key: String, _ arguments: [String: String] = [:]) -> GuanxiError {
        var copy = self
        copy.key = key
        copy.arguments = arguments
        return copy
    }

    public static func invalid(_ field: String, _ message: String) -> GuanxiError {
        GuanxiError(.validation, message, field: field)
    }

    public static func notFound(_ what: String) -> GuanxiError {
        GuanxiError(.notFound, "\(what) was not found.")
    }

    public static let forbidden = GuanxiError(.forbidden, "You do not have permission to do that.").localized("error.forbidden")
}

extension Optional {
    /// The value, or `error` when there is none: `try Customer.find(id).orThrow(.notFound("Customer"))`.
    package func orThrow(_ error: GuanxiError) throws -> Wrapped {
        guard let value = self else { throw error }
        return value
    }
}
