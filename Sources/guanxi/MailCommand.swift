import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiPlatform

/// `guanxi mail`: the outbox from the server's shell.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Check the mail settings and the outbox; take in received mail.",
        subcommands: [MailTestCommand.self, MailReceiveCommand.self])
}

/// `guanxi mail test --to you@example.cn`: queues a test message, sends what is due right
/// away through GUANXI_SMTP_URL, and says what the mail server answered. With `--count`
/// it queues that many and reports the rates (the outbox benchmark, scripts/bench-mail.sh).
struct MailTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a test message through the configured mail server and print its answer.")
    @Option(help: "Where to send it.") var to: String
    @Option(help: "How many test messages to queue and send (for measuring).") var count = 1
    @OptionGroup var storage: StorageOptions

    func validate() throws {
        guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be from 1 to 1000000.") }
        _ = try MailAddress(to, field: "--to")
    }

    func run() async throws {
        try await runReportingErrors {
            try await Runtime.withServices(try await storage.load()) { services in
                guard services.config.mailConfigured else {
                    throw GuanxiError(.configuration, "Mail is not configured: set GUANXI_SMTP_URL and GUANXI_MAIL_FROM (see docs/operations.md, \"Mail\").")
                }
                let outbox = services.outbox
                let recipient = try MailAddress(to, field: "--to")
                let started = Date()
                var ids: [UUID] = []
                for n in 1...count {
                    let message = MailMessage(from: outbox.sender, to: recipient, subject: count == 1 ? "关系 CRM 测试邮件 / Guanxi test message" : "关系 CRM 测试邮件 \(n)/\(count)",
                                              text: "这是一封测试邮件：邮件服务器设置正确。\nThis is a test message: the mail settings work.\n", purpose: .automatic)
                    ids.append(try await outbox.queue(message, by: PrincipalLoader.console()).id)
                }
                let queued = Date()
                let sent = try await services.outboxSender.run()
                let done = Date()
                if count == 1, let entry = try await outbox.find(ids[0]) {
                    Runtime.say("\(entry.status.rawValue): \(entry.lastReply ?? "")")
                    if entry.status != .sent { throw ExitCode(1) }
                } else {
                    Runtime.say(String(format: "Queued %d in %.2f s (%.0f/s); sent %d in %.2f s (%.0f/s).", count, queued.timeIntervalSince(started),
                                       Double(count) / queued.timeIntervalSince(started), sent, done.timeIntervalSince(queued),
                                       Double(sent) / max(done.timeIntervalSince(queued), 0.001)))
                }
            }
        }
    }
}

/// `guanxi mail receive < message.eml`: takes one received message on standard input and
/// files it on the timelines of the records its addresses belong to — the convention of
/// mail gateways, so Postfix (`| guanxi mail receive`), fetchmail or getmail can hand
/// mail over. Exit codes follow sysexits, which mail servers act on: 0 taken (filed, or
/// kept for a person to look at), 65 refused for good (too large, empty: the server
/// returns it to its sender), 75 a passing fault (the server tries again later).
/// `guanxi mail receive FILE…` takes saved messages (`.eml` files, a mail archive moved
/// over from another system) one after another and reports the rate.
struct MailReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "File e-mail messages (one on standard input, or .eml files) on the matching records.")
    @Argument(help: "Saved messages to take, one per file; none: one message on standard input.") var files: [String] = []
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        do {
            try await Runtime.withServices(try await storage.load()) { services in
                let filing = MailFiling(services: services.customerFile)
                guard !files.isEmpty else {
                    let raw = try FileHandle.standardInput.readToEnd(upTo: services.inbox.largest + 1)
                    let (entry, duplicate) = try await filing.receive(raw, via: "command", by: nil)
                    Runtime.say(Self.line(entry, duplicate: duplicate))
                    return
                }
                let started = Date()
                var outcomes: [String: Int] = [:]
                for file in files {
                    let raw = try Data(contentsOf: URL(fileURLWithPath: file))
                    do {
                        let (entry, duplicate) = try await filing.receive(raw, via: "command", by: nil)
                        outcomes[duplicate ? "already received" : entry.status.rawValue, default: 0] += 1
                    } catch let error as GuanxiError where [.badRequest, .validation, .payloadTooLarge].contains(error.kind) {
                        FileHandle.standardError.write(Data("guanxi: \(file): \(error.message)\n".utf8))
                        outcomes["refused", default: 0] += 1
                    }
                }
                let seconds = Date().timeIntervalSince(started)
                Runtime.say(String(format: "Took %d messages in %.2f s (%.0f/s): ", files.count, seconds, Double(files.count) / max(seconds, 0.001))
                            + outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
        } catch let error as GuanxiError where [.badRequest, .validation, .payloadTooLarge].contains(error.kind) {
            FileHandle.standardError.write(Data("guanxi: \(error.message)\n".utf8))
            throw ExitCode(65)
        } catch {
            FileHandle.standardError.write(Data("guanxi: \((error as? GuanxiError)?.message ?? "\(error)")\n".utf8))
            throw ExitCode(75)
        }
    }

    static func line(_ entry: InboundEntry, duplicate: Bool) -> String {
        duplicate ? "already received: \(entry.id.uuidString) (\(entry.status.rawValue))"
                  : "\(entry.status.rawValue): \(entry.id.uuidString)\(entry.note.map { " — \($0)" } ?? "")"
    }
}

extension FileHandle {
    /// Everything on the handle, stopping once `limit` bytes are read (a larger message is refused anyway).
    func readToEnd(upTo limit: Int) throws -> Data {
        var data = Data()
        while data.count < limit, let chunk = try read(upToCount: min(1 << 20, limit - data.count)), !chunk.isEmpty { data.append(chunk) }
        return data
    }
}
