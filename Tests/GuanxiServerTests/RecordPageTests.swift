import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import HummingbirdTesting
import Testing
import GuanxiPlatform

/// The frame every record page shares: breadcrumbs, a header of key facts, an index of
/// the page's sections with counts, and fields changed where they stand.
@Suite("Record pages")
struct RecordPageTests {
    func customer(_ app: TestApp, name: String = "星辰百货", phone: String? = "021-6666 8888") async throws -> Customer {
        var input = CustomerInput()
        (input.name, input.phone, input.lifecycleStage) = (name, phone, "acquisition")
        return try await app.services.customers.create(input, by: try await app.admin)
    }

    @Test("A customer's page opens with where it sits, its key facts and an index of its sections with their counts")
    func headerAndIndex() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "sales.lead")
            let parent = try await customer(app, name: "星辰集团")
            var input = CustomerInput()
            (input.name, input.parentID, input.email) = ("星辰百货", .some(parent.id), "info@xingchen.cn")
            let c = try await app.services.customers.create(input, by: try await app.admin)
            for name in ["李雷", "韩梅梅"] {
                var contact = ContactInput()
                (contact.name, contact.customerID) = (name, .some(c.id))
                _ = try await app.services.contacts.create(contact, by: try await app.admin)
            }
            let page = try await browser.get("/customers/\(c.id!.uuidString)").text
            // Breadcrumbs: the list, the parent company, then this customer.
            #expect(page.contains(#"<li><a href="/customers">客户</a></li><li><a href="/customers/\#(parent.id!.uuidString)">星辰集团</a></li><li aria-current="page">星辰百货</li>"#))
            // Key facts in the header: the e-mail writes when tapped.
            let header = try #require(page.range(of: #"<header class="card record-head" data-refresh>"#))
            let facts = page[header.lowerBound...]
            #expect(facts.contains(#"<dt>电子邮箱</dt><dd><a href="mailto:info@xingchen.cn">info@xingchen.cn</a></dd>"#))
            // The index counts the two contacts, and each entry leads to its section.
            #expect(page.contains(##"<a href="#contacts">联系人 <span class="count">2</span></a>"##))
            #expect(page.contains(#"<section class="card" id="contacts">"#))
            #expect(page.contains(##"<a href="#details">详细信息</a>"##))
            // Fields are grouped under headings.
            #expect(page.contains("<h3>概况</h3>"))
            #expect(page.contains("<h3>联系方式</h3>"))

            // A contact's page leads back to its company.
            let contact = try #require(try await app.services.contactQuery.list(ContactFilter(), for: try await app.admin).contacts.first)
            let contactPage = try await browser.get("/contacts/\(contact.id!.uuidString)").text
            #expect(contactPage.contains(#"<li><a href="/contacts">联系人</a></li><li><a href="/customers/\#(c.id!.uuidString)">星辰百货</a></li>"#))
        }
    }

    @Test("A field changed in place is validated, version-checked and audited like the edit form; the script gets JSON, a plain form a redirect")
    func inlineEdit() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "sales.lead")
            let c = try await customer(app)
            let path = "/customers/\(c.id!.uuidString)"
            let page = try await browser.get(path).text
            // Each editable field carries its own one-field form with the page's version.
            #expect(page.contains(#"<form method="post" action="\#(path)/field" class="inline-form" data-inline>"#))
            #expect(page.contains(#"<input type="hidden" name="field" value="phone">"#))
            #expect(page.contains(#"<input name="phone" type="tel" value="021-6666 8888" aria-label="电话">"#))

            // The page's script: JSON with the new version.
            let saved = try await browser.post("\(path)/field", ["field": "phone", "phone": "021-6666 9999", "version": "1"], accept: "application/json")
            #expect(saved.status == .ok)
            #expect(saved.text == #"{"version":2}"#)
            var current = try await app.services.customers.find(c.id!, for: try await app.admin)
            #expect(current.phone == "021-6666 9999")
            #expect(current.lifecycleStage == "acquisition", "only the named field changes")
            let history = try await app.services.auditQuery.history(kind: .customers, id: c.id!.uuidString)
            #expect(history.contains { $0.action == "update" && String(describing: $0.changes).contains("021-6666 9999") })

            // A select field, from a browser without the script: back to the page, saying so.
            let plain = try await browser.post("\(path)/field", ["field": "lifecycle_stage", "lifecycle_stage": "growth", "version": "2"])
            #expect(plain.status == .seeOther)
            #expect(plain.location == "\(path)?notice=saved")
            current = try await app.services.customers.find(c.id!, for: try await app.admin)
            #expect(current.lifecycleStage == "growth")

            // The same checks as the edit form: a bad e-mail is refused with the reason, nothing saved.
            let bad = try await browser.post("\(path)/field", ["field": "email", "email": "not-mail", "version": "3"], accept: "application/json")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("电子邮箱不是有效的电子邮箱地址。"))
            // An out-of-date page is refused, not overwritten.
            let stale = try await browser.post("\(path)/field", ["field": "industry", "industry": "零售", "version": "1"], accept: "application/json")
            #expect(stale.status == .conflict)
            #expect(stale.text.contains("已有他人修改了它"))
            // Without the script the refusal is the whole edit form, holding what was typed.
            let badForm = try await browser.post("\(path)/field", ["field": "email", "email": "not-mail", "version": "3"])
            #expect(badForm.status == .badRequest)
            #expect(badForm.text.contains(#"value="not-mail""#))
            // Only the fields the page offers: the name or the owner are changed through the form.
            let other = try await browser.post("\(path)/field", ["field": "owner_id", "owner_id": "", "version": "3"], accept: "application/json")
            #expect(other.status == .badRequest)
            #expect(other.text.contains("不能在此直接修改"))
            current = try await app.services.customers.find(c.id!, for: try await app.admin)
            #expect(current.version == 3 && current.email == nil && current.industry == nil && current.ownerID != nil)

            // The timeline names who changed it as colleagues know them, not by sign-in name.
            try await app.services.database.sql.update("users").set("display_name", to: "王销售").where("username", .equal, "sales.lead").run()
            // Changed behind the app's back, as another process would: told, rather than waiting out the signed-in cache.
            app.services.caches.changed(.users)
            let timeline = try await browser.get(path).text
            #expect(timeline.contains("· 王销售 · 变更"))
            #expect(!timeline.contains("sales.lead"))
        }
    }

    @Test("A reader who may not change the record sees no in-place edits, and the route refuses them")
    func readOnly() async throws {
        try await TestApp.run { app, client in
            let c = try await customer(app)
            let role = try await app.makeRole("customers-read", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("clerk", roles: [role.id!])
            var clerk = Browser(client)
            _ = try await clerk.signIn("clerk", "Secret-pass-42")
            let page = try await clerk.get("/customers/\(c.id!.uuidString)").text
            #expect(page.contains("021-6666 8888"))
            #expect(!page.contains("data-inline"))
            let refused = try await clerk.post("/customers/\(c.id!.uuidString)/field", ["field": "phone", "phone": "1", "version": "1"], accept: "application/json")
            #expect(refused.status == .forbidden || refused.status == .notFound)
            #expect(try await app.services.customers.find(c.id!, for: try await app.admin).phone == "021-6666 8888")
        }
    }

    @Test("A deal's amount and a lead's rating change in place; a deal keeps its competitors")
    func otherKinds() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "sales.lead")
            let admin = try await app.admin
            let c = try await customer(app)
            var competitor = CompetitorInput()
            competitor.name = "对手甲"
            let rival = try await app.services.sales.competitors.create(competitor, by: admin)
            var deal = OpportunityInput()
            (deal.name, deal.customerID, deal.amount, deal.competitorIDs) = ("年度框架协议", .some(c.id), "10000", [rival.id!])
            let o = try await app.services.sales.opportunities.create(deal, by: admin)
            let dealPage = try await browser.get("/opportunities/\(o.id!.uuidString)").text
            #expect(dealPage.contains(#"<li><a href="/opportunities">商机</a></li><li><a href="/customers/\#(c.id!.uuidString)">星辰百货</a></li>"#))
            let saved = try await browser.post("/opportunities/\(o.id!.uuidString)/field", ["field": "amount", "amount": "25000", "version": "\(o.version)"], accept: "application/json")
            #expect(saved.status == .ok)
            let after = try await app.services.sales.opportunities.find(o.id!, for: admin)
            #expect(after.amount.decimalText == "25000.00")
            #expect(try await app.services.sales.opportunities.competitorIDs(of: o.id!) == [rival.id!])

            // A contact's title changed in place leaves their phones as they were.
            var person = ContactInput()
            (person.name, person.customerID, person.phones) = ("李雷", .some(c.id), [ContactChannel(kind: .phone, value: "139 0000 1111", label: "手机")])
            let contact = try await app.services.contacts.create(person, by: admin)
            let titled = try await browser.post("/contacts/\(contact.id!.uuidString)/field", ["field": "title", "title": "采购经理", "version": "\(contact.version)"], accept: "application/json")
            #expect(titled.status == .ok)
            #expect(try await app.services.contacts.find(contact.id!, for: admin).title == "采购经理")
            #expect(try await app.services.contacts.channels(of: contact.id!).map(\.value) == ["139 0000 1111"])

            var lead = LeadInput()
            (lead.name, lead.company) = ("王经理", "远景贸易")
            let l = try await app.services.sales.leads.create(lead, by: admin)
            let rated = try await browser.post("/leads/\(l.id!.uuidString)/field", ["field": "rating", "rating": "hot", "version": "\(l.version)"], accept: "application/json")
            #expect(rated.status == .ok)
            #expect(try await app.services.sales.leads.find(l.id!, for: admin).rating == "hot")
            let badRating = try await browser.post("/leads/\(l.id!.uuidString)/field", ["field": "rating", "rating": "lukewarm", "version": "\(l.version + 1)"], accept: "application/json")
            #expect(badRating.status == .badRequest)
        }
    }

    @Test("A record page lists what is still to do about it, soonest first with overdue marked, and Done returns to the page")
    func openActivities() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "sales.lead")
            let admin = try await app.admin
            let c = try await customer(app)
            var person = ContactInput()
            (person.name, person.customerID) = ("李雷", .some(c.id))
            let contact = try await app.services.contacts.create(person, by: admin)
            let now = app.clock.now()
            func activity(_ kind: String, _ subject: String, about: (RecordKind, UUID), due: TimeInterval, status: String = "planned") async throws -> Activity {
                var input = ActivityInput()
                (input.kind, input.subject, input.related, input.status) = (kind, subject, .some(about), status)
                if kind == "task" { input.dueAt = .some(now.addingTimeInterval(due)) } else {
                    (input.startsAt, input.endsAt) = (.some(now.addingTimeInterval(due)), .some(now.addingTimeInterval(due + 3600)))
                }
                return try await app.services.activities.create(input, by: admin)
            }
            let late = try await activity("task", "补寄样品", about: (.contacts, contact.id!), due: -86_400)
            _ = try await activity("meeting", "季度回顾", about: (.customers, c.id!), due: 7 * 86_400)
            _ = try await activity("call", "已打过的电话", about: (.customers, c.id!), due: -3 * 86_400, status: "done")
            _ = try await activity("task", "取消的任务", about: (.customers, c.id!), due: 86_400, status: "cancelled")

            let path = "/customers/\(c.id!.uuidString)"
            let page = try await browser.get(path).text
            let section = try #require(page.range(of: #"<section class="card" id="open-activities" data-refresh>"#))
            let open = String(page[section.lowerBound...]).components(separatedBy: "</section>")[0]
            #expect(page.contains(##"<a href="#open-activities">待办活动 <span class="count">2</span></a>"##))
            // The contact's overdue task comes before the customer's meeting next week; what is done or cancelled is not listed.
            let task = try #require(open.range(of: "补寄样品")), meeting = try #require(open.range(of: "季度回顾"))
            #expect(task.lowerBound < meeting.lowerBound)
            #expect(!open.contains("已打过的电话") && !open.contains("取消的任务"))
            #expect(open.contains(#"<span class="badge warn">已逾期</span>"#))
            #expect(open.components(separatedBy: "已逾期").count == 2, "only the late task is overdue")
            #expect(open.contains(#"href="/activities/new?about=customers:\#(c.id!.uuidString)&kind=task""#))
            #expect(open.contains(#"<input type="hidden" name="back" value="customers:\#(c.id!.uuidString)">"#))
            // The contact's page lists only what is about the contact.
            let contactPage = try await browser.get("/contacts/\(contact.id!.uuidString)").text
            #expect(contactPage.contains(##"<a href="#open-activities">待办活动 <span class="count">1</span></a>"##))

            // Done on the page returns to it; a "back" that names no record page leads to the activity.
            let done = try await browser.post("/activities/\(late.id!.uuidString)/complete", ["version": "1", "back": "customers:\(c.id!.uuidString)"])
            #expect(done.location == "\(path)?notice=saved")
            #expect(try await app.services.activities.find(late.id!, for: admin).status == "done")
            #expect(try await browser.get(path).text.contains(##"<a href="#open-activities">待办活动 <span class="count">1</span></a>"##))
            let meeting2 = try await activity("task", "再跟进", about: (.customers, c.id!), due: 3600)
            for back in ["https://evil.example/", "//evil.example", "nonsense:\(c.id!.uuidString)", "customers:not-an-id"] {
                let odd = try await browser.post("/activities/\(meeting2.id!.uuidString)/complete", ["version": "\(try await app.services.activities.find(meeting2.id!, for: admin).version)", "back": back, "status": "planned"])
                #expect(odd.location == "/activities/\(meeting2.id!.uuidString)?notice=saved", "\(back)")
            }
        }
    }
}
