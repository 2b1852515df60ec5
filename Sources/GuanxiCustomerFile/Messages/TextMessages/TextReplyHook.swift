import Foundation
import Hummingbird
import GuanxiPlatform

/// Where the SMS gateway hands replies over: `POST /sms/replies/<token>`, with the number
/// and the text as form fields or JSON, under the names gateways use (`from`, `mobile`,
/// `phone`, `From` …; `text`, `content`, `message`, `Body` …). The token in the address is
/// the hook's password; a wrong one gets 404, as if there were nothing there.
package struct TextReplyHook {
    static let setting = "sms.reply_token"
    static let numberFields = ["from", "From", "mobile", "phone", "sender", "msisdn", "src"]
    static let textFields = ["text", "Text", "content", "message", "Body", "body", "msg", "reply"]
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    /// The hook's token; made (audited as a secret) on the first save of the gateway.
    func token(creating: Bool, by actor: Principal) async throws -> String? {
        if let token = try await services.settings.value(Self.setting, as: String.self) { return token }
        guard creating else { return nil }
        let token = Secrets.randomToken()
        try await services.settings.set(Self.setting, to: token, by: actor, secret: true)
        return token
    }

    package func register(on router: RouterGroup<AppRequestContext>) {
        router.post("/sms/replies/:token") { request, context in
            guard let expected = try await services.settings.value(Self.setting, as: String.self),
                  Secrets.constantTimeEquals(expected, context.parameters.get("token") ?? "") else {
                throw GuanxiError.notFound("The page")
            }
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let fields = Self.fields(String(buffer: body), json: request.headers[.contentType]?.contains("json") == true)
            let number = Self.numberFields.lazy.compactMap { fields[$0] }.first
            let text = Self.textFields.lazy.compactMap { fields[$0] }.first
            do {
                let reply = try await TextReplies(services: services).receive(from: number ?? "", text: text ?? "", by: nil)
                return try WebRenderer.json(["id": reply.id.uuidString.lowercased(), "outcome": reply.outcome.rawValue])
            } catch let error as GuanxiError {
                // The gateway reads the reason in its log: JSON, not a page.
                return ErrorResponder.json(error)
            }
        }
    }

    /// Form fields or a JSON object's top-level strings.
    static func fields(_ body: String, json: Bool) -> [String: String] {
        if json {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return [:] }
            return object.compactMapValues { value in (value as? String) ?? (value as? NSNumber).map { "\($0)" } }
        }
        var out: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if parts.count == 2, out[parts[0]] == nil { out[parts[0]] = parts[1] }
        }
        return out
    }
}
