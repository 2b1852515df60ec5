import Foundation
import Hummingbird
import MultipartKit

/// An `application/x-www-form-urlencoded` body as a dictionary; repeated fields
/// (check boxes) are kept in `all`.
public struct FormData: Sendable {
    package init(all: [String: [String]] = [:], files: [String: [UploadedFile]] = [:]) { self.all = all; self.files = files }
    public var all: [String: [String]] = [:]
    /// Files of a `multipart/form-data` upload, by field name.
    public var files: [String: [UploadedFile]] = [:]

    public subscript(_ key: String) -> String? { all[key]?.first }

    public func values(_ key: String) -> [String] { all[key] ?? [] }

    /// Reads the form once and leaves the body in place for the handler.
    package static func read(_ request: inout Request, context: some PageContext) async throws -> FormData {
        guard let type = request.headers[.contentType]?.lowercased() else { return FormData() }
        if type.hasPrefix("multipart/form-data"), let boundary = request.headers[.contentType].flatMap(Self.boundary) {
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            return try parseMultipart(buffer, boundary: boundary)
        }
        guard type.hasPrefix("application/x-www-form-urlencoded") else { return FormData() }
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        return parse(String(buffer: buffer))
    }

    package static func boundary(_ contentType: String) -> String? {
        contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.lowercased().hasPrefix("boundary=") }
            .map { String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            .flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Text parts go into `all`, parts with a file name into `files`.
    package static func parseMultipart(_ body: ByteBuffer, boundary: String) throws -> FormData {
        var form = FormData()
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var data = ByteBuffer()
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in data.writeBuffer(&chunk) }
        parser.onPartComplete = {
            let disposition = headers["content-disposition"] ?? ""
            if let name = Self.parameter("name", in: disposition) {
                if let filename = Self.parameter("filename", in: disposition) {
                    form.files[name, default: []].append(UploadedFile(filename: filename, contentType: headers["content-type"] ?? "application/octet-stream",
                                                                      data: Data(buffer: data)))
                } else {
                    form.all[name, default: []].append(String(buffer: data))
                }
            }
            (headers, data) = ([:], ByteBuffer())
        }
        do { try parser.execute(body) } catch {
            throw GuanxiError(.badRequest, "The upload is not a well-formed multipart form.").localized("msg.bad_upload", [:])
        }
        return form
    }

    /// `name="x"` from a Content-Disposition header.
    package static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where part.lowercased().hasPrefix("\(key)=") {
            return String(part.dropFirst(key.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
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
    package func form(context: some PageContext) async throws -> FormData {
        var copy = self
        return try await FormData.read(&copy, context: context)
    }
}

/// A file sent with a form.
public struct UploadedFile: Sendable {
    public var filename: String
    public var contentType: String
    public var data: Data
}
