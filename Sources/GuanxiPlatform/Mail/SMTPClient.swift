import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A server's answer: its three-digit code and its text (every line of a multi-line answer).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var text: String
    public var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: try again later; 5xx: this will not work.
    public var isTemporary: Bool { (400..<500).contains(code) }
    public var description: String { "\(code) \(text)" }
}

/// Why a conversation with the mail server stopped. `temporary` failures (no answer, a
/// dropped connection, a 4xx reply) are retried later; the others need a person.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var temporary: Bool
    /// The whole text was handed over and the server's verdict never came: it may have arrived.
    public var afterText = false
    public var description: String { message }
    init(_ message: String, temporary: Bool) { (self.message, self.temporary) = (message, temporary) }
}

/// The SMTP client of the outbox (RFC 5321), on SwiftNIO: TLS from the start or by
/// STARTTLS, AUTH PLAIN or LOGIN, then any number of messages on one connection.
/// Messages are sent as 7-bit text (`MessageWriter` encodes everything), so no
/// extension beyond STARTTLS and AUTH is needed.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    let tls: NIOSSLContext?
    /// The name this machine gives itself in `EHLO`.
    let clientName: String

    public init(settings: SMTPSettings) throws {
        self.settings = settings
        if settings.security == .off {
            tls = nil
        } else {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let file = settings.caFile { configuration.trustRoots = .file(file) }
            tls = try NIOSSLContext(configuration: configuration)
        }
        let host = ProcessInfo.processInfo.hostName
        clientName = host.contains(".") ? host : "guanxi.localdomain"
    }

    /// Opens a connection, says hello, secures and signs in, runs `body`, then says goodbye.
    public func withSession<T: Sendable>(_ body: (SMTPSession) async throws -> T) async throws -> T {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(Int64(min(settings.timeout, 30))))
                .connect(host: settings.host, port: settings.port) { [tls, settings] channel in
                    channel.eventLoop.makeCompletedFuture {
                        if settings.security == .implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(settings.host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError("Cannot connect to the mail server \(settings.host):\(settings.port): \(error)", temporary: true)
        }
        return try await channel.executeThenClose { inbound, outbound in
            let session = SMTPSession(channel: channel.channel, lines: inbound.makeAsyncIterator(), outbound: outbound, timeout: settings.timeout)
            try await session.expect(220, "greeting")
            var features = try await session.hello(clientName)
            var secure = settings.security == .implicitTLS
            if !secure, settings.security != .off {
                if features.contains("STARTTLS"), let tls {
                    try await session.command("STARTTLS", expect: 220)
                    // TLS goes in front of the line reader: from here on every byte is encrypted.
                    let pipeline = channel.channel.pipeline
                    try await channel.channel.eventLoop.submit {
                        try pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(settings.host)), position: .first)
                    }.get()
                    secure = true
                    features = try await session.hello(clientName)
                } else if settings.security == .starttlsRequired {
                    throw SMTPError("The mail server \(settings.host) does not offer STARTTLS, and GUANXI_SMTP_URL requires it (add ?starttls=optional to send in plain text).",
                                    temporary: false)
                }
            }
            if let user = settings.username, let password = settings.password {
                // A password crosses the network only encrypted, or to this machine itself.
                guard secure || ["localhost", "127.0.0.1", "::1"].contains(settings.host) else {
                    throw SMTPError("The connection to \(settings.host) is not encrypted; Guanxi does not send the mail password in plain text.", temporary: false)
                }
                try await session.signIn(user: user, password: password, offered: features)
            }
            let result = try await body(session)
            try? await session.command("QUIT", expect: 221)
            return result
        }
    }

    /// TLS names the server it expects by host name only; an address is checked by the certificate chain alone.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." }) || host.contains(":") ? nil : host
    }
}

/// One signed-in conversation with the mail server. Used by one task at a time.
public final class SMTPSession {
    let channel: Channel
    var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let timeout: TimeInterval

    init(channel: Channel, lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, timeout: TimeInterval) {
        (self.channel, self.lines, self.outbound, self.timeout) = (channel, lines, outbound, timeout)
    }

