import Foundation
import GuanxiCustomerFile
import GuanxiPlatform
import GuanxiServer
import SQLKit
import Testing

/// Message templates and mail merges: merge fields checked when a template is saved,
/// one personal message per recipient, consent, the frequency cap, addresses missing or
/// shared, the sender's reach, and exactly once when a merge is run again.
@Suite("Templates and mail merge")
struct MailMergeTests {
    static let from = try! MailAddress("crm@ourcompany.cn", name: "关系 CRM")

    static func template(_ name: String = "季度问候", channel: String = "email", purpose: String = "marketing", language: String = "zh-Hans",
                         subject: String? = "{{contact.name}}，您好", body: String) -> MessageTemplateInput {
        var input = MessageTemplateInput()
        (input.name, input.channel, input.purpose, input.language, input.subject, input.body) = (name, channel, purpose, language, subject, body)
        return input
    }

    @Test("A template names only known merge fields, holds no partials, keeps its channel's limits and a unique name; changes are versioned and audited")
    func templates() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let store = app.services.messageTemplates
            let saved = try await store.create(Self.template(body: "尊敬的{{contact.name}}：\n{{#customer.city}}{{customer.city}}的{{/customer.city}}朋友，{{today}}。\n{{owner.name}}"), by: admin)
            #expect(saved.channel == .email && saved.purpose == .marketing && saved.version == 1)

            func refusal(_ input: MessageTemplateInput) async -> GuanxiError? {
                do { _ = try await store.create(input, by: admin); return nil } catch { return error as? GuanxiError }
            }
            #expect(await refusal(Self.template("x", body: "您好 {{contact.nmae}}"))?.message == "body names an unknown merge field: contact.nmae.")
            #expect(await refusal(Self.template("x", body: "{{> layout}}"))?.message == "body may hold merge fields and sections only, not {{> layout}}.")
            #expect(await refusal(Self.template("x", body: "{{#contact.name}}没有结束"))?.field == "body")
            #expect(await refusal(Self.template("x", subject: nil, body: "…"))?.message == "subject is required.")
            #expect(await refusal(Self.template("x", subject: "{{me.nmae}}", body: "…"))?.message == "subject names an unknown merge field: me.nmae.")
            #expect(await refusal(Self.template("x", channel: "sms", subject: nil, body: String(repeating: "短", count: 501)))?.field == "body")
            #expect(await refusal(Self.template("x", channel: "fax", body: "…"))?.field == "channel")
            #expect(await refusal(Self.template("x", language: "fr", body: "…"))?.field == "language")
            #expect(await refusal(Self.template(body: "另一份"))?.status == .conflict)
            // The same name on another channel is another template.
            let sms = try await store.create(Self.template(channel: "sms", subject: nil, body: "{{recipient.name}}您好，回复TD退订"), by: admin)
            #expect(sms.subject == "")

            var change = Self.template(body: "新的正文 {{lead.company}}")
            change.version = 1
            let updated = try await store.update(saved.id, change, by: admin)
            #expect(updated.version == 2 && updated.body == "新的正文 {{lead.company}}")
            await #expect(throws: GuanxiError.self) { try await store.update(saved.id, change, by: admin) }
            #expect(try await app.auditEntries(kind: .templates).count == 3)
            try await store.delete(sms.id, by: admin)
            #expect(try await store.list(for: admin).map(\.name) == ["季度问候"])

            // Reading templates and writing them are separate grants.
            let reader = try await app.makeRole("模板使用者", [.templates: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("xiaoli", roles: [reader.id!])
            let xiaoli = try await app.principal("xiaoli")
            #expect(try await store.list(for: xiaoli).count == 1)
            await #expect(throws: GuanxiError.self) { try await store.create(Self.template("我的", body: "…"), by: xiaoli) }
        }
    }

