import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform
import GuanxiSales
import GuanxiServer
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

/// Received mail filed on the customer file: the corpus (Fixtures/Mail) through
/// `MailFiling`, the API, the inbox pages and `guanxi mail receive`.
@Suite("Received mail", .serialized)
struct MailReceivingTests {
    static let from = try! MailAddress("sales@ourcompany.cn", name: "销售部")

    struct File {
        let customer: UUID, contact: UUID, rep: UUID
    }

    /// 华信科技 with its contact 王伟, and the rep 李娜 whose address is li.na@ourcompany.cn.
    func file(_ app: TestApp, contactEmail: String = "wang.wei@huaxin-tech.cn", customerEmail: String? = nil) async throws -> File {
        let admin = try await app.admin
        var customer = CustomerInput()
        (customer.name, customer.email) = ("华信科技", customerEmail)
        let c = try await app.services.customers.create(customer, by: admin)
        var contact = ContactInput()
        (contact.name, contact.customerID, contact.emails) = ("王伟", .some(c.id), [ContactChannel(kind: .email, value: contactEmail)])
        let person = try await app.services.contacts.create(contact, by: admin)
        let rep = try await app.makeUser("li.na")
        try await app.services.database.sql.update("users").set("email", to: "Li.Na@ourcompany.cn").where("id", .equal, rep.id!).run()
        return File(customer: c.id!, contact: person.id!, rep: rep.id!)
    }

    func receive(_ app: TestApp, _ raw: Data) async throws -> (entry: InboundEntry, duplicate: Bool) {
        try await MailFiling(services: app.services.customerFile).receive(raw, via: "test", by: nil)
    }

    func activities(_ app: TestApp, about ref: RecordRef) async throws -> [Activity] {
        try await Activity.query(on: app.services.database.db).filter(\Activity.$relatedID == ref.id).all()
    }

    @Test("A customer's reply (Outlook, GB2312) goes on the deal the sent quote was about, with its attachment; delivered twice, it is filed once")
    func replyThreadsOntoTheDeal() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, _ in
            let admin = try await app.admin
            let f = try await file(app)
            var deal = OpportunityInput()
            (deal.name, deal.customerID) = ("年度采购", .some(f.customer))
            let opportunity = try await app.services.sales.opportunities.create(deal, by: admin)
            let quote = try await app.services.outbox.queue(MailMessage(from: Self.from, to: try MailAddress("wang.wei@huaxin-tech.cn"), subject: "华信科技年度采购报价",
                                                                        text: "报价见附件。", purpose: .transactional),
                                                            about: (.opportunities, opportunity.id!), by: admin)
            let raw = try MailParsingTests.fixture("outlook-gb2312-reply.eml", outboxID: quote.messageID)
            // Received the day after it was written.
            app.clock.advance(by: Date(timeIntervalSince1970: 1_796_347_841 + 86_400).timeIntervalSince(app.clock.now()))
            let (entry, duplicate) = try await receive(app, raw)
            #expect(!duplicate && entry.status == .filed && entry.note == nil)
            #expect(entry.filedOn == [RecordRef(.opportunities, opportunity.id!)])
            #expect(entry.sender == "王伟 <wang.wei@huaxin-tech.cn>" && entry.subject == "答复: 华信科技年度采购报价")

            let filed = try await activities(app, about: RecordRef(.opportunities, opportunity.id!))
            try #require(filed.count == 1)
            let a = filed[0]
            #expect(a.kind == "email" && a.status == "done" && a.subject == "答复: 华信科技年度采购报价" && a.customerID == f.customer)
            #expect(a.details.hasPrefix("From: 王伟 <wang.wei@huaxin-tech.cn>\nTo: 李娜 <li.na@ourcompany.cn>\nCc: crm-dropbox@ourcompany.cn\n\n王经理您好："))
            #expect(a.startsAt == Date(timeIntervalSince1970: 1_796_347_841))
            // The colleague it was written to is not the author: nobody owns a customer's mail.
            #expect(a.ownerID == nil)
            let files = try await AttachmentService(services: app.services.customerFile).list(.activities, a.id!, for: admin)
            #expect(files.map(\.filename) == ["需求清单.xlsx"])
            // The customer's timeline tells it.
            let timeline = try await Timeline(services: app.services.customerFile).items(of: .customers, id: f.customer, for: admin)
            #expect(timeline.contains { $0.activity?.id == a.id && $0.title == "答复: 华信科技年度采购报价" })

