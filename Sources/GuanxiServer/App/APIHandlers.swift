import Foundation
import GuanxiAPI
import OpenAPIRuntime

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
}