    /// Hands one message over. The answer to the end of its text tells whether the server
    /// took it; a refused sender or recipient comes back the same way, and the session
    /// stays usable for the next message.
    public func send(from: String, to: String, message: String) async throws -> SMTPReply {
        for (line, step) in [("MAIL FROM:<\(from)>", "sender"), ("RCPT TO:<\(to)>", "recipient")] {
            let reply = try await exchange(line)
            guard reply.isPositive else {
                try? await command("RSET", expect: 250)
                return SMTPReply(code: reply.code, text: "\(step) refused: \(reply.text)")
            }
        }
        let ready = try await exchange("DATA")
        guard ready.code == 354 else {
            try? await command("RSET", expect: 250)
            return ready
        }
        var text = message.hasSuffix("\r\n") ? message : message + "\r\n"
        // Dot-stuffing (RFC 5321 §4.5.2): a line that starts with "." gets a second one.
        if text.hasPrefix(".") { text = "." + text }
        text = text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        try await write(text + ".\r\n")
        do {
            // The server may scan the whole message before answering; allow it four times as long.
            return try await reply(waiting: timeout * 4)
        } catch var error as SMTPError {
            error.afterText = true
            throw error
        }
    }

    func hello(_ name: String) async throws -> Set<String> {
        let reply = try await exchange("EHLO \(name)")
        guard reply.code == 250 else { throw SMTPError("The mail server refused EHLO: \(reply)", temporary: reply.isTemporary) }
        var features = Set<String>()
        for line in reply.text.split(separator: "\n").dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let keyword = words.first else { continue }
            features.insert(keyword)
            if keyword == "AUTH" { for mechanism in words.dropFirst() { features.insert("AUTH=\(mechanism)") } }
        }
        return features
    }

    func signIn(user: String, password: String, offered: Set<String>) async throws {
        let reply: SMTPReply
        if offered.contains("AUTH=PLAIN") || !offered.contains("AUTH=LOGIN") {
            let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            reply = try await exchange("AUTH PLAIN \(token)")
        } else {
            var step = try await exchange("AUTH LOGIN")
            for answer in [user, password] where step.code == 334 {
                step = try await exchange(Data(answer.utf8).base64EncodedString())
            }
            reply = step
        }
        guard reply.code == 235 else {
            throw SMTPError("The mail server did not accept the user name and password: \(reply)", temporary: reply.isTemporary)
        }
    }

    func command(_ line: String, expect code: Int) async throws {
        let reply = try await exchange(line)
        guard reply.code == code else { throw SMTPError("The mail server answered \(line.split(separator: " ")[0]) with \(reply)", temporary: reply.isTemporary) }
    }

    func expect(_ code: Int, _ what: String) async throws {
        let reply = try await reply(waiting: timeout)
        guard reply.code == code else { throw SMTPError("The mail server's \(what) was \(reply)", temporary: reply.isTemporary || reply.code == 554) }
    }

    func exchange(_ line: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await reply(waiting: timeout)
    }

    func write(_ text: String) async throws {
        do { try await outbound.write(ByteBuffer(string: text)) } catch {
            throw SMTPError("The connection to the mail server broke while sending: \(error)", temporary: true)
        }
    }

    /// Reads one reply, joining the lines of a multi-line one ("250-…" then "250 …").
    /// When the server is silent for `seconds`, the connection is closed and the wait ends.
    func reply(waiting seconds: TimeInterval) async throws -> SMTPReply {
        let timedOut = NIOLockedValueBox(false)
        let watchdog = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { [channel] in
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        var texts: [String] = []
        while true {
            let next: ByteBuffer?
            do { next = try await lines.next() } catch {
                if timedOut.withLockedValue({ $0 }) { throw SMTPError("The mail server did not answer within \(Int(seconds)) seconds.", temporary: true) }
                throw SMTPError("The connection to the mail server failed: \(error)", temporary: true)
            }
            guard let buffer = next else {
                if timedOut.withLockedValue({ $0 }) { throw SMTPError("The mail server did not answer within \(Int(seconds)) seconds.", temporary: true) }
                throw SMTPError("The mail server closed the connection.", temporary: true)
            }
            let line = String(buffer: buffer)
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                throw SMTPError("The mail server sent something that is not an SMTP reply: \(line.prefix(200))", temporary: true)
            }
            texts.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return SMTPReply(code: code, text: texts.joined(separator: "\n")) }
        }
    }
}

/// Splits the server's answers into lines, without their CRLF. A line longer than any
/// real SMTP reply (RFC 5321 allows 512 bytes) ends the conversation.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 8192 { throw SMTPError("The mail server sent a line longer than 8 KB.", temporary: true) }
            return .needMoreData
        }
        var line = buffer.readSlice(length: end - buffer.readerIndex + 1)!
        line.moveWriterIndex(to: line.writerIndex - 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
