import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import GuanxiPlatform

/// A browser-like session over the in-process test client: keeps cookies and sends
/// forms with the page's CSRF token.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var forwardedFor: String?

    init(_ client: any TestClientProtocol, forwardedFor: String? = nil) {
        self.client = client
        self.forwardedFor = forwardedFor
    }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    mutating func get(_ path: String) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        let response = try await client.execute(uri: path, method: .get, headers: headers, body: nil)
        remember(response)
        return response
    }

    /// Posts a form; the CSRF token is taken from the last page unless given.
    mutating func post(_ path: String, _ fields: [String: String], csrf: String? = nil, accept: String? = nil) async throws -> TestResponse {
        try await post(path, pairs: fields.map { ($0.key, $0.value) }, csrf: csrf, accept: accept)
    }

    /// Posts a form whose fields may repeat (the rows picked in a list: `ids` many times).
    mutating func post(_ path: String, pairs fields: [(String, String)], csrf: String? = nil, accept: String? = nil) async throws -> TestResponse {
        var form = fields
        if !form.contains(where: { $0.0 == "_csrf" }) { form.append(("_csrf", csrf ?? lastCSRF ?? "")) }
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let accept { headers[.accept] = accept }
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    var lastCSRF: String?

    /// Posts a `multipart/form-data` form with one file, and the CSRF token of the last page.
    mutating func upload(_ path: String, _ fields: [String: String], file: (field: String, name: String, data: Data)) async throws -> TestResponse {
        let boundary = "----guanxi\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields.merging(["_csrf": lastCSRF ?? ""], uniquingKeysWith: { a, _ in a }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file.data + Data("\r\n--\(boundary)--\r\n".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        headers[.cookie] = cookieHeader
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(bytes: body))
        remember(response)
        return response
    }

    private mutating func remember(_ response: TestResponse) {
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if field.value.contains("Max-Age=0") || pair[1].isEmpty { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        let html = String(buffer: response.body)
        if let range = html.range(of: #"name="_csrf" value="([^"]*)""#, options: .regularExpression) {
            lastCSRF = String(html[range]).components(separatedBy: "value=\"")[1].dropLast().description
        }
    }

    /// Signs in through the login form; returns the response of the form post.
    @discardableResult
    mutating func signIn(_ username: String, _ password: String) async throws -> TestResponse {
        _ = try await get("/login")
        return try await post("/login", ["username": username, "password": password])
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// JSON calls to the REST API with a bearer token.
struct APIClient {
    let client: any TestClientProtocol
    let token: String?

    func call(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: "/api/v1" + path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Sends `body` as it is, with its content type (a CSV file, a vCard).
    func send(_ method: HTTPRequest.Method, _ path: String, body: String, contentType: String) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.contentType] = contentType
        return try await client.execute(uri: "/api/v1" + path, method: method, headers: headers, body: ByteBuffer(string: body))
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
    var errorBody: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    var location: String? { headers[.location] }
}
