import Foundation
import GuanxiCustomerFile
import GuanxiPlatform
import GuanxiServer
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// Text messages (SMS): numbers as people type them, the administrator's HTTP gateway
/// (request built and escaped, answers read), quiet hours, consent, sending through the
/// outbox to a real HTTP gateway, mail merges of SMS templates, and replies.
@Suite("Text messages")
struct TextMessageTests {
    @Test("Mobile numbers typed every way become one international form; other text is refused with the field named")
    func numbers() throws {
        for typed in ["138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "(+86) 138 0013 8000"] {
            let number = try SMSNumber(typed)
            #expect(number.international == "+8613800138000" && number.national == "13800138000")
            #expect(number.storedForms == ["8613800138000", "13800138000", "013800138000", "008613800138000"])
        }
        #expect(try SMSNumber("+44 7700 900123").international == "+447700900123")
        #expect(try SMSNumber("+44 7700 900123").national == "447700900123")
        for bad in ["", "abc", "138-0013-800a", "12", "+8613800138000123456"] {
            #expect(throws: GuanxiError.self) { try SMSNumber(bad, field: "test_to") }
        }
        #expect((try? SMSNumber("短信")) == nil)
    }

    @Test("The gateway's request is built from its settings, each field escaped for where it stands; its answers are read by the success rule")
    func requests() throws {
        let id = UUID(uuidString: "0193A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B")!
        let form = SMSGatewaySettings(url: "https://sms.example.cn/v2/send?app={{signature}}", body: "apikey={{secret}}&mobile={{to_national}}&text={{text}}",
                                      secret: "k&y=1", signature: "关系")
        let sent = try form.request(to: try SMSNumber("13800138000"), text: "王总您好：5折 & 包邮+", id: id)
        #expect(sent.method == "POST" && sent.url == "https://sms.example.cn/v2/send?app=%E5%85%B3%E7%B3%BB")
        #expect(sent.body == "apikey=k%26y%3D1&mobile=13800138000&text=%E3%80%90%E5%85%B3%E7%B3%BB%E3%80%91%E7%8E%8B%E6%80%BB%E6%82%A8%E5%A5%BD%EF%BC%9A5%E6%8A%98%20%26%20%E5%8C%85%E9%82%AE%2B")
        #expect(sent.headers.map { "\($0.0): \($0.1)" } == ["Content-Type: application/x-www-form-urlencoded; charset=utf-8"])

        var json = SMSGatewaySettings(url: "https://api.example.com/messages", format: .json, headers: "Authorization: Bearer {{secret}}\nX-Ref: {{id}}",
                                      body: #"{"to":"{{to}}","text":"{{text}}"}"#, secret: "s3cret", successContains: "\"code\":0")
        let posted = try json.request(to: try SMSNumber("+44 7700 900123"), text: "He said \"hi\"\nbye\\", id: id)
        #expect(posted.body == #"{"to":"+447700900123","text":"He said \"hi\"\nbye\\"}"#)
        #expect(posted.headers.map { "\($0.0): \($0.1)" } == ["Authorization: Bearer s3cret", "X-Ref: 0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                                                             "Content-Type: application/json; charset=utf-8"])
        #expect(json.accepted(status: 200, body: #"{"code":0,"msg":"OK"}"#))
        #expect(!json.accepted(status: 200, body: #"{"code":2,"msg":"号码无效"}"#))
        #expect(!json.accepted(status: 401, body: #"{"code":0}"#))
        json.successStatus = "200,202-204"
        #expect(json.accepted(status: 203, body: #"{"code":0}"#) && !json.accepted(status: 201, body: #"{"code":0}"#))

        let get = SMSGatewaySettings(url: "http://gw.example.cn/send?u=crm&p={{secret}}&m={{to_digits}}&c={{text}}", method: .get, body: "", secret: "p w")
        let query = try get.request(to: try SMSNumber("13800138000"), text: "测试", id: id)
        #expect(query.url == "http://gw.example.cn/send?u=crm&p=p%20w&m=8613800138000&c=%E6%B5%8B%E8%AF%95" && query.body == nil)

        // Settings that cannot work are refused, naming the field.
        func refusal(_ change: (inout SMSGatewaySettings) -> Void) -> String? {
            var settings = SMSGatewaySettings(url: "https://sms.example.cn/send")
            change(&settings)
            do { try settings.validate(); return nil } catch { return (error as? GuanxiError)?.field }
        }
        #expect(refusal { _ in } == nil)
        #expect(refusal { $0.url = "ftp://sms.example.cn" } == "url")
        #expect(refusal { $0.url = "" } == "url")
        #expect(refusal { $0.body = "text={{txt}}" } == "body")
        #expect(refusal { $0.method = .get } == "body")
        #expect(refusal { $0.headers = "no colon here" } == "headers")
        #expect(refusal { $0.successStatus = "2xx" } == "successStatus")
        #expect(refusal { $0.perMinute = 0 } == "perMinute")
        #expect(refusal { $0.signature = "【关系】" } == "signature")
        #expect(refusal { $0.quietFrom = "25:00" } == "quietFrom")
        #expect(refusal { $0.quietUntil = "21:00" } == "quietUntil")
        #expect(refusal { $0.timeZone = "Mars/Olympus" } == "timeZone")
        #expect(refusal { ($0.quietFrom, $0.quietUntil) = ("", "") } == nil)
        #expect(refusal { ($0.kind, $0.url, $0.perMinute) = (.test, "", 0) } == "perMinute")
        #expect(refusal { ($0.kind, $0.url) = (.test, "") } == nil)
    }

    @Test("Quiet hours hold a text until they end, across midnight and within a day, in their time zone")
    func quietHours() throws {
        let night = try QuietHours(from: "21:00", until: "08:00", timeZone: "Asia/Shanghai")
        let at = { (text: String) in ISO8601DateFormatter().date(from: text)! }
        #expect(night.end(around: at("2026-12-05T14:30:00Z")) == at("2026-12-06T00:00:00Z"))   // 22:30 → 08:00 next day
        #expect(night.end(around: at("2026-12-05T19:00:00Z")) == at("2026-12-06T00:00:00Z"))   // 03:00 → 08:00 the same day
        #expect(night.end(around: at("2026-12-05T04:00:00Z")) == nil)                          // 12:00
        let lunch = try QuietHours(from: "12:00", until: "13:30", timeZone: "Europe/London")
        #expect(lunch.end(around: at("2026-12-05T12:15:00Z")) == at("2026-12-05T13:30:00Z"))
        #expect(lunch.end(around: at("2026-12-05T13:30:00Z")) == nil)
    }

    @Test("Texts go through the outbox to a real HTTP gateway: consent, signature and opt-out line, quiet hours, refusals, retries; a merge of an SMS template reaches each mobile once")
    func sending() async throws {
        let gateway = try SMSTestGateway()
        defer { gateway.stop() }
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let services = app.services.customerFile
            try await services.textGateways.save(SMSGatewaySettings(url: "http://127.0.0.1:\(gateway.port)/send",
                                                                    body: "apikey={{secret}}&mobile={{to_national}}&text={{text}}", secret: "test-key",
                                                                    signature: "星辰", successContains: "\"code\": 0"), by: admin)
            // The secret is kept apart and never written into the audit trail.
            #expect(try await services.textGateways.current()?.secret == "test-key")
            #expect(try await app.auditEntries(kind: .settings).allSatisfy { !$0.changes.contains { ($0.new ?? "").contains("test-key") } })

            func customer(_ name: String, phone: String?, optedOut: Bool = false) async throws -> UUID {
                var input = CustomerInput()
                (input.name, input.phone) = (name, phone)
                if optedOut { input.consent[.sms] = ("opted_out", "电话里说的") }
                app.clock.advance(by: 1)
                return try await app.services.customers.create(input, by: admin).id!
            }
            let xingchen = try await customer("星辰科技", phone: "138 0013 8000")
            let yueliang = try await customer("月亮湾贸易", phone: "139 0000 0001", optedOut: true)
            let nophone = try await customer("无号码公司", phone: nil)
            let refused = try await customer("号码无效公司", phone: "139 0000 0400")
            let busy = try await customer("网关繁忙公司", phone: "139 0000 0500")
            let again = try await customer("星辰科技（重复）", phone: "+86 13800138000")
            let template = try await app.services.messageTemplates.create(MailMergeTests.template("双十二", channel: "sms", subject: nil,
                                                                                                   body: "{{customer.name}}您好，双十二全场5折&包邮"), by: admin)
            let merges = MailMerge(services: services)
            let merge = try await merges.start(template: template.id, source: .records(kind: .customers, ids: [xingchen, yueliang, nophone, refused, busy, again]),
                                               label: "6 家客户", by: admin)
            try await merges.run(merge.id, by: admin)
            let rows = try await app.services.outbox.list(batch: merge.id, limit: 10)
            func row(_ id: UUID) throws -> OutboxEntry { try #require(rows.first { $0.aboutID == id }) }
            #expect(rows.allSatisfy { $0.channel == .sms })
            #expect(try row(xingchen).status == .queued && row(xingchen).recipient == "+8613800138000")
            #expect(try row(yueliang).status == .skipped && row(yueliang).lastReply == "no consent: 月亮湾贸易 opted out of text messages")
            #expect(try row(nophone).status == .skipped && row(nophone).lastReply == "no mobile number")
            #expect(try row(again).lastReply == "the same address as another recipient of this merge")
            #expect(try await app.services.outbox.text(of: try row(xingchen).id) == "星辰科技您好，双十二全场5折&包邮 回T退订")

            // 22:13 in Shanghai: the marketing texts wait for the end of the quiet hours.
            #expect(try await app.services.outboxSender.run() == 0)
            #expect(try await app.services.outbox.find(try row(xingchen).id)?.lastReply == "waiting: quiet hours for marketing texts, until 08:00")
            #expect(try gateway.received().isEmpty)
            // A transactional text goes at once.
            _ = try await app.services.outbox.queue(TextMessage(to: try SMSNumber("13800138000"), text: "您的验证码是 2468", purpose: .transactional), by: admin)
            #expect(try await app.services.outboxSender.run() == 1)
            #expect(try gateway.received().last?.body == "apikey=test-key&mobile=13800138000&text=%E3%80%90%E6%98%9F%E8%BE%B0%E3%80%91%E6%82%A8%E7%9A%84%E9%AA%8C%E8%AF%81%E7%A0%81%E6%98%AF%202468")

            // 08:13: sent, refused for good, or tried again later.
            app.clock.advance(by: 10 * 3600)
            #expect(try await app.services.outboxSender.run() == 1)
            let sent = try #require(try await app.services.outbox.find(try row(xingchen).id))
            #expect(sent.status == .sent && sent.lastReply?.hasPrefix("HTTP 200 {\"code\": 0") == true)
            let text = try #require(try gateway.received().last { $0.body.contains("mobile=13800138000&") })
            #expect(text.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8")
            #expect(text.body.removingPercentEncoding == "apikey=test-key&mobile=13800138000&text=【星辰】星辰科技您好，双十二全场5折&包邮 回T退订")
            let no = try #require(try await app.services.outbox.find(try row(refused).id))
            #expect(no.status == .failed && no.lastReply?.contains("号码无效") == true && no.attempts == 1)
            let later = try #require(try await app.services.outbox.find(try row(busy).id))
            #expect(later.status == .queued && later.attempts == 1 && later.lastReply?.hasPrefix("HTTP 500") == true)
            #expect(try await merges.find(merge.id, for: admin).total == 6)

            // Consent withdrawn after queuing is checked again before sending.
            app.clock.advance(by: 120)
            var change = CustomerInput()
            change.consent[.sms] = ("opted_out", "客户来电")
            _ = try await app.services.customers.update(busy, change, expectedVersion: nil, by: admin)
            _ = try await app.services.outboxSender.run()
            #expect(try await app.services.outbox.find(try row(busy).id)?.status == .skipped)
        }
    }

    @Test("With no gateway texts wait in the outbox; the test gateway takes them without delivering; the gateway's hook refuses a wrong token")
    func noGateway() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let entry = try await app.services.outbox.queue(TextMessage(to: try SMSNumber("13800138000"), text: "您好", purpose: .transactional), by: admin)
            #expect(try await app.services.outboxSender.run() == 0)
            #expect(try await app.services.outbox.find(entry.id)?.status == .queued)
            try await app.services.customerFile.textGateways.save(SMSGatewaySettings(kind: .test), by: admin)
            #expect(try await app.services.outboxSender.run() == 1)
            #expect(try await app.services.outbox.find(entry.id)?.lastReply == "test gateway: taken, not delivered")
            let wrong = try await client.execute(uri: "/sms/replies/not-the-token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: "from=13800138000&text=T"))
            #expect(wrong.status == .notFound)
        }
    }

