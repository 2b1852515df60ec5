import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import SQLKit
import Testing
import GuanxiPlatform

@Suite("Duplicates and merge")
struct DuplicateTests {
    static func customer(_ app: TestApp, _ name: String, email: String? = nil, phone: String? = nil, tags: [String]? = nil, by actor: Principal? = nil) async throws -> Customer {
        let admin = try await app.admin
        var input = CustomerInput()
        (input.name, input.email, input.phone, input.tags) = (name, email, phone, tags)
        return try await app.services.customers.create(input, by: actor ?? admin)
    }

    @Test("Creating a customer or contact that probably exists answers 409 with the candidates unless told to save anyway; the form warns the same way")
    func warnOnCreate() async throws {
        try await TestApp.run { app, client in
            let star = try await Self.customer(app, "北京星辰科技有限公司", email: "Info@XingChen.cn", phone: "010-6666 8888")
            _ = try await app.makeUser("clerk", admin: true)
            let api = APIClient(client: client, token: try await app.token(for: "clerk"))
            for body in [#"{"name":"北京星辰科技股份有限公司"}"#, #"{"name":"新公司","email":"info@xingchen.cn"}"#, #"{"name":"另一家","phone":"(010) 6666-8888"}"#] {
                let refused = try await api.call(.post, "/customers", json: body)
                #expect(refused.status == .conflict, "\(body)")
                #expect(refused.errorBody["code"] as? String == "probable_duplicate")
                #expect((refused.errorBody["details"] as? [[String: Any]])?.first?["id"] as? String == star.id!.uuidString)
            }
            #expect(try await api.call(.post, "/customers", json: #"{"name":"北京星辰科技股份有限公司","allowDuplicates":true}"#).status == .created)
            #expect(try await api.call(.post, "/customers", json: #"{"name":"上海云海贸易"}"#).status == .created)
            var contact = ContactInput()
            (contact.name, contact.customerID) = ("王伟", .some(star.id))
            contact.phones = [ContactChannel(kind: .phone, value: "138 0013 8000")]
            _ = try await app.services.contacts.create(contact, by: try await app.admin)
            let dup = try await api.call(.post, "/contacts", json: #"{"name":"王先生","phones":[{"value":"(138) 0013-8000"}]}"#)
            #expect(dup.status == .conflict && (dup.errorBody["details"] as? [[String: Any]])?.first?["reason"] as? String == "phone")
            let same = try await api.call(.post, "/contacts", json: "{\"name\":\"王伟\",\"customerId\":\"\(star.id!.uuidString)\"}")
            #expect(same.status == .conflict && (same.errorBody["details"] as? [[String: Any]])?.first?["reason"] as? String == "name")
            var browser = try await app.signedInBrowser(client, as: "chief")
            _ = try await browser.get("/customers/new")
            let form = ["name": "北京星辰科技", "kind": "company", "relationship": "customer"]
            let warned = try await browser.post("/customers/new", form)
            #expect(warned.status == .conflict)
            #expect(warned.text.contains("可能已经存在") && warned.text.contains("href=\"/customers/\(star.id!.uuidString)\"") && warned.text.contains("name=\"allow_duplicates\""))
            let saved = try await browser.post("/customers/new", form.merging(["allow_duplicates": "on"]) { a, _ in a })
            #expect(saved.status == .seeOther)
        }
    }

    @Test("Companies that share only a name are grouped only when a city, a company e-mail domain, an address or a phone backs it up")
    func nameNeedsEvidence() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            // Ten "Northwind Trading" in ten cities with nothing else in common: ten companies.
            for (n, city) in ["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "青岛"].enumerated() {
                var input = CustomerInput()
                (input.name, input.city, input.email) = (n % 2 == 0 ? "Northwind Trading Inc." : "Northwind Trading Ltd.", city, "buyer\(n)@163.com")
                _ = try await app.services.customers.create(input, by: admin)
            }
            let finder = DuplicateFinder(services: app.services.customerFile)
            #expect(try await finder.groups(.customers, for: admin).total == 0)
            // One more in Shanghai, and one writing from the company's own domain as the Beijing one does.
            var shanghai = CustomerInput()
            (shanghai.name, shanghai.city) = ("Northwind Trading Co., Ltd.", "上海")
            _ = try await app.services.customers.create(shanghai, by: admin)
            try await app.services.database.sql.update("customers").set("email", to: "sales@northwind.cn").where("city", .equal, "北京").run()
            var sameDomain = CustomerInput()
            (sameDomain.name, sameDomain.email) = ("Northwind Trading", "info@northwind.cn")
            _ = try await app.services.customers.create(sameDomain, by: admin)
            let found = try await finder.groups(.customers, for: admin)
            #expect(found.total == 2)
            #expect(Set(found.groups.map { $0.members.count }) == [2])
            #expect(found.groups.allSatisfy { $0.reasons == ["name"] })
        }
    }

    @Test("The finder groups customers by e-mail, phone digits and company name without legal forms (Chinese and English), contacts by channels and by name at a customer; ranked, dismissable, within the reader's scope")
    func finder() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            for (name, email, phone, city) in [("北京星辰科技有限公司", "a@xc.cn", nil, "北京"), ("北京星辰科技股份有限公司", nil, nil, "北京"), ("ACME Co., Ltd.", nil, "021 5555 0001", nil),
                                               ("Acme Limited", nil, "(021) 5555-0001", nil), ("上海云海", "SALES@yunhai.cn", nil, nil), ("云海贸易（上海）", "sales@yunhai.cn", nil, nil),
                                               ("独一家", nil, nil, nil)] as [(String, String?, String?, String?)] {
                var input = CustomerInput()
                (input.name, input.email, input.phone, input.city) = (name, email, phone, city)
                _ = try await app.services.customers.create(input, by: admin)
            }
            let finder = DuplicateFinder(services: app.services.customerFile)
            let found = try await finder.groups(.customers, for: admin)
            #expect(found.total == 3)
            #expect(found.groups.map { $0.members.map(\.name) } == [["上海云海", "云海贸易（上海）"], ["ACME Co., Ltd.", "Acme Limited"], ["北京星辰科技有限公司", "北京星辰科技股份有限公司"]])
            #expect(found.groups.map(\.reasons) == [["email"], ["phone", "name"], ["name"]])
            #expect(found.groups.map(\.score) == [100, 95, 80])
            try await finder.dismiss(.customers, key: found.groups[2].key, by: admin)
            #expect(try await finder.groups(.customers, for: admin).total == 2)
            // Contacts: the same e-mail in another case, and the same person twice at one customer.
            let company = try await app.services.database.sql.select().column("id").from("customers").where("name", .equal, "独一家").first()!.decode(column: "id", as: UUID.self)
            for (name, email) in [("李娜", "Li.Na@example.cn"), ("Li Na", "li.na@example.cn"), ("张伟", nil), ("张伟", nil), ("赵六", nil)] as [(String, String?)] {
                var input = ContactInput()
                (input.name, input.customerID) = (name, .some(company))
                input.emails = email.map { [ContactChannel(kind: .email, value: $0)] }
                _ = try await app.services.contacts.create(input, by: admin)
            }
            let contacts = try await finder.groups(.contacts, for: admin)
            #expect(contacts.groups.map { $0.members.map(\.name) } == [["Li Na", "李娜"], ["张伟", "张伟"]])
            // A rep sees only groups among records they may read.
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read], scope: .own)])
            _ = try await app.makeUser("rep.sun", roles: [role.id!])
            #expect(try await finder.groups(.customers, for: try await app.principal("rep.sun")).total == 0)
        }
    }

    @Test("Merging customers keeps the chosen values, moves contacts, deals, activities, purchases, attachments, child companies, tags and custom values, shows the removed one's history; undo puts everything back")
    func mergeAndUndo() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("customers", "tax_no", "税号", "text")
            _ = try await app.services.customFields.create(field, by: admin)
            let keep = try await Self.customer(app, "北京星辰科技", email: "info@xc.cn", tags: ["VIP"])
            var otherInput = CustomerInput()
            (otherInput.name, otherInput.phone, otherInput.externalID, otherInput.industry, otherInput.tags) = ("北京星辰科技有限公司", "010-6666 8888", "ERP-7", "软件", ["展会"])
            otherInput.customFields = ["tax_no": .text("91110000X")]
            let other = try await app.services.customers.create(otherInput, by: admin)
            _ = try await app.services.customers.update(other.id!, { var c = CustomerInput(); c.notes = "旧系统导入"; return c }(), expectedVersion: nil, by: admin)
            var contact = ContactInput()
            (contact.name, contact.customerID) = ("王伟", .some(other.id))
            let wang = try await app.services.contacts.create(contact, by: admin)
            var deal = OpportunityInput()
            (deal.name, deal.customerID, deal.amount) = ("年度框架", .some(other.id), "200000")
            let opportunity = try await app.services.sales.opportunities.create(deal, by: admin)
            var call = ActivityInput()
            (call.kind, call.subject, call.related) = ("note", "初次拜访", .some((.customers, other.id!)))
            let note = try await app.services.activities.create(call, by: admin)
            var purchase = PurchaseInput()
            (purchase.date, purchase.amount, purchase.reference) = ("2026-05-01", "999", "SO-1")
            _ = try await PurchaseService(services: app.services.customerFile).add(purchase, to: other.id!, by: admin)
            _ = try await AttachmentService(services: app.services.customerFile).add(to: .customers, other.id!, filename: "合同.pdf", contentType: "application/pdf", data: Data("pdf".utf8), by: admin)
            var child = CustomerInput()
            (child.name, child.parentID) = ("星辰上海分公司", .some(other.id))
            let branch = try await app.services.customers.create(child, by: admin)

            let merge = try await MergeService(services: app.services.customerFile).merge(.customers, survivor: keep.id!, others: [other.id!], take: ["name": other.id!], by: admin)
            let merged = try await app.services.customers.find(keep.id!, for: admin)
            #expect((merged.name, merged.email, merged.phone, merged.externalID, merged.industry, merged.notes) == ("北京星辰科技有限公司", "info@xc.cn", "010-6666 8888", "ERP-7", "软件", "旧系统导入"))
            await #expect(throws: GuanxiError.self) { _ = try await app.services.customers.find(other.id!, for: admin) }
            let sql = app.services.database.sql
            func owner(_ table: String, _ column: String, _ id: UUID) async throws -> UUID? {
                try await sql.select().column(SQLIdentifier(column)).from(table).where("id", .equal, id).first()?.decode(column: column, as: UUID?.self)
            }
            #expect(try await owner("contacts", "customer_id", wang.id!) == keep.id)
            #expect(try await owner("opportunities", "customer_id", opportunity.id!) == keep.id)
            #expect(try await owner("activities", "related_id", note.id!) == keep.id)
            #expect(try await owner("customers", "parent_id", branch.id!) == keep.id)
            #expect(try await sql.select().column("customer_id").from("purchases").first()?.decode(column: "customer_id", as: UUID.self) == keep.id)
            #expect(try await AttachmentService(services: app.services.customerFile).list(.customers, keep.id!, for: admin).map(\.filename) == ["合同.pdf"])
            #expect(try await app.services.customers.tags(of: keep.id!) == ["VIP", "展会"])
            #expect(try await app.services.customValues.values(of: .customers, id: keep.id!)["tax_no"] == .text("91110000X"))
            let history = try await Timeline(services: app.services.customerFile).items(of: .customers, id: keep.id!, for: admin)
            #expect(history.contains { $0.change?.recordID == other.id!.uuidString && $0.change?.changes.contains { $0.field == "notes" } == true })
            #expect(try await app.auditEntries(action: "merge", kind: .customers).count == 2)

            try await MergeService(services: app.services.customerFile).undo(merge, by: admin)
            let back = try await app.services.customers.find(other.id!, for: admin)
            #expect((back.name, back.externalID, back.phone, back.notes) == ("北京星辰科技有限公司", "ERP-7", "010-6666 8888", "旧系统导入"))
            let restored = try await app.services.customers.find(keep.id!, for: admin)
            #expect((restored.name, restored.phone, restored.externalID) == ("北京星辰科技", nil, nil))
            #expect(try await app.services.customers.tags(of: keep.id!) == ["VIP"])
            #expect(try await app.services.customers.tags(of: other.id!) == ["展会"])
            #expect(try await app.services.customValues.values(of: .customers, id: other.id!)["tax_no"] == .text("91110000X"))
            #expect(try await app.services.customValues.values(of: .customers, id: keep.id!)["tax_no"] == nil)
            #expect(try await owner("contacts", "customer_id", wang.id!) == other.id)
            #expect(try await owner("opportunities", "customer_id", opportunity.id!) == other.id)
            #expect(try await owner("activities", "related_id", note.id!) == other.id)
            #expect(try await owner("customers", "parent_id", branch.id!) == other.id)
            #expect(try await sql.select().column("customer_id").from("purchases").first()?.decode(column: "customer_id", as: UUID.self) == other.id)
            #expect(try await AttachmentService(services: app.services.customerFile).list(.customers, other.id!, for: admin).map(\.filename) == ["合同.pdf"])
            await #expect(throws: GuanxiError.self) { try await MergeService(services: app.services.customerFile).undo(merge, by: admin) }
            #expect(try await app.auditEntries(action: "merge_undo").count == 1)
        }
    }

    @Test("Merging contacts joins their phones and e-mails and moves deals, activities and participation; undo separates them again")
    func mergeContacts() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let company = try await Self.customer(app, "云海贸易")
            func contact(_ name: String, phone: String, email: String?) async throws -> Contact {
                var input = ContactInput()
                (input.name, input.customerID) = (name, .some(company.id))
                input.phones = [ContactChannel(kind: .phone, value: phone, label: "手机")]
                input.emails = email.map { [ContactChannel(kind: .email, value: $0)] }
                return try await app.services.contacts.create(input, by: admin)
            }
            let a = try await contact("李娜", phone: "139 1111 2222", email: "li@yunhai.cn")
            let b = try await contact("李娜（采购）", phone: "139 1111 2222", email: "lina@qq.com")
            var meeting = ActivityInput()
            (meeting.kind, meeting.subject, meeting.startsAt, meeting.endsAt) = ("meeting", "报价会", .some(app.clock.now().addingTimeInterval(86_400)), .some(app.clock.now().addingTimeInterval(90_000)))
            meeting.participants = [Participant(.contact, b.id!)]
            let m = try await app.services.activities.create(meeting, by: admin)
            let merge = try await MergeService(services: app.services.customerFile).merge(.contacts, survivor: a.id!, others: [b.id!], by: admin)
            #expect(try await app.services.contacts.channels(of: a.id!).map(\.value).sorted() == ["139 1111 2222", "li@yunhai.cn", "lina@qq.com"])
            #expect(try await app.services.activities.participants(of: m.id!).map(\.id) == [a.id!])
            try await MergeService(services: app.services.customerFile).undo(merge, by: admin)
            #expect(try await app.services.contacts.channels(of: a.id!).map(\.value).sorted() == ["139 1111 2222", "li@yunhai.cn"])
            #expect(try await app.services.contacts.channels(of: b.id!).map(\.value).sorted() == ["139 1111 2222", "lina@qq.com"])
            #expect(try await app.services.activities.participants(of: m.id!).map(\.id) == [b.id!])
        }
    }

    @Test("The review queue merges on the web: pick the survivor and a field's value, merge, undo; bulk merge takes every group sharing an e-mail")
    func onTheWeb() async throws {
        try await TestApp.run { app, client in
            let a = try await Self.customer(app, "甲公司", email: "x@jia.cn")
            let b = try await Self.customer(app, "甲公司有限公司", email: "sales@jia.cn", phone: "021 6666 0001")   // the same company domain backs the name up
            _ = try await Self.customer(app, "乙", email: "same@yi.cn")
            _ = try await Self.customer(app, "乙公司", email: "SAME@yi.cn")
            var browser = try await app.signedInBrowser(client, as: "chief")
            let queue = try await browser.get("/duplicates?kind=customers")
            #expect(queue.text.components(separatedBy: "class=\"duplicate-group\"").count == 3)
            let ids = [a.id!.uuidString, b.id!.uuidString].sorted().joined(separator: ",")
            let page = try await browser.get("/duplicates/merge?kind=customers&ids=\(ids)")
            #expect(page.text.contains("name=\"take_phone\""))
            let done = try await browser.post("/duplicates/merge", ["kind": "customers", "ids": ids, "survivor": a.id!.uuidString, "take_name": b.id!.uuidString])
            let location = try #require(done.location)
            let result = try await browser.get(location)
            #expect(result.text.contains("甲公司有限公司"))
            #expect(try await app.services.customers.find(a.id!, for: try await app.admin).phone == "021 6666 0001")
            _ = try await browser.post("\(location)/undo", [:])
            #expect(try await browser.get(location).text.contains("data-undone=\"true\""))
            _ = try await browser.get("/duplicates?kind=customers")
            let bulk = try await browser.post("/duplicates/merge-exact", ["kind": "customers"])
            #expect(bulk.location == "/duplicates?kind=customers&merged=1&failed=0")
            #expect(try await app.services.database.sql.select().column("id").from("customers").where("name", .like, "乙%").all().count == 1)
        }
    }
}