    @Test("A merge writes one personal message per recipient, skips those without consent, address or reach and the same address twice, and never writes anyone twice")
    func merge() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, _ in
            let admin = try await app.admin
            let role = try await app.makeRole("销售", [.contacts: Grant(actions: [.read], scope: .own), .outbox: Grant(actions: [.create], scope: .own),
                                                      .templates: Grant(actions: [.read], scope: .all)])
            let rep = try await app.makeUser("wangfang", roles: [role.id!])
            func customer(_ name: String, city: String, optedOut: Bool = false) async throws -> UUID {
                var input = CustomerInput()
                (input.name, input.city) = (name, city)
                if optedOut { input.consent[.email] = ("opted_out", "电话里说的") }
                return try await app.services.customers.create(input, by: admin).id!
            }
            func contact(_ name: String, of customer: UUID, email: String?, owner: UUID? = nil) async throws -> UUID {
                var input = ContactInput()
                (input.name, input.customerID) = (name, .some(customer))
                if let email { input.emails = [ContactChannel(kind: .email, value: email)] }
                if let owner { input.ownerID = .some(owner) }
                app.clock.advance(by: 1)
                return try await app.services.contacts.create(input, by: admin).id!
            }
            let xingchen = try await customer("星辰科技", city: "杭州")
            let yueliang = try await customer("月亮湾贸易", city: "宁波", optedOut: true)
            let wang = try await contact("王伟", of: xingchen, email: "wang.wei@xingchen.example.cn", owner: rep.id)
            let li = try await contact("李娜", of: yueliang, email: "li.na@yueliang.example.cn")
            let zhao = try await contact("赵敏", of: xingchen, email: nil)
            let shared = try await contact("Wang Wei (EN)", of: xingchen, email: "WANG.WEI@xingchen.example.cn")
            let template = try await app.services.messageTemplates.create(Self.template(body: """
                尊敬的{{contact.name}}：

                感谢{{customer.name}}一直以来的支持。{{#customer.city}}我们下月到{{customer.city}}拜访。{{/customer.city}}
                {{owner.name}} · {{me.name}} · {{today}}
                """), by: admin)

            let merges = MailMerge(services: app.services.customerFile)
            let merge = try await merges.start(template: template.id, source: .records(kind: .contacts, ids: [wang, li, zhao, shared, wang]),
                                               label: "4 个联系人", by: admin)
            #expect(merge.status == .queued)
            try await merges.run(merge.id, by: admin)
            let done = try await merges.find(merge.id, for: admin)
            #expect(done.status == .done && done.total == 4 && done.queued == 1 && done.skipped == 3)

