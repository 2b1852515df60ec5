import Foundation

extension OutboxSender {
    /// Hands due text messages to the gateway, at most its rate a minute; marketing texts
    /// wait out the quiet hours and are checked against consent once more. Without a
    /// gateway they stay queued.
    func sendTexts(batchSize: Int) async throws -> Int {
        guard let gateway = try await texts.current() else { return 0 }
        let transport = texts.sender(for: gateway)
        let quiet = try? gateway.quietHours
        var total = 0
        while true {
            let batch = try await claim(batchSize, channel: .sms)
            if batch.isEmpty { return total }
            var lastMinute = try await sentLastMinute(["sms"])["sms", default: 0]
            for message in batch {
                let now = clock.now()
                if message.purpose == .marketing {
                    if let end = quiet?.end(around: now) {
                        try await release(message.id, until: end, reply: "waiting: quiet hours for marketing texts, until \(gateway.quietUntil)")
                        continue
                    }
                    let about = message.aboutKind.flatMap { kind in message.aboutID.map { RecordRef(kind, $0) } }
                    if let refusal = try await outbox.refusal(for: message.recipient, about: about, channel: .sms) {
                        try await finish(message.id, .skipped, reply: refusal)
                        continue
                    }
                }
                if lastMinute >= gateway.perMinute {
                    try await release(message.id, until: now.addingTimeInterval(60), reply: "waiting: \(gateway.perMinute) a minute to the gateway")
                    continue
                }
                guard let number = try? SMSNumber(message.recipient) else {
                    try await finish(message.id, .failed, reply: "not a phone number", attempt: true)
                    continue
                }
                let result = await transport.send(message.body, to: number, id: message.id)
                switch result.outcome {
                case .sent:
                    try await finish(message.id, .sent, reply: result.reply)
                    lastMinute += 1
                    total += 1
                case .temporary: try await retry(message, reply: result.reply)
                case .failed: try await finish(message.id, .failed, reply: result.reply, attempt: true)
                case .uncertain: try await finish(message.id, .uncertain, reply: result.reply, attempt: true)
                }
            }
        }
    }
}
