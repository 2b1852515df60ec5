import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Contacts")
struct ContactTests {
    func customer(_ app: TestApp, _ name: String = "北京星辰科技有限公司", owner: UUID?? = nil) async throws -> Customer {
        var input = CustomerInput()
        input.name = name
        if let owner { input.ownerID = owner }
        return try await app.services.customers.create(input, by: try await app.admin)
    }

    @Test("A contact keeps several e-mails, phones and addresses, and its age follows the birthday")
    func createAndRead() async throws {
        try await TestApp.run { app, client in
            let company = try await customer(app)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let created = try await api.call(.post, "/contacts", json: """
                {"name":"李娜","customerId":"\(company.id!.uuidString)","title":"采购经理","wechat":"lina_2024","birthday":"1990-11-26",
                 "emails":[{"value":"li.na@xingchen.cn","label":"工作"},{"value":"LiNa@QQ.com"}],
                 "phones":[{"value":"138 0013 8000","label":"手机"},{"value":"010-6543 2101"}],"addresses":[{"value":"北京市海淀区中关村大街 1 号"}]}
                """)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"v1\"")
            let c = created.json
            #expect((c["emails"] as? [[String: Any]])?.map { $0["value"] as? String } == ["li.na@xingchen.cn", "LiNa@QQ.com"])
            #expect((c["phones"] as? [[String: Any]])?.first?["label"] as? String == "手机")
            // The test clock stands in 2026-09: the 1990-11-26 birthday has not come yet this year.
            let year = Calendar(identifier: .gregorian).component(.year, from: app.clock.now())
            #expect(c["age"] as? Int == year - 1990 - 1)
            #expect(c["ownerId"] as? String == company.ownerID?.uuidString)
            let id = try #require(c["id"] as? String)
            let changed = try await api.call(.patch, "/contacts/\(id)", json: #"{"phones":[{"value":"+86 139 0000 0000"}]}"#, headers: [.ifMatch: "\"v1\""])
            #expect(changed.status == .ok)
            #expect((changed.json["phones"] as? [[String: Any]])?.count == 1)
            #expect((changed.json["emails"] as? [[String: Any]])?.count == 2)
            let entry = try #require(try await app.auditEntries(action: "update", kind: .contacts, id: id).first)
            #expect(entry.changes == [FieldChange(field: "phones", old: "手机: 138 0013 8000; 010-6543 2101", new: "+86 139 0000 0000")])
            #expect(try await api.call(.patch, "/contacts/\(id)", json: #"{"title":"总监"}"#, headers: [.ifMatch: "\"v1\""]).status == .preconditionFailed)
        }
    }

