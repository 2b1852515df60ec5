import Foundation
import GuanxiAPI
import OpenAPIRuntime
import GuanxiPlatform

/// The REST API's operations on the customer file. The generated `APIProtocol` is one
/// protocol for the whole API, so each area writes its operations as an extension of its
/// own protocol (this one, or `SalesAPI` built on it), and the app's `APIHandlers`
/// conforms to them all: the operations come from these extensions, and every one calls
/// the same services as the web pages. Areas that need nothing but the customer file
/// (the analytics, imports and exports) extend this protocol too.
package protocol CustomerFileAPI: Sendable {
    var services: CustomerFileServices { get }
}

extension CustomerFileAPI {
    /// Parses an id from a path or body; a malformed one names the field.
    package static func id(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw GuanxiError.invalid(field, "\(field) is not a valid id.") }
        return id
    }

    package static func ids(_ texts: [String]?, field: String) throws -> [UUID]? {
        try texts.map { try $0.map { try id($0, field: field) } }
    }

    /// For PATCH fields where an empty string clears the value: nil = unchanged.
    package static func clearable(_ text: String?, field: String) throws -> UUID?? {
        guard let text else { return nil }
        if text.isEmpty { return .some(nil) }
        return .some(try id(text, field: field))
    }

    package static func limit(_ value: Int?) throws -> Int {
        guard let value else { return 50 }
        guard (1...200).contains(value) else { throw GuanxiError.invalid("limit", "limit must be from 1 to 200.") }
        return value
    }

    package static func etag(version: Int) -> String { "\"v\(version)\"" }

    /// Reads `"v7"` (quotes optional, weak prefix allowed) as version 7.
    package static func expectedVersion(_ header: String?) throws -> Int? {
        guard let header else { return nil }
        let text = header.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard text.hasPrefix("v"), let version = Int(text.dropFirst()) else {
            throw GuanxiError.invalid("If-Match", "If-Match must be an ETag this API returned, like \"v3\".")
        }
        return version
    }

    /// An API client that sent a stale If-Match gets 412, as HTTP prescribes.
    package static func precondition<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch var error as GuanxiError where error.code == "version_conflict" {
            error.kind = .preconditionFailed
            throw error
        }
    }

}
