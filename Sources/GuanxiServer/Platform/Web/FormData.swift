import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body as a dictionary; repeated fields
/// (check boxes) are kept in `all`.
public struct FormData: Sendable {
    public var all: [String: [String]] = [:]

    public subscript(_ key: String) -> String? { all[key]?.first }

    public func values(_ key: String) -> [String] { all[key] ?? [] }

    /// Reads the form once and leaves the body in place for the handler.
    static func read(_ request: inout Request, context: AppRequestContext) async throws -> FormData {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return FormData() }
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return parse(String(buffer: buffer))
    }

    public static func parse(_ body: String) -> FormData {
        var form = FormData()
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            form.all[key, default: []].append(value)
        }
        return form
    }

    private static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}

extension Request {
    /// The form of a POST, read from the body the CSRF check already collected.
    func form(context: AppRequestContext) async throws -> FormData {
        var copy = self
        return try await FormData.read(&copy, context: context)
    }
}