    @Test("Bad contact input names the field, down to the list entry, and saves nothing", arguments: [
        (#"{"title":"x"}"#, "name"),
        (#"{"name":"A","wechat":"1abc"}"#, "wechat"),
        (#"{"name":"A","emails":[{"value":"a@b.cn"},{"value":"broken"}]}"#, "emails[1]"),
        (#"{"name":"A","phones":[{"value":"12"}]}"#, "phones[0]"),
        (#"{"name":"A","birthday":"3000-01-01"}"#, "birthday"),
        (#"{"name":"A","customerId":"6F1B0F5C-0000-4000-8000-000000000000"}"#, "customerId"),
        (#"{"name":"A","emails":[{"value":"a@b.cn","kind":"x"}]}"#, nil),
    ])
    func badInput(body: String, field: String?) async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let response = try await api.call(.post, "/contacts", json: body)
            #expect(response.status == .badRequest)
            if let field { #expect(response.errorBody["field"] as? String == field) }
            #expect(try await app.services.contactQuery.list(ContactFilter(), for: try await app.admin).contacts.isEmpty)
        }
    }

    @Test("Reporting lines stay within one customer and never loop; the page shows the chart")
    func orgChart() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let company = try await customer(app)
            let other = try await customer(app, "上海星光贸易有限公司")
            func add(_ name: String, at customer: Customer, reportsTo: UUID? = nil) async throws -> Contact {
                var input = ContactInput()
                input.name = name
                input.customerID = .some(customer.id)
                if let reportsTo { input.reportsToID = .some(reportsTo) }
                return try await app.services.contacts.create(input, by: admin)
            }
            let ceo = try await add("王总", at: company)
            let buyer = try await add("李经理", at: company, reportsTo: ceo.id)
            let clerk = try await add("张助理", at: company, reportsTo: buyer.id)
            let outsider = try await add("赵先生", at: other)
            var loop = ContactInput()
            loop.reportsToID = .some(clerk.id)
            await #expect(throws: GuanxiError.self) { _ = try await app.services.contacts.update(ceo.id!, loop, expectedVersion: nil, by: admin) }
            var elsewhere = ContactInput()
            elsewhere.reportsToID = .some(outsider.id)
            await #expect(throws: GuanxiError.self) { _ = try await app.services.contacts.update(clerk.id!, elsewhere, expectedVersion: nil, by: admin) }

            try await app.makeUser("viewer", admin: true)
            var browser = Browser(client)
            try await browser.signIn("viewer", "Secret-pass-42")
            let page = try await browser.get("/customers/\(company.id!.uuidString)").text
            let order = ["王总", "李经理", "张助理"].map { page.range(of: $0)?.lowerBound }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(page.contains("— <a href=\"/contacts/\(buyer.id!.uuidString)\">李经理"))
            #expect(page.contains("— — <a href=\"/contacts/\(clerk.id!.uuidString)\">张助理"))
            #expect(!page.contains("赵先生"))
        }
    }

    @Test("A phone or e-mail sent twice, however typed, is kept once; the search text and the rows hold each one's normal form")
    func channelsCheckedOnce() async throws {
        try await TestApp.run { app, _ in
            var input = ContactInput()
            input.name = "Zhang 伟"
            input.wechat = "zhangwei_88"
            input.emails = [ContactChannel(kind: .email, value: "zw@example.cn", label: "工作"), ContactChannel(kind: .email, value: "ZW@Example.CN"),
                            ContactChannel(kind: .email, value: "Zhang.Wei@QQ.com")]
            input.phones = [ContactChannel(kind: .phone, value: "+86 138-0013-8000"), ContactChannel(kind: .phone, value: "8613800138000"),
                            ContactChannel(kind: .phone, value: "010 6543 2101")]
            input.addresses = [ContactChannel(kind: .address, value: "北京市 Chaoyang")]
            let checked = try ContactService.checkedChannels(input, current: [])
            #expect(checked.list.map(\.kind) == [.email, .email, .phone, .phone, .address])
            #expect(checked.list.first?.label == "工作")
            #expect(checked.normals == ["zw@example.cn", "zhang.wei@qq.com", "8613800138000", "01065432101", "北京市 chaoyang"])
            #expect(checked.searchable == ["zw@example.cn", "zhang.wei@qq.com", "8613800138000", "01065432101"])
            // A normal form is stored apart only where it differs from the value as typed.
            #expect(checked.apart.first == .some(nil) && checked.apart[1] == "zhang.wei@qq.com" && checked.apart[2] == "8613800138000")

            let contact = try await app.services.contacts.create(input, by: try await app.admin)
            let sql = app.services.database.sql
            let row = try #require(try await sql.select().columns("search_text", "name_sort", "version", "notes").from("contacts").where("id", .equal, contact.id!).first())
            #expect(try row.decode(column: "search_text", as: String.self) == "zhang 伟 zhangwei_88 zw@example.cn zhang.wei@qq.com 8613800138000 01065432101")
            #expect(try row.decode(column: "name_sort", as: String?.self) == Pinyin.sortKey("Zhang 伟", person: true))
            #expect(try row.decode(column: "version", as: Int.self) == 1 && row.decode(column: "notes", as: String.self) == "")
            let stored = try await sql.select().columns("value", "normalized").from("contact_channels").where("contact_id", .equal, contact.id!)
                .orderBy("kind").orderBy("position").all().map { "\(try $0.decode(column: "value", as: String.self)) → \(try $0.decode(column: "normalized", as: String.self))" }
            #expect(stored.count == 5 && stored.contains("zw@example.cn → zw@example.cn") && stored.contains("Zhang.Wei@QQ.com → zhang.wei@qq.com"))
            #expect(Set(try await app.services.contacts.channels(of: contact.id!).map(\.value)) == Set(checked.list.map(\.value)))
        }
    }

    @Test("Search finds contacts by name, WeChat ID, any e-mail or any phone's digits")
    func search() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var input = ContactInput()
            input.name = "欧阳晓明"
            input.wechat = "ouyang_xm"
            input.emails = [ContactChannel(kind: .email, value: "xm@work.cn"), ContactChannel(kind: .email, value: "Private.Box@163.com")]
            input.phones = [ContactChannel(kind: .phone, value: "0755-8888 1234")]
            _ = try await app.services.contacts.create(input, by: admin)
            var other = ContactInput()
            other.name = "Someone Else"
            _ = try await app.services.contacts.create(other, by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            for term in ["晓明", "ouyang", "private.box", "88881234", "8888-1234"] {
                let found = ((try await api.call(.get, "/contacts?q=\(term.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")).json["items"] as? [[String: Any]]) ?? []
                #expect(found.compactMap { $0["name"] as? String } == ["欧阳晓明"], "\(term)")
            }
        }
    }

    @Test("A contact follows its customer's owner, so scopes apply to it the same way")
    func scopes() async throws {
        try await TestApp.run { app, client in
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read], scope: .own), .contacts: Grant(actions: [.read, .create], scope: .own)])
            let rep = try await app.makeUser("rep.one", roles: [role.id!])
            try await app.makeUser("rep.two", roles: [role.id!])
            let mine = try await customer(app, "Mine", owner: .some(rep.id))
            let theirs = try await customer(app, "Theirs", owner: .some((try await app.admin).userID))
            for (name, company) in [("Mine's buyer", mine), ("Their buyer", theirs)] {
                var input = ContactInput()
                input.name = name
                input.customerID = .some(company.id)
                _ = try await app.services.contacts.create(input, by: try await app.admin)
            }
            let seen = try await app.services.contactQuery.list(ContactFilter(), for: try await app.principal("rep.one")).contacts.map(\.name)
            #expect(seen == ["Mine's buyer"])
            let other = APIClient(client: client, token: try await app.token(for: "rep.two"))
            #expect((try await other.call(.get, "/contacts")).json["items"] as? [Any] != nil)
            #expect(((try await other.call(.get, "/contacts")).json["items"] as? [Any])?.isEmpty == true)
            // Adding a contact to a customer one cannot see is refused.
            let sneaky = try await other.call(.post, "/contacts", json: "{\"name\":\"X\",\"customerId\":\"\(mine.id!.uuidString)\"}")
            #expect(sneaky.errorBody["field"] as? String == "customerId")
        }
    }

    @Test("A contact's page shows where they work, whom they report to and their history; read-only users cannot edit")
    func contactPage() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let company = try await customer(app)
            var bossInput = ContactInput()
            bossInput.name = "王总"
            bossInput.customerID = .some(company.id)
            let boss = try await app.services.contacts.create(bossInput, by: admin)
            var input = ContactInput()
            input.name = "周工"
            input.customerID = .some(company.id)
            input.reportsToID = .some(boss.id)
            input.phones = [ContactChannel(kind: .phone, value: "139 2222 3333", label: "手机")]
            let contact = try await app.services.contacts.create(input, by: admin)
            let role = try await app.makeRole("reader", [.customers: Grant(actions: [.read], scope: .all), .contacts: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("reader", roles: [role.id!])
            var browser = Browser(client)
            try await browser.signIn("reader", "Secret-pass-42")
            let page = try await browser.get("/contacts/\(contact.id!.uuidString)")
            #expect(page.status == .ok)
            #expect(page.text.contains("北京星辰科技有限公司"))
            #expect(page.text.contains("王总"))
            // Each phone on its own row under its label, dialling when tapped; the boss's name leads to the boss.
            #expect(page.text.contains(#"<tr><th>手机</th><td><a href="tel:13922223333">139 2222 3333</a></td></tr>"#))
            #expect(page.text.contains(#"<a href="/contacts/\#(boss.id!.uuidString)">王总</a>"#))
            #expect(page.text.contains("新建"))
            #expect(!page.text.contains("/contacts/\(contact.id!.uuidString)/edit"))
            #expect(try await browser.get("/contacts/\(contact.id!.uuidString)/edit").status == .forbidden)
        }
    }

    @Test("Contacts are added and edited through the web forms, one channel per line")
    func webForms() async throws {
        try await TestApp.run { app, client in
            let company = try await customer(app)
            try await app.makeUser("desk", admin: true)
            var browser = Browser(client)
            try await browser.signIn("desk", "Secret-pass-42")
            _ = try await browser.get("/customers/\(company.id!.uuidString)/contacts/new")
            let saved = try await browser.post("/customers/\(company.id!.uuidString)/contacts/new", [
                "name": "陈小姐", "title": "财务", "emails": "工作：chen@xingchen.cn\nchen.home@163.com", "phones": "手机: 139 1111 2222",
            ])
            #expect(saved.status == .seeOther)
            let contact = try #require(try await app.services.contactQuery.list(ContactFilter(), for: try await app.admin).contacts.first)
            let channels = try await app.services.contacts.channels(of: contact.id!)
            #expect(channels.contains(ContactChannel(kind: .email, value: "chen@xingchen.cn", label: "工作")))
            #expect(channels.contains(ContactChannel(kind: .email, value: "chen.home@163.com")))
            #expect(channels.contains(ContactChannel(kind: .phone, value: "139 1111 2222", label: "手机")))
            _ = try await browser.get("/contacts/\(contact.id!.uuidString)/edit")
            let bad = try await browser.post("/contacts/\(contact.id!.uuidString)/edit", ["version": "1", "name": "陈小姐", "emails": "not-an-email"])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("not-an-email"))
            #expect(try await app.services.contacts.channels(of: contact.id!).count == 3)
        }
    }
}