            let again = try await receive(app, raw)
            #expect(again.duplicate && again.entry.id == entry.id)
            #expect(try await activities(app, about: RecordRef(.opportunities, opportunity.id!)).count == 1)
            #expect(try await app.auditEntries(action: "create", kind: .inbox).count == 1)
        }
    }

    @Test("A colleague's forward (Foxmail, GBK) files on the original sender's contact as the colleague's; Big5 from a lead files on the lead")
    func forwardAndLead() async throws {
        try await TestApp.run { app, _ in
            let f = try await file(app, contactEmail: "Zhang.Min@kehu.com.cn")
            let forward = try await receive(app, try MailParsingTests.fixture("foxmail-gbk-forward.eml"))
            #expect(forward.entry.status == .filed && forward.entry.filedOn == [RecordRef(.contacts, f.contact)])
            let a = try #require(try await activities(app, about: RecordRef(.contacts, f.contact)).first)
            #expect(a.subject == "转发：询价（机房设备）" && a.ownerID == f.rep && a.customerID == f.customer)
            #expect(a.details.contains("李娜你好，请报一下机房设备的价格，谢谢。"))
            #expect(try await AttachmentService(services: app.services.customerFile).list(.activities, a.id!, for: try await app.admin).map(\.filename) == ["设备清单.pdf"])

            var lead = LeadInput()
            (lead.name, lead.email) = ("陈雅婷", "chen.yating@taipei-trade.com.tw")
            let l = try await app.services.sales.leads.create(lead, by: try await app.admin)
            let big5 = try await receive(app, try MailParsingTests.fixture("big5-sample.eml"))
            #expect(big5.entry.status == .filed && big5.entry.filedOn == [RecordRef(.leads, l.id!)])
            #expect(try await activities(app, about: RecordRef(.leads, l.id!)).first?.details.contains("您好，樣品已經寄出，請查收。") == true)
        }
    }

    @Test("Mail from nobody known waits unmatched and is filed again once the sender is added; a guessed charset still reads")
    func unmatchedThenRefiled() async throws {
        try await TestApp.run { app, _ in
            let f = try await file(app)
            let odd = try await receive(app, try MailParsingTests.fixture("unknown-charset.eml"))
            #expect(odd.entry.status == .unmatched && odd.entry.note == "Nobody it names is known.")
            var contact = ContactInput()
            (contact.name, contact.customerID, contact.emails) = ("孙丽", .some(f.customer), [ContactChannel(kind: .email, value: "sun.li@kehu.com.cn")])
            let sun = try await app.services.contacts.create(contact, by: try await app.admin)
            let refiled = try await MailFiling(services: app.services.customerFile).refile(odd.entry.id, by: try await app.admin)
            #expect(refiled.status == .filed && refiled.filedOn == [RecordRef(.contacts, sun.id!)])
            #expect(try await activities(app, about: RecordRef(.contacts, sun.id!)).first?.details.hasSuffix("合同已盖章寄回。") == true)
            let error = await #expect(throws: GuanxiError.self) { try await MailFiling(services: app.services.customerFile).refile(odd.entry.id, by: try await app.admin) }
            #expect(error?.kind == .conflict)
            #expect(try await app.auditEntries(action: "update", kind: .inbox).first?.changes == [FieldChange(field: "status", old: "unmatched", new: "received")])
        }
    }

    @Test("A bounce marks the address on every record that holds it, keeps marketing from it and fails the message it reports")
    func bounceMarksTheAddress() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, _ in
            let f = try await file(app, contactEmail: "gone@kehu.com.cn", customerEmail: "GONE@kehu.com.cn")
            let sent = try await app.services.outbox.queue(MailMessage(from: Self.from, to: try MailAddress("gone@kehu.com.cn"), subject: "年底优惠", text: "…",
                                                                       purpose: .transactional), by: nil)
            try await app.services.database.sql.update("outbox_messages").set("status", to: "sent").where("id", .equal, sent.id).run()
            let (entry, _) = try await receive(app, try MailParsingTests.fixture("dsn-bounce.eml", outboxID: sent.messageID))
            #expect(entry.status == .bounce && entry.note == "Not delivered: gone@kehu.com.cn")
            #expect(Set(entry.filedOn) == [RecordRef(.customers, f.customer), RecordRef(.contacts, f.contact)])
            let marks = try await app.services.database.sql.raw("SELECT record_kind, reason FROM contact_way_problems ORDER BY record_kind").all()
            #expect(try marks.map { try $0.decode(column: "record_kind", as: String.self) } == ["contacts", "customers"])
            #expect(try marks.allSatisfy { try $0.decode(column: "reason", as: String.self) == "bounced" })
            let reported = try #require(try await app.services.outbox.find(sent.id))
            #expect(reported.status == .failed && reported.lastReply?.hasPrefix("bounced: 5.1.1 550 5.1.1 <gone@kehu.com.cn>") == true)
            #expect(try await app.services.outbox.isSuppressed("gone@kehu.com.cn"))
            let offer = try await app.services.outbox.queue(MailMessage(from: Self.from, to: try MailAddress("gone@kehu.com.cn"), subject: "新品", text: "…", purpose: .marketing), by: nil)
            #expect(offer.status == .skipped)
            // A bounce is not a conversation: nothing goes on a timeline.
            #expect(try await Activity.query(on: app.services.database.db).count() == 0)
        }
    }

    @Test("Unknown senders become leads when chosen, never from automatic mail; Guanxi's own mail and loops are ignored")
    func unknownSendersAndLoops() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, _ in
            let admin = try await app.admin
            let enquiry = try await receive(app, try MailParsingTests.fixture("webmail-html-enquiry.eml"))
            #expect(enquiry.entry.status == .unmatched)
            try await app.services.settings.set("mail.unknown_senders", to: "leads", by: admin)
            let made = try await MailFiling(services: app.services.customerFile).refile(enquiry.entry.id, by: admin)
            #expect(made.status == .lead && made.filedOn.first?.kind == .leads)
            let lead = try await app.services.sales.leads.find(try #require(made.filedOn.first?.id), for: admin)
            #expect(lead.name == "赵磊" && lead.email == "zhaolei@yunfan-logistics.cn" && lead.source == "email" && lead.notes == "咨询：CRM产品演示")
            #expect(try await activities(app, about: made.filedOn[0]).first?.details.contains("我们想了解贵公司的 CRM 产品&价格") == true)

            let auto = try await receive(app, try MailParsingTests.fixture("auto-reply.eml"))
            #expect(auto.entry.status == .unmatched && auto.entry.note == "An automatic message from nobody known.")
            #expect(try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM leads").first(decodingColumn: "n", as: Int.self) == 1)

            let mine = try await app.services.outbox.queue(MailMessage(from: Self.from, to: try MailAddress("x@example.cn"), subject: "回执", text: "…", purpose: .automatic), by: nil)
            let own = try await receive(app, Data("From: sales@ourcompany.cn\r\nTo: x@example.cn\r\nSubject: 回执\r\nMessage-ID: <\(mine.messageID)>\r\n\r\n…\r\n".utf8))
            #expect(own.entry.status == .ignored && own.entry.note == "A copy of a message Guanxi sent.")
            let hops = String(repeating: "Received: from a by b; Fri, 4 Dec 2026 10:00:00 +0800\r\n", count: 31)
            let loop = try await receive(app, Data("\(hops)From: zhou@stranger.example\r\nSubject: loop\r\nMessage-ID: <loop@x>\r\n\r\nhi\r\n".utf8))
            #expect(loop.entry.status == .ignored && loop.entry.note == "A mail loop: it passed 31 mail servers.")
        }
    }

    @Test("The API takes raw messages from a provider's hook: filed, once; unreadable kept as failed; too large refused; the inbox needs its permission")
    func overTheAPI() async throws {
        try await TestApp.run(configure: { $0.mailMaxBytes = 8192 }) { app, client in
            _ = try await file(app, contactEmail: "zhang.min@kehu.com.cn")
            let token = try await app.token(for: "admin")
            func post(_ data: Data, as tokenValue: String = token, type: String = "message/rfc822") async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(tokenValue)"
                headers[.contentType] = type
                return try await client.execute(uri: "/api/v1/inbox", method: .post, headers: headers, body: ByteBuffer(bytes: data))
            }
            let raw = try MailParsingTests.fixture("foxmail-gbk-forward.eml")
            let first = try await post(raw)
            #expect(first.status == .created && first.json["status"] as? String == "filed" && first.json["via"] as? String == "api")
            #expect((first.json["filedOn"] as? [[String: Any]])?.first?["kind"] as? String == "contacts")
            #expect(try await post(raw, type: "application/octet-stream").status == .ok)
            let garbage = try await post(Data("hello\n".utf8))
            #expect(garbage.status == .created && garbage.json["status"] as? String == "failed")
            #expect((garbage.json["note"] as? String)?.hasPrefix("This is not an e-mail message") == true)
            #expect(try await post(Data(count: 9000)).status == .contentTooLarge)
            #expect(try await post(Data()).status == .badRequest)
            let api = APIClient(client: client, token: token)
            let failed = try await api.call(.get, "/inbox?status=failed")
            #expect((failed.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [garbage.json["id"] as? String])
            let one = try await api.call(.get, "/inbox/\(try #require(first.json["id"] as? String))")
            #expect(one.json["subject"] as? String == "转发：询价（机房设备）")
            #expect(try await api.call(.post, "/inbox/\(try #require(first.json["id"] as? String))/refile").status == .conflict)
            try await app.makeUser("rep")
            let rep = try await app.token(for: "rep")
            #expect(try await post(raw, as: rep).status == .forbidden)
            #expect(try await APIClient(client: client, token: rep).call(.get, "/inbox").status == .forbidden)
        }
    }

    @Test("The inbox page lists received mail by status, links where each was filed, files again and sets what unknown senders become")
    func pages() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "boss")
            let f = try await file(app)
            let odd = try await receive(app, try MailParsingTests.fixture("unknown-charset.eml"))
            _ = try await receive(app, try MailParsingTests.fixture("outlook-gb2312-reply.eml"))
            let list = try await browser.get("/admin/inbox")
            #expect(list.status == .ok)
            #expect(list.text.contains("答复: 华信科技年度采购报价") && list.text.contains("未匹配 (1)") && list.text.contains("已归档 (1)"))
            let unmatched = try await browser.get("/admin/inbox?status=unmatched")
            #expect(unmatched.text.contains("合同") && !unmatched.text.contains("答复: 华信科技年度采购报价"))
            #expect(unmatched.text.contains("邮件中的地址都不属于已知的人。"))
            #expect(try await browser.get("/admin/inbox?status=nonsense").status == .badRequest)
            let detail = try await browser.get("/admin/inbox/\(odd.entry.id)")
            #expect(detail.text.contains("合同已盖章寄回。") && detail.text.contains("/admin/inbox/\(odd.entry.id)/refile"))
            var contact = ContactInput()
            (contact.name, contact.customerID, contact.emails) = ("孙丽", .some(f.customer), [ContactChannel(kind: .email, value: "sun.li@kehu.com.cn")])
            let sun = try await app.services.contacts.create(contact, by: try await app.admin)
            let refiled = try await browser.post("/admin/inbox/\(odd.entry.id)/refile", [:])
            #expect(refiled.status == .seeOther || refiled.status == .found)
            let after = try await browser.get("/admin/inbox/\(odd.entry.id)?notice=refiled")
            #expect(after.text.contains("已重新归档") && after.text.contains("href=\"/contacts/\(sun.id!.uuidString)\"") && after.text.contains("孙丽"))
            #expect(try await browser.post("/admin/inbox/settings", ["unknown_senders": "leads"]).status == .seeOther)
            #expect(try await app.services.settings.value("mail.unknown_senders", as: String.self) == "leads")
            #expect(try await browser.post("/admin/inbox/settings", ["unknown_senders": "customers"]).status == .badRequest)
            #expect(try await browser.get("/admin/inbox").text.contains("<option value=\"leads\" selected>"))
            let status = try await browser.get("/admin/status").text
            #expect(status.contains("收到的邮件") && status.contains("已归档"))
            // Someone without the inbox permission sees none of it.
            var rep = try await app.signedInBrowser(client, as: "rep", admin: false)
            #expect(try await rep.get("/admin/inbox").status == .forbidden)
        }
    }

    @Test("A fault while filing leaves nothing half-written: the message waits as failed with the reason, and files once when filed again")
    func faultWhileFiling() async throws {
        try await TestApp.run { app, _ in
            let f = try await file(app)
            let sql = app.services.database.sql
            // The attachment cannot be stored (a full disk, say) after the activity was.
            if app.services.database.engine == .sqlite {
                try await sql.raw("CREATE TRIGGER no_files BEFORE INSERT ON attachments BEGIN SELECT RAISE(ABORT, 'disk full'); END").run()
            } else {
                try await sql.raw("CREATE FUNCTION no_files() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql").run()
                try await sql.raw("CREATE TRIGGER no_files BEFORE INSERT ON attachments FOR EACH ROW EXECUTE FUNCTION no_files()").run()
            }
            let (entry, _) = try await receive(app, try MailParsingTests.fixture("outlook-gb2312-reply.eml"))
            // PostgreSQL's driver keeps the server's words out of its errors' descriptions.
            #expect(entry.status == .failed && entry.note?.isEmpty == false)
            if app.services.database.engine == .sqlite { #expect(entry.note?.contains("disk full") == true) }
            #expect(try await Activity.query(on: app.services.database.db).count() == 0)
            try await sql.raw(app.services.database.engine == .sqlite ? "DROP TRIGGER no_files" : "DROP TRIGGER no_files ON attachments").run()
            let refiled = try await MailFiling(services: app.services.customerFile).refile(entry.id, by: try await app.admin)
            #expect(refiled.status == .filed && refiled.filedOn == [RecordRef(.contacts, f.contact)])
            #expect(try await Activity.query(on: app.services.database.db).count() == 1)
        }
    }

    @Test("Received file names are kept storable: folders dropped, long names shortened with their extension")
    func storableNames() {
        #expect(MailFiling.storable("../../etc/passwd") == "passwd")
        #expect(MailFiling.storable(String(repeating: "报", count: 300) + ".xlsx").count == 200)
        #expect(MailFiling.storable(String(repeating: "报", count: 300) + ".xlsx").hasSuffix("报.xlsx"))
        #expect(MailFiling.storable("/") == "attachment")
    }

    @Test("A long message keeps its beginning on the activity and the whole message as an attachment")
    func longMessage() async throws {
        try await TestApp.run { app, _ in
            let f = try await file(app)
            let text = String(repeating: "长", count: 5000)
            let raw = Data("From: wang.wei@huaxin-tech.cn\r\nTo: \(String(repeating: "x@y.cn, ", count: 200))z@y.cn\r\nSubject: long\r\nMessage-ID: <long@x>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\(text)\r\n".utf8)
            let (entry, _) = try await receive(app, raw)
            #expect(entry.status == .filed)
            let a = try #require(try await activities(app, about: RecordRef(.contacts, f.contact)).first)
            #expect(a.details.hasSuffix("长\n…") && a.details.count < 5000)
            let files = try await AttachmentService(services: app.services.customerFile).list(.activities, a.id!, for: try await app.admin)
            #expect(files.map(\.filename) == ["message.eml"] && files.first?.size == raw.count)
        }
    }
}