    @Test("On the web: the administrator sets the gateway up (refused with the reason, typed values kept, the secret never shown), tests it, and gives the provider the replies hook; replies are filed, opt out, or wait unmatched")
    func pagesAndReplies() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var browser = Browser(client)
            try await browser.signIn("admin", TestApp.adminPassword)
            let empty = try await browser.get("/admin/sms")
            #expect(empty.status == .ok && empty.text.contains("尚未设置短信网关") && !empty.text.contains("reply-url"))
            var fields = ["kind": "http", "url": "ftp://sms.example.cn/send", "method": "POST", "format": "form", "headers": "",
                          "body": "apikey={{secret}}&mobile={{to_national}}&text={{text}}", "secret": "key-123", "signature": "星辰",
                          "success_status": "200-299", "success_contains": "", "per_minute": "100", "quiet_from": "21:00", "quiet_until": "08:00",
                          "time_zone": "Asia/Shanghai"]
            let wrong = try await browser.post("/admin/sms", fields)
            #expect(wrong.status == .badRequest && wrong.text.contains("地址必须以 http:// 或 https:// 开头") && wrong.text.contains("value=\"ftp://sms.example.cn/send\""))
            #expect(!wrong.text.contains("key-123"))
            fields["url"] = "https://sms.example.cn/send"
            #expect(try await browser.post("/admin/sms", fields).status == .seeOther)
            let saved = try await browser.get("/admin/sms?notice=saved")
            #expect(saved.text.contains("已保存——留空则保持不变") && !saved.text.contains("key-123"))
            // Saved again without a secret: the stored one stays.
            fields["secret"] = ""
            fields["kind"] = "test"
            #expect(try await browser.post("/admin/sms", fields).status == .seeOther)
            #expect(try await app.services.customerFile.textGateways.current()?.secret == "key-123")
            let tested = try await browser.post("/admin/sms/test", ["to": "138 0013 8000"])
            #expect(tested.text.contains("网关已接收：test gateway: taken, not delivered"))
            let badNumber = try await browser.post("/admin/sms/test", ["to": "一三八"])
            #expect(badNumber.status == .badRequest && badNumber.text.contains("不是手机号码"), "\(badNumber.text.components(separatedBy: "alert").dropFirst().first?.prefix(200) ?? "")")
            let page = try await browser.get("/admin/sms")
            let hook = try #require(page.text.range(of: "<code class=\"reply-url\">").map { page.text[$0.upperBound...].prefix { $0 != "<" } })
            let path = String(hook.dropFirst("http://127.0.0.1:8080".count))
            #expect(path.hasPrefix("/sms/replies/") && path.count > 40)

