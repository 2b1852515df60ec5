import Foundation
import GuanxiPlatform

/// A text sent straight through the gateway from its settings page, so the administrator
/// sees the gateway's answer at once instead of waiting for the outbox; audited.
struct TextGatewayTest {
    let services: CustomerFileServices

    func send(to number: SMSNumber, through gateway: SMSGatewaySettings, by actor: Principal) async throws -> SMSResult {
        let result = await services.textGateways.sender(for: gateway).send("关系 CRM 测试短信 / Guanxi test message", to: number, id: UUID())
        try await services.database.db.transaction { db in
            try await services.audit.record(on: db, actor: actor, action: .update, kind: .settings, id: "sms.gateway", label: "sms.gateway",
                                            changes: [FieldChange(field: "test_message", old: nil, new: "\(number.international): \(result.reply.prefix(200))")])
        }
        return result
    }
}
