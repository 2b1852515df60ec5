import Foundation

/// How text messages leave Guanxi, set by an administrator (Settings → Text messages):
/// the HTTP request a gateway takes, so the common Chinese SMS services (and Twilio-like
/// ones) plug in without code — the address, method, headers and body with merge fields
/// (`{{to}}`, `{{text}}`, `{{secret}}` …), and how to tell that the gateway took a message.
/// The `test` kind takes every message and delivers none: for trying Guanxi out.
public struct SMSGatewaySettings: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case http, test }
    public enum Method: String, Codable, Sendable, CaseIterable { case post = "POST", get = "GET" }
    /// How the body's fields are escaped: form fields are percent-encoded, JSON strings
    /// get JSON escapes, plain text is left as it is.
    public enum BodyFormat: String, Codable, Sendable, CaseIterable { case form, json, text }

    public var kind: Kind
    public var url: String
    public var method: Method
    public var format: BodyFormat
    /// One `Name: value` per line; values may hold merge fields (`Authorization: Basic {{secret}}`).
    public var headers: String
    public var body: String
    /// The API key or password, used as `{{secret}}`; never shown again once saved.
    public var secret: String
    /// The sender's signature, put in front of every text as 【signature】, as Chinese
    /// operators require; empty for none (or when the gateway adds it).
    public var signature: String
    /// The HTTP statuses that mean "taken": `200-299`, `200`, `200,201`.
    public var successStatus: String
    /// Text the answer must contain as well (`"code":0`), empty for none.
    public var successContains: String
    /// Messages a minute the gateway is given at most.
    public var perMinute: Int
    /// No marketing texts between these local times (`21:00`–`08:00`), empty for none.
    public var quietFrom: String
    public var quietUntil: String
    public var timeZone: String

    public init(kind: Kind = .http, url: String = "", method: Method = .post, format: BodyFormat = .form, headers: String = "",
                body: String = "mobile={{to_national}}&text={{text}}&apikey={{secret}}", secret: String = "", signature: String = "",
                successStatus: String = "200-299", successContains: String = "", perMinute: Int = 100,
                quietFrom: String = "21:00", quietUntil: String = "08:00", timeZone: String = "Asia/Shanghai") {
        (self.kind, self.url, self.method, self.format, self.headers, self.body, self.secret, self.signature) = (kind, url, method, format, headers, body, secret, signature)
        (self.successStatus, self.successContains, self.perMinute, self.quietFrom, self.quietUntil, self.timeZone) = (successStatus, successContains, perMinute, quietFrom, quietUntil, timeZone)
    }

    static let setting = "sms.gateway"
    /// The merge fields of the address, headers and body.
    public static let fields = ["to", "to_digits", "to_national", "text", "secret", "signature", "id"]

    /// Checks every field; the error names the first one that is wrong.
    public func validate() throws {
        // The rate, signature and quiet hours hold for the test gateway too: a rate of 0
        // would keep every text waiting.
        guard (1...6000).contains(perMinute) else {
            throw GuanxiError.invalid("perMinute", "perMinute must be from 1 to 6000.").localized("msg.range", ["field": "perMinute", "min": "1", "max": "6000"])
        }
        guard signature.count <= 20, !signature.contains("【"), !signature.contains("】") else {
            throw GuanxiError.invalid("signature", "signature must be at most 20 characters, without 【】.").localized("msg.sms_signature", [:])
        }
        _ = try quietHours
        if kind == .test { return }
        let known = Set(Self.fields)
        for (field, text) in [("url", url), ("headers", headers), ("body", body)] { try MergeText.check(text, field: field, fields: known) }
        let sample = try request(to: try SMSNumber("13800138000"), text: "test", id: UUID())
        guard let parts = URLComponents(string: sample.url), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""), !(parts.host ?? "").isEmpty else {
            throw GuanxiError.invalid("url", "url must be an http:// or https:// address.").localized("msg.sms_url", [:])
        }
        if method == .get, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw GuanxiError.invalid("body", "A GET request has no body: put the fields in the address.").localized("msg.sms_get_body", [:])
        }
        guard statuses != nil else {
            throw GuanxiError.invalid("successStatus", "successStatus must be HTTP statuses such as 200-299 or 200,201.").localized("msg.sms_status", [:])
        }
    }

    /// The HTTP statuses that mean "taken", nil when `successStatus` cannot be read.
    var statuses: [ClosedRange<Int>]? {
        var out: [ClosedRange<Int>] = []
        for part in successStatus.split(separator: ",") {
            let ends = part.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(ends.count), let low = ends.first!, let high = ends.last!, 100 <= low, low <= high, high <= 599 else { return nil }
            out.append(low...high)
        }
        return out.isEmpty ? nil : out
    }

    /// The quiet period, nil for none.
    public var quietHours: QuietHours? {
        get throws {
            if quietFrom.isEmpty && quietUntil.isEmpty { return nil }
            return try QuietHours(from: quietFrom, until: quietUntil, timeZone: timeZone)
        }
    }

    /// The text as it goes out: the signature in front.
    public func signed(_ text: String) -> String {
        signature.isEmpty || text.hasPrefix("【") ? text : "【\(signature)】" + text
    }

    /// One message as an HTTP request.
    public struct Request: Sendable, Equatable {
        public var method: String
        public var url: String
        public var headers: [(String, String)]
        public var body: String?
        public static func == (a: Request, b: Request) -> Bool {
            a.method == b.method && a.url == b.url && a.body == b.body && a.headers.map { [$0.0, $0.1] } == b.headers.map { [$0.0, $0.1] }
        }
    }

    /// The request that sends `text` to `number`: each field escaped for where it stands.
    public func request(to number: SMSNumber, text: String, id: UUID) throws -> Request {
        let values = ["to": number.international, "to_digits": number.digits, "to_national": number.national, "text": signed(text),
                      "secret": secret, "signature": signature, "id": id.uuidString.lowercased()]
        let encoded = { (escape: (String) -> String) in values.mapValues(escape) as [String: Any] }
        let url = try MergeText.render(self.url.trimmingCharacters(in: .whitespacesAndNewlines), encoded(Self.percentEncoded))
        var headers: [(String, String)] = []
        for line in try MergeText.render(self.headers, values).split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let colon = line.firstIndex(of: ":"), !line[..<colon].isEmpty,
                  line[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw GuanxiError.invalid("headers", "headers must be one \"Name: value\" per line.").localized("msg.sms_headers", [:])
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body: String?
        if method == .post {
            switch format {
            case .form:
                body = try MergeText.render(self.body, encoded(Self.percentEncoded))
                if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")) }
            case .json:
                body = try MergeText.render(self.body, encoded(Self.jsonEscaped))
                if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/json; charset=utf-8")) }
            case .text:
                body = try MergeText.render(self.body, values)
                if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "text/plain; charset=utf-8")) }
            }
        }
        return Request(method: method.rawValue, url: url, headers: headers, body: body)
    }

    /// Whether an answer means the gateway took the message.
    public func accepted(status: Int, body: String) -> Bool {
        (statuses ?? [200...299]).contains { $0.contains(status) } && (successContains.isEmpty || body.contains(successContains))
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUnreserved) ?? ""
    }

    /// JSON string escapes, without the quotes: the template has them.
    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        FieldChange.appendQuoted(text, to: &out)
        return String(out.dropFirst().dropLast())
    }

    /// The settings as an administrator sees them again: the secret only as "set".
    public var withoutSecret: SMSGatewaySettings { var copy = self; copy.secret = ""; return copy }
}

extension CharacterSet {
    /// RFC 3986's unreserved characters: everything else in a form field or query value is
    /// percent-encoded (`&`, `=`, `+` and every Chinese character among them).
    static let urlUnreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
