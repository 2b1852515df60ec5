import Foundation
import GuanxiCustomerFile
import GuanxiPlatform
import GuanxiServer
import Testing

/// The frequency cap: at most N marketing messages to one recipient in D days.
@Suite("Marketing frequency cap")
struct MarketingCapTests {
    static let from = try! MailAddress("crm@ourcompany.cn")

    @Test("Past the cap, marketing is not sent and says why; transactional mail is never capped; the period rolls on; the page sets it")
    func cap() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, client in
            let admin = try await app.admin
            let outbox = app.services.outbox
            func offer(_ to: String = "li@example.com", purpose: MailMessage.Purpose = .marketing) async throws -> OutboxEntry {
                app.clock.advance(by: 60)
                return try await outbox.queue(MailMessage(from: Self.from, to: try MailAddress(to), subject: "新品", text: "…", purpose: purpose), by: nil)
            }
            #expect(try await outbox.cap() == nil)
            try await outbox.setCap(MarketingCap(messages: 2, days: 30), by: admin)
            #expect(try await offer().status == .queued)
            #expect(try await offer().status == .queued)
            let third = try await offer()
            #expect(third.status == .skipped && third.lastReply == "frequency cap: 2 marketing messages in 30 days")
            #expect(try await offer("zhao@example.com").status == .queued)
            #expect(try await offer(purpose: .transactional).status == .queued)
            app.clock.advance(by: 31 * 86_400)
            #expect(try await offer().status == .queued)
            await #expect(throws: GuanxiError.self) { try await outbox.setCap(MarketingCap(messages: 0, days: 30), by: admin) }

            var browser = try await app.signedInBrowser(client, as: "boss")
            #expect(try await browser.get("/admin/outbox").text.contains("action=\"/admin/outbox/cap\""))
            let saved = try await browser.post("/admin/outbox/cap", ["on": "1", "messages": "3", "days": "7"])
            #expect(saved.status == .seeOther)
            #expect(try await outbox.cap() == MarketingCap(messages: 3, days: 7))
            let page = try await browser.get("/admin/outbox?notice=saved")
            #expect(page.text.contains("name=\"messages\" type=\"number\" min=\"1\" max=\"100\" value=\"3\"") && page.text.contains("已保存"))
            #expect(try await browser.post("/admin/outbox/cap", ["on": "1", "messages": "many", "days": "7"]).status == .badRequest)
            #expect(try await browser.post("/admin/outbox/cap", ["on": "1", "messages": "3", "days": "999"]).status == .badRequest)
            #expect(try await browser.post("/admin/outbox/cap", [:]).status == .seeOther)
            #expect(try await outbox.cap() == nil)
        }
    }
}