            // Replies: a person before the company, an opt-out, a stranger.
            var company = CustomerInput()
            (company.name, company.phone) = ("星辰科技", "13800138000")
            let xingchen = try await app.services.customers.create(company, by: admin).id!
            var person = ContactInput()
            (person.name, person.customerID, person.phones) = ("王伟", .some(xingchen), [ContactChannel(kind: .phone, value: "+86 138 0013 8000")])
            let wang = try await app.services.contacts.create(person, by: admin).id!
            func post(_ body: String, json: Bool = false) async throws -> (HTTPResponse.Status, String) {
                let response = try await client.execute(uri: path, method: .post, headers: [.contentType: json ? "application/json" : "application/x-www-form-urlencoded"],
                                                        body: ByteBuffer(string: body))
                return (response.status, String(buffer: response.body))
            }
            let filed = try await post("from=%2B8613800138000&text=%E5%A5%BD%E7%9A%84%EF%BC%8C%E6%98%8E%E5%A4%A9%E8%A7%81")
            #expect(filed.0 == .ok && filed.1.contains("\"outcome\":\"filed\""))
            var filter = ActivityFilter()
            filter.about = (.contacts, wang)
            let activities = try await app.services.customerFile.activityQuery.list(filter, for: admin).activities
            #expect(activities.map(\.kind) == ["sms"] && activities.first?.subject == "好的，明天见" && activities.first?.status == "done")
            app.clock.advance(by: 1)
            let stop = try await post(#"{"mobile": "13800138000", "content": " TD "}"#, json: true)
            #expect(stop.1.contains("\"outcome\":\"opted_out\""))
            let customer = try await app.services.customers.find(xingchen, for: admin)
            #expect(customer.consent(.sms).status == .optedOut && customer.consent(.sms).via == "text reply")
            #expect(try await app.services.outbox.isSuppressed("+8613800138000"))
            let blocked = try await app.services.outbox.queue(TextMessage(to: try SMSNumber("13800138000"), text: "促销", purpose: .marketing), by: admin)
            #expect(blocked.status == .skipped && blocked.lastReply == "suppressed: replied TD")
            app.clock.advance(by: 1)
            #expect(try await post("from=13912345678&text=who").1.contains("\"outcome\":\"unmatched\""))
            let refused = try await post("from=&text=hi")
            #expect(refused.0 == .badRequest && refused.1.contains("\"field\":\"from\""))

            let replies = try await browser.get("/admin/sms/replies")
            #expect(replies.text.contains("号码未知") && replies.text.contains("已退订") && replies.text.contains("已归档"))
            #expect(replies.text.contains("<a href=\"/contacts/\(wang.uuidString)\">王伟</a>"))
            #expect(try await browser.get("/admin/sms/replies?outcome=unmatched").text.contains("who"))
            #expect(try await browser.get("/admin/sms/replies?outcome=maybe").status == .badRequest)

            // The preview shows a marketing text as the phone will: signature, text, opt-out line.
            let template = try await app.services.messageTemplates.create(MailMergeTests.template("促销", channel: "sms", subject: nil,
                                                                                                   body: "{{recipient.name}}您好，周末八折"), by: admin)
            let preview = try await browser.get("/templates/\(template.id.uuidString)?preview_kind=contacts&preview_id=\(wang.uuidString)")
            #expect(preview.text.contains("【星辰】王伟您好，周末八折 回T退订</pre>"))

            // Gateway settings are the administrator's; replies are for outbox readers.
            try await app.makeUser("guest", roles: [try await app.makeRole("只读", [.contacts: Grant(actions: [.read], scope: .all)]).id!])
            var guest = Browser(client)
            try await guest.signIn("guest", "Secret-pass-42")
            #expect(try await guest.get("/admin/sms").status == .forbidden)
            #expect(try await guest.get("/admin/sms/replies").status == .forbidden)
        }
    }

    @Test("Over the API: the gateway is set up (refused with the field named, the secret never returned), replies are taken and listed, and every text in the outbox says its channel")
    func api() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await api.call(.get, "/sms/gateway").status == .notFound)
            let bad = try await api.call(.put, "/sms/gateway", json: #"{"kind":"http","url":"https://sms.example.cn/send","perMinute":0,"secret":"k"}"#)
            #expect(bad.status == .badRequest && bad.errorBody["field"] as? String == "perMinute")
            let saved = try await api.call(.put, "/sms/gateway", json: #"{"kind":"http","url":"https://sms.example.cn/send","secret":"key-9","signature":"星辰","quietFrom":"","quietUntil":""}"#)
            #expect(saved.status == .ok && saved.json["hasSecret"] as? Bool == true && saved.json["secret"] == nil && saved.json["signature"] as? String == "星辰")
            #expect((saved.json["replyUrl"] as? String)?.hasPrefix("http://127.0.0.1:8080/sms/replies/") == true && saved.json["quietFrom"] as? String == "")
            #expect(!(try await api.call(.get, "/sms/gateway")).text.contains("key-9"))

            var company = CustomerInput()
            (company.name, company.phone) = ("星辰科技", "13800138000")
            _ = try await app.services.customers.create(company, by: try await app.admin)
            let reply = try await api.call(.post, "/sms/replies", json: #"{"from":"+86 138 0013 8000","text":"收到，谢谢"}"#)
            #expect(reply.status == .created && reply.json["outcome"] as? String == "filed" && reply.json["number"] as? String == "+8613800138000")
            #expect((reply.json["filedOn"] as? [[String: Any]])?.first?["kind"] as? String == "customers")
            #expect(try await api.call(.post, "/sms/replies", json: #"{"from":"+86 138 0013 8000","text":""}"#).errorBody["field"] as? String == "text")
            let listed = try await api.call(.get, "/sms/replies?outcome=filed")
            #expect((listed.json["items"] as? [[String: Any]])?.map { $0["text"] as? String } == ["收到，谢谢"])

            _ = try await app.services.outbox.queue(TextMessage(to: try SMSNumber("13800138000"), text: "您好", purpose: .transactional), by: try await app.admin)
            let outbox = try await api.call(.get, "/outbox")
            #expect((outbox.json["items"] as? [[String: Any]])?.first?["channel"] as? String == "sms")
            #expect(try await api.call(.delete, "/sms/gateway").status == .noContent)
            #expect(try await app.services.customerFile.textGateways.current() == nil)
        }
    }

    @Test("What went out about a record shows on its timeline — subject, channel, status and why not sent — linked to the message for outbox readers only")
    func timeline() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var company = CustomerInput()
            (company.name, company.phone) = ("星辰科技", "13800138000")
            let xingchen = try await app.services.customers.create(company, by: admin).id!
            app.clock.advance(by: 60)
            let sent = try await app.services.outbox.queue(TextMessage(to: try SMSNumber("13800138000"), text: "您的订单已发货", purpose: .transactional),
                                                           about: (.customers, xingchen), by: admin)
            app.clock.advance(by: 60)
            try await app.services.outbox.suppress("+8613800138000", reason: "replied TD", source: "test", by: admin)
            let refused = try await app.services.outbox.queue(TextMessage(to: try SMSNumber("13800138000"), text: "双十二特惠", purpose: .marketing),
                                                              about: (.customers, xingchen), by: admin)
            let items = try await Timeline(services: app.services.customerFile).items(of: .customers, id: xingchen, for: admin).filter { $0.kind == .message }
            #expect(items.map(\.title) == ["双十二特惠", "您的订单已发货"] && items.map { $0.message?.status } == [.skipped, .queued])
            #expect(items.first?.actor == "Administrator")

            var browser = Browser(client)
            try await browser.signIn("admin", TestApp.adminPassword)
            let page = try await browser.get("/customers/\(xingchen.uuidString)")
            #expect(page.text.contains("发出的短信 · +8613800138000") && page.text.contains("<a href=\"/admin/outbox/\(sent.id.uuidString)\">您的订单已发货</a>"))
            #expect(page.text.contains("suppressed: replied TD"))
            // One record is sent a message from its page, through the merge's form, named by its name.
            #expect(page.text.contains("href=\"/mail-merges/new?kind=customers&amp;ids=\(xingchen.uuidString)\""))
            _ = try await app.services.messageTemplates.create(MailMergeTests.template("发货通知", channel: "sms", purpose: "transactional", subject: nil,
                                                                                    body: "{{customer.name}}，您的订单已发货"), by: admin)
            let one = try await browser.get("/mail-merges/new?kind=customers&ids=\(xingchen.uuidString)")
            #expect(one.status == .ok && one.text.contains("<dd>星辰科技</dd>") && one.text.contains("name=\"ids\" value=\"\(xingchen.uuidString)\""))
            // A rep who may read the customer sees what went, without the outbox's messages.
            let role = try await app.makeRole("销售", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("wangfang", roles: [role.id!])
            var rep = Browser(client)
            try await rep.signIn("wangfang", "Secret-pass-42")
            let repPage = try await rep.get("/customers/\(xingchen.uuidString)")
            #expect(repPage.text.contains("双十二特惠") && !repPage.text.contains("/admin/outbox/\(refused.id.uuidString)"))
            #expect(!repPage.text.contains("/mail-merges/new"))

            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let timeline = try await api.call(.get, "/timeline?kind=customers&id=\(xingchen.uuidString)")
            let messages = (timeline.json["items"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "message" }
            #expect(messages.compactMap { ($0["message"] as? [String: Any])?["channel"] as? String } == ["sms", "sms"])
        }
    }
}
