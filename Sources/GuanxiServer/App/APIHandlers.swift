import Foundation
import GuanxiAPI
import OpenAPIRuntime
import GuanxiPlatform

/// Implements the generated `APIProtocol`. Each business area adds its operations in
/// an extension in its own folder; all of them call the same services as the web pages.
struct APIHandlers: APIProtocol {
    let services: AppServices

    /// Parses an id from a path or body; a malformed one names the field.
    static func id(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw GuanxiError.invalid(field, "\(field) is not a valid id.") }
        return id
    }

    static func ids(_ texts: [String]?, field: String) throws -> [UUID]? {
        try texts.map { try $0.map { try id($0, field: field) } }
    }

    /// For PATCH fields where an empty string clears the value: nil = unchanged.
    static func clearable(_ text: String?, field: String) throws -> UUID?? {
        guard let text else { return nil }
        if text.isEmpty { return .some(nil) }
        return .some(try id(text, field: field))
    }

    static func limit(_ value: Int?) throws -> Int {
        guard let value else { return 50 }
        guard (1...200).contains(value) else { throw GuanxiError.invalid("limit", "limit must be from 1 to 200.") }
        return value
    }

    static func etag(version: Int) -> String { "\"v\(version)\"" }

    /// Reads `"v7"` (quotes optional, weak prefix allowed) as version 7.
    static func expectedVersion(_ header: String?) throws -> Int? {
        guard let header else { return nil }
        let text = header.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard text.hasPrefix("v"), let version = Int(text.dropFirst()) else {
            throw GuanxiError.invalid("If-Match", "If-Match must be an ETag this API returned, like \"v3\".")
        }
        return version
    }

    /// An API client that sent a stale If-Match gets 412, as HTTP prescribes.
    static func precondition<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var error as GuanxiError where error.code == "version_conflict" {
            error.kind = .preconditionFailed
            throw error
        }
    }

}