            let rows = try await app.services.outbox.list(batch: merge.id, limit: 10)
            func row(_ id: UUID) throws -> OutboxEntry { try #require(rows.first { $0.aboutID == id }) }
            #expect(try row(wang).status == .queued && row(wang).subject == "王伟，您好" && row(wang).recipient == "wang.wei@xingchen.example.cn")
            #expect(try row(li).status == .skipped && row(li).lastReply == "no consent: 月亮湾贸易 opted out of e-mail")
            #expect(try row(zhao).status == .skipped && row(zhao).lastReply == "no e-mail address" && row(zhao).recipientName == "赵敏")
            #expect(try row(shared).lastReply == "the same address as another recipient of this merge")

            // The message itself: the fields filled in, escaped in its HTML part, unsubscribe link added.
            let text = try #require(try await app.services.outbox.text(of: try row(wang).id))
            let body = try Self.decodedParts(text)
            #expect(body.contains("尊敬的王伟：\n\n感谢星辰科技一直以来的支持。我们下月到杭州拜访。\nwangfang · Administrator · 2026年"))
            #expect(body.contains("<p>尊敬的王伟：</p><p>感谢星辰科技一直以来的支持。"))
            #expect(body.contains("<a href=\"http://127.0.0.1:8080/unsubscribe/") && body.hasSuffix("</p></body></html>\n"))
            #expect(text.contains("List-Unsubscribe: <http"))

            // Run again (a worker that stopped after its last batch): nobody gets it twice.
            try await merges.run(merge.id, by: admin)
            #expect(try await app.services.outbox.list(batch: merge.id, limit: 10).count == 4)
            #expect(try await merges.find(merge.id, for: admin).total == 4)
            #expect(try await app.auditEntries(action: "create", kind: .outbox).filter { $0.recordID == merge.id.uuidString }.count == 1)

            // A rep reaches only their own contacts: the others are left out, not written to.
            let wangfang = try await app.principal("wangfang")
            app.clock.advance(by: 60)
            let own = try await merges.start(template: template.id, source: .records(kind: .contacts, ids: [wang, li, zhao]), label: "mine", by: wangfang)
            try await merges.run(own.id, by: wangfang)
            #expect(try await app.services.outbox.list(batch: own.id, limit: 10).map(\.aboutID) == [wang])
            #expect(try await merges.find(own.id, for: wangfang).total == 1)
            // Nor can a rep without the outbox grant start one.
            try await app.makeUser("guest", roles: [try await app.makeRole("只读", [.contacts: Grant(actions: [.read], scope: .all)]).id!])
            await #expect(throws: GuanxiError.self) {
                _ = try await merges.start(template: template.id, source: .records(kind: .contacts, ids: [wang]), label: "x", by: try await app.principal("guest"))
            }
        }
    }

    @Test("A merge to a list goes to the records its filters select; the frequency cap skips recipients who had enough; the worker runs it")
    func mergeToList() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }, runJobs: true) { app, _ in
            let admin = try await app.admin
            for (name, city) in [("杭州一号", "杭州"), ("杭州二号", "杭州"), ("北京一号", "北京")] {
                var input = CustomerInput()
                (input.name, input.city, input.email) = (name, city, "\(name.unicodeScalars.map { String($0.value) }.joined())@example.cn")
                app.clock.advance(by: 1)
                _ = try await app.services.customers.create(input, by: admin)
            }
            try await app.services.outbox.setCap(MarketingCap(messages: 1, days: 30), by: admin)
            let template = try await app.services.messageTemplates.create(Self.template(subject: "致{{customer.name}}", body: "{{customer.city}}见"), by: admin)
            let merges = MailMerge(services: app.services.customerFile)
            let first = try await merges.start(template: template.id, source: .list(kind: .customers, query: "q=杭州"), label: "杭州", by: admin)
            try await Self.waitFor { try await merges.find(first.id, for: admin).status == .done }
            #expect(try await app.services.outbox.list(batch: first.id, limit: 10).map(\.subject).sorted() == ["致杭州一号", "致杭州二号"])
            app.clock.advance(by: 3600)
            let second = try await merges.start(template: template.id, source: .list(kind: .customers, query: ""), label: "全部", by: admin)
            try await Self.waitFor { try await merges.find(second.id, for: admin).status == .done }
            let result = try await merges.find(second.id, for: admin)
            #expect(result.total == 3 && result.queued == 1 && result.skipped == 2)
            #expect(try await app.services.outbox.list(status: .skipped, batch: second.id, limit: 10).allSatisfy { $0.lastReply == "frequency cap: 1 marketing messages in 30 days" })
        }
    }

    @Test("On the web: a template is written with its fields listed, refused with the reason, previewed for a real record (escaped), tested on oneself; a list is mailed, and each recipient's result shows")
    func pages() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, client in
            let admin = try await app.admin
            try await app.services.database.sql.update("users").set("email", to: "boss@ourcompany.cn").where("username", .equal, "admin").run()
            var company = CustomerInput()
            (company.name, company.city) = ("星辰科技", "杭州")
            let customer = try await app.services.customers.create(company, by: admin).id!
            var ids: [UUID] = []
            for (name, email) in [("王伟", "wang@xingchen.example.cn"), ("<b>坏人</b>", "bad@xingchen.example.cn"), ("赵敏", nil)] {
                var person = ContactInput()
                (person.name, person.customerID) = (name, .some(customer))
                if let email { person.emails = [ContactChannel(kind: .email, value: email)] }
                app.clock.advance(by: 1)
                ids.append(try await app.services.contacts.create(person, by: admin).id!)
            }
            var browser = Browser(client)
            try await browser.signIn("admin", TestApp.adminPassword)
            let editor = try await browser.get("/templates/new")
            #expect(editor.status == .ok && editor.text.contains("<code>{{contact.name}}</code>") && editor.text.contains("<code>{{owner.name}}</code>"))
            let wrong = try await browser.post("/templates", ["name": "回访", "channel": "email", "purpose": "marketing", "language": "zh-Hans",
                                                              "subject": "{{contact.name}}您好", "body": "{{contact.nmae}}"])
            #expect(wrong.status == .badRequest && wrong.text.contains("body 中有未知的合并字段：contact.nmae。") && wrong.text.contains("{{contact.nmae}}"))
            let saved = try await browser.post("/templates", ["name": "回访", "channel": "email", "purpose": "marketing", "language": "zh-Hans",
                                                              "subject": "{{contact.name}}您好", "body": "尊敬的{{contact.name}}：\n欢迎到{{customer.city}}。"])
            #expect(saved.status == .seeOther)
            let savedAt = try #require(saved.location)
            let page = try await browser.get(savedAt)
            // The first contact the reader can see fills the preview by default.
            #expect(page.text.contains("已保存") && page.text.contains("：\n欢迎到杭州。</pre>"))
            let templateURL = String(savedAt.prefix { $0 != "?" })
            let chosen = try await browser.get("\(templateURL)?preview_kind=contacts&preview_id=\(ids[0].uuidString)")
            #expect(chosen.text.contains("尊敬的王伟：\n欢迎到杭州。") && chosen.text.contains("王伟 &lt;wang@xingchen.example.cn&gt;"))
            let bad = try await browser.get("\(templateURL)?preview_kind=contacts&preview_id=\(ids[1].uuidString)")
            #expect(bad.text.contains("尊敬的&lt;b&gt;坏人&lt;/b&gt;：") && !bad.text.contains("<b>坏人</b>"))
            let test = try await browser.post("\(templateURL)/test", ["preview_kind": "contacts", "preview_id": ids[0].uuidString])
            #expect(test.status == .seeOther)
            let tests = try await app.services.outbox.list(limit: 5)
            #expect(tests.first?.recipient == "boss@ourcompany.cn" && tests.first?.subject == "[测试 Test] 王伟您好" && tests.first?.purpose == .transactional)

            // From the contact list: the whole list as filtered, or the rows picked.
            let list = try await browser.get("/contacts?q=%E7%8E%8B")
            #expect(list.text.contains("href=\"/mail-merges/new?kind=contacts&amp;query=q%3D%25E7%258E%258B\""))
            let form = try await browser.post("/mail-merges/new", pairs: [("kind", "contacts"), ("ids", ids[0].uuidString), ("ids", ids[1].uuidString), ("ids", ids[2].uuidString), ("action", "tag")])
            #expect(form.status == .ok && form.text.contains("勾选的 3 条联系人") && form.text.contains(">回访 (邮件 · 营销消息)</option>"))
            let template = try #require(try await app.services.messageTemplates.list(for: admin).first)
            let none = try await browser.post("/mail-merges", pairs: [("kind", "contacts"), ("ids", ids[0].uuidString), ("label", "x")])
            #expect(none.status == .badRequest && none.text.contains("templateId"))
            let started = try await browser.post("/mail-merges", pairs: [("kind", "contacts"), ("template_id", template.id.uuidString), ("label", "勾选的 3 条联系人")]
                                                 + ids.map { ("ids", $0.uuidString) })
            #expect(started.status == .seeOther)
            let location = try #require(started.location)
            let mergeID = try #require(UUID(uuidString: String(location.dropFirst("/mail-merges/".count))))
            try await MailMerge(services: app.services.customerFile).run(mergeID, by: admin)
            let results = try await browser.get("/mail-merges/\(mergeID.uuidString)")
            #expect(results.text.contains("已完成") && results.text.contains("no e-mail address") && results.text.contains("href=\"/contacts/\(ids[2].uuidString)\">赵敏</a>"))
            #expect(results.text.contains("&lt;b&gt;坏人&lt;/b&gt;"))
            let skipped = try await browser.get("/mail-merges/\(mergeID.uuidString)?status=skipped")
            #expect(skipped.text.contains("赵敏") && !skipped.text.contains("wang@xingchen.example.cn"))
            #expect(try await browser.get("/mail-merges").text.contains("回访"))
            #expect(try await browser.get("/mail-merges/\(mergeID.uuidString)?status=lost").status == .badRequest)

            // Someone without the outbox grant sees neither the menu entry nor the pages.
            try await app.makeUser("reader", roles: [try await app.makeRole("只读", [.contacts: Grant(actions: [.read], scope: .all)]).id!])
            var reader = Browser(client)
            try await reader.signIn("reader", "Secret-pass-42")
            #expect(!(try await reader.get("/contacts").text.contains("/mail-merges/new")))
            #expect(try await reader.get("/mail-merges/\(mergeID.uuidString)").status == .notFound)
            #expect(try await reader.get("/templates").status == .forbidden)
        }
    }

    @Test("Over the API: templates written, refused with the unknown field named, previewed; a merge started, followed and its recipients listed")
    func api() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, client in
            let admin = try await app.admin
            var company = CustomerInput()
            (company.name, company.email, company.city) = ("Northwind 北风", "buyer@northwind.example", "上海")
            let customer = try await app.services.customers.create(company, by: admin).id!
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let refused = try await api.call(.post, "/templates", json: #"{"name":"Hello","channel":"email","language":"en","purpose":"marketing","subject":"Hi {{customer.nam}}","body":"…"}"#)
            #expect(refused.status == .badRequest && (refused.errorBody["message"] as? String) == "subject names an unknown merge field: customer.nam.")
            let created = try await api.call(.post, "/templates", json: #"{"name":"Hello","channel":"email","language":"en","purpose":"marketing","subject":"Hi {{customer.name}}","body":"Dear {{customer.name}}, see you in {{customer.city}} on {{today}}."}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let listed = try await api.call(.get, "/templates?channel=email")
            #expect((listed.json["items"] as? [[String: Any]])?.count == 1 && (listed.json["fields"] as? [String])?.contains("contact.name") == true)
            let preview = try await api.call(.post, "/templates/\(id)/preview", json: #"{"kind":"customers","id":"\#(customer.uuidString)"}"#)
            #expect(preview.json["subject"] as? String == "Hi Northwind 北风" && (preview.json["body"] as? String)?.hasPrefix("Dear Northwind 北风, see you in 上海 on ") == true)
            #expect(preview.json["email"] as? String == "buyer@northwind.example")
            let stale = try await api.call(.put, "/templates/\(id)", json: #"{"name":"Hello","channel":"email","language":"en","subject":"x","body":"y","version":7}"#)
            #expect(stale.status == .conflict)

            let started = try await api.call(.post, "/mail-merges", json: #"{"templateId":"\#(id)","kind":"customers","query":"q=Northwind"}"#)
            #expect(started.status == .accepted && started.json["status"] as? String == "queued")
            let merge = try #require(started.json["id"] as? String)
            try await MailMerge(services: app.services.customerFile).run(try #require(UUID(uuidString: merge)), by: admin)
            let done = try await api.call(.get, "/mail-merges/\(merge)")
            #expect(done.json["status"] as? String == "done" && done.json["total"] as? Int == 1 && (done.json["messages"] as? [String: Int]) == ["queued": 1])
            let recipients = try await api.call(.get, "/mail-merges/\(merge)/recipients")
            let first = try #require((recipients.json["items"] as? [[String: Any]])?.first)
            #expect(first["recipient"] as? String == "buyer@northwind.example" && first["subject"] as? String == "Hi Northwind 北风" && first["aboutId"] as? String == customer.uuidString)
            #expect(try await api.call(.post, "/mail-merges", json: #"{"templateId":"\#(id)","kind":"purchases"}"#).status == .badRequest)
            #expect(try await api.call(.post, "/mail-merges", json: #"{"templateId":"\#(id)","kind":"customers","ids":[]}"#).status == .badRequest)
            #expect(try await api.call(.delete, "/templates/\(id)").status == .noContent)
            #expect(try await api.call(.get, "/mail-merges").json["items"].map { ($0 as? [[String: Any]])?.first?["templateName"] as? String } == "Hello")
        }
    }

    static func waitFor(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out")
    }

    /// The text of a written message with its base64 parts decoded.
    static func decodedParts(_ message: String) throws -> String {
        var out = ""
        for block in message.components(separatedBy: "\r\n\r\n").dropFirst() {
            let lines = block.components(separatedBy: "\r\n").prefix { !$0.hasPrefix("--") }
            if let data = Data(base64Encoded: lines.joined()), let text = String(data: data, encoding: .utf8) { out += text.replacingOccurrences(of: "\r\n", with: "\n") + "\n" }
        }
        return out
    }
}
