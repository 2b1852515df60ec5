import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What became of one text handed to a gateway.
public struct SMSResult: Sendable, Equatable {
    public enum Outcome: Sendable { case sent, temporary, failed, uncertain }
    public var outcome: Outcome
    /// The gateway's answer (status and the start of its body), or what went wrong.
    public var reply: String
    public init(_ outcome: Outcome, _ reply: String) { (self.outcome, self.reply) = (outcome, reply) }
}

/// Somewhere text messages can be handed to: the administrator's HTTP gateway, or the
/// test gateway.
public protocol SMSTransport: Sendable {
    func send(_ message: String, to number: SMSNumber, id: UUID) async -> SMSResult
}

/// Takes every text and delivers none, saying so: for trying Guanxi out before a gateway
/// is signed up for. Messages sent through it are marked sent, with that reply.
public struct TestSMSGateway: SMSTransport {
    public init() {}
    public func send(_ message: String, to number: SMSNumber, id: UUID) async -> SMSResult {
        SMSResult(.sent, "test gateway: taken, not delivered")
    }
}

/// The administrator's gateway, over HTTP(S). Failing to reach it (refused, no such
/// host, no connection in time) leaves the message to be tried again; an answer that
/// does not come after the request went out may mean it was sent, so the message is
/// marked uncertain rather than sent twice.
public struct HTTPSMSGateway: SMSTransport {
    let settings: SMSGatewaySettings
    let client: HTTPClient
    let timeout: TimeAmount

    public init(settings: SMSGatewaySettings, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(20)) {
        (self.settings, self.client, self.timeout) = (settings, client, timeout)
    }

    public func send(_ message: String, to number: SMSNumber, id: UUID) async -> SMSResult {
        let request: SMSGatewaySettings.Request
        do { request = try settings.request(to: number, text: message, id: id) } catch {
            return SMSResult(.failed, "The gateway settings cannot make a request: \(error)")
        }
        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        if let body = request.body { http.body = .bytes(ByteBuffer(string: body)) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(http, timeout: timeout)
        } catch {
            return Self.classify(error)
        }
        let text = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
        let reply = "HTTP \(response.status.code) \(text.prefix(300))".trimmingCharacters(in: .whitespacesAndNewlines)
        let status = Int(response.status.code)
        if settings.accepted(status: status, body: text) { return SMSResult(.sent, reply) }
        // Too many requests, or the gateway's own trouble: later. Anything else the
        // gateway refused for good (a wrong key, a number it does not serve).
        return SMSResult(status == 408 || status == 429 || status >= 500 ? .temporary : .failed, reply)
    }

    /// Errors before any byte of the request could reach the gateway are worth another
    /// try; after that the gateway may have the message.
    static func classify(_ error: any Error) -> SMSResult {
        let text = String(describing: error)
        if let error = error as? HTTPClientError {
            if error == .invalidURL || error == .emptyHost || error == .emptyScheme || text.contains("unsupportedScheme") {
                return SMSResult(.failed, "The gateway address is not usable: \(text)")
            }
            if error == .connectTimeout { return SMSResult(.temporary, "The gateway could not be reached: \(text)") }
        }
        if error is NIOConnectionError { return SMSResult(.temporary, "The gateway could not be reached: \(text)") }
        if let error = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode) {
            return SMSResult(.temporary, "The gateway could not be reached: \(text)")
        }
        return SMSResult(.uncertain, "No answer from the gateway after the message went out: \(text)")
    }
}
