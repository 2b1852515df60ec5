import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import HummingbirdTesting
import Testing
import GuanxiPlatform

/// Fields that point to another record search the whole file, under the reader's permissions.
@Suite("Record pickers")
struct RecordPickerTests {
    /// A rep who owns 60 customers (more than a picker's first page) and an
    /// administrator's customer the rep may not see.
    static func rep(_ app: TestApp) async throws -> (customers: [Customer], hidden: Customer) {
        let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .create, .update], scope: .own),
                                                  .opportunities: Grant(actions: [.read, .create, .update], scope: .own)])
        let rep = try await app.makeUser("wang", roles: [role.id!])
        var customers: [Customer] = []
        for n in 1...60 {
            var input = CustomerInput()
            (input.name, input.ownerID) = (String(format: "客户%02d 华东", n), .some(rep.id!))
            customers.append(try await app.services.customers.create(input, by: try await app.admin))
        }
        var secret = CustomerInput()
        (secret.name, secret.ownerID) = ("客户99 机密", .some(nil))
        let hidden = try await app.services.customers.create(secret, by: try await app.admin)
        try await app.services.database.sql.update("customers").set("owner_id", to: try await app.admin.userID).where("id", .equal, hidden.id!).run()
        return (customers, hidden)
    }

    @Test("The look-up finds any readable record by part of its name, twenty at a time, and never one the reader may not see")
    func lookUp() async throws {
        try await TestApp.run { app, client in
            let (customers, hidden) = try await Self.rep(app)
            var browser = Browser(client)
            try await browser.signIn("wang", "Secret-pass-42")
            let found = try await browser.get("/pick/customers?q=%E5%AE%A2%E6%88%B759")  // 客户59
            #expect(found.headers[.contentType]?.hasPrefix("application/json") == true)
            let hits = try #require(try JSONSerialization.jsonObject(with: Data(buffer: found.body)) as? [[String: String]])
            #expect(hits.map { $0["label"] } == ["客户59 华东"])
            #expect(hits.first?["id"] == customers[58].id!.uuidString)
            let all = try #require(try JSONSerialization.jsonObject(with: Data(buffer: try await browser.get("/pick/customers?q=%E5%AE%A2%E6%88%B7").body)) as? [[String: String]])
            #expect(all.count == RecordPicker.pageSize)
            let secret = try #require(try JSONSerialization.jsonObject(with: Data(buffer: try await browser.get("/pick/customers?q=%E6%9C%BA%E5%AF%86").body)) as? [[String: String]])
            #expect(secret.isEmpty)
            #expect(!all.contains { $0["id"] == hidden.id!.uuidString })
            #expect(try await browser.get("/pick/nonsense").status == .notFound)
            #expect(try await browser.get("/pick/leads?q=a").status == .notFound)   // no grant on leads
            let long = try await browser.get("/pick/customers?q=" + String(repeating: "a", count: 101))
            #expect(long.status == .badRequest)
            var visitor = Browser(client)
            #expect(try await visitor.get("/pick/customers?q=a").location == "/login")
        }
    }

    @Test("A deal can be made for a customer beyond the picker's first page, and a company's parent beyond it survives an edit")
    func formsKeepFarChoices() async throws {
        try await TestApp.run { app, client in
            let (customers, _) = try await Self.rep(app)
            var browser = Browser(client)
            try await browser.signIn("wang", "Secret-pass-42")
            let far = customers[59]
            let form = try await browser.get("/opportunities/new?customer=\(far.id!.uuidString)")
            #expect(form.text.contains(#"<select name="customer_id" data-pick="customers""#))
            #expect(form.text.contains(#"<option value="\#(far.id!.uuidString)" selected>客户60 华东</option>"#))
            let made = try await browser.post("/opportunities/new", ["name": "远方的单子", "customer_id": far.id!.uuidString, "amount": "1000"])
            #expect(made.status == .seeOther)

            var change = CustomerInput()
            change.parentID = .some(far.id!)
            _ = try await app.services.customers.update(customers[0].id!, change, expectedVersion: nil, by: try await app.principal("wang"))
            let edit = try await browser.get("/customers/\(customers[0].id!.uuidString)/edit").text
            #expect(edit.contains(#"<option value="\#(far.id!.uuidString)" selected>客户60 华东</option>"#))
            // The company itself is never offered as its own parent.
            #expect(!edit.contains(#"<option value="\#(customers[0].id!.uuidString)""#))
        }
    }

    @Test("A deal's contact and a contact's manager are picked among the customer's own contacts, by typing beyond the first page")
    func contactsAtTheCustomer() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            func customer(_ name: String) async throws -> Customer {
                var input = CustomerInput()
                input.name = name
                return try await app.services.customers.create(input, by: admin)
            }
            let (east, west) = (try await customer("华东机械"), try await customer("华西电子"))
            var people: [Contact] = []
            for n in 1...30 {
                var input = ContactInput()
                (input.name, input.customerID) = (String(format: "联系人%02d", n), .some(east.id!))
                people.append(try await app.services.contacts.create(input, by: admin))
            }
            var stranger = ContactInput()
            (stranger.name, stranger.customerID) = ("联系人99", .some(west.id!))
            let elsewhere = try await app.services.contacts.create(stranger, by: admin)
            var browser = try await app.signedInBrowser(client, as: "chief")
            func ids(_ path: String) async throws -> [String] {
                try #require(try JSONSerialization.jsonObject(with: Data(buffer: try await browser.get(path).body)) as? [[String: String]]).compactMap { $0["id"] }
            }
            let first = try await ids("/pick/contacts?q=&customer=\(east.id!.uuidString)")
            #expect(first.count == RecordPicker.pageSize)
            #expect(!first.contains(elsewhere.id!.uuidString))
            #expect(try await ids("/pick/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA30&customer=\(east.id!.uuidString)") == [people[29].id!.uuidString])  // 联系人30
            #expect(try await ids("/pick/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA99&customer=\(east.id!.uuidString)").isEmpty, "another customer's contact")
            #expect(try await ids("/pick/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA99") == [elsewhere.id!.uuidString], "unnarrowed, the whole file")
            #expect(try await browser.get("/pick/contacts?customer=nonsense").status == .badRequest)
            #expect(try await browser.get("/pick/customers?customer=\(east.id!.uuidString)").status == .notFound, "customers hang on no customer")

            // The deal form offers the customer's first contacts and narrows its search by the customer field.
            let form = try await browser.get("/opportunities/new?customer=\(east.id!.uuidString)").text
            #expect(form.contains(#"<select name="contact_id" data-pick="contacts" data-placeholder="#))
            #expect(form.contains(#"data-pick-customer="customer_id""#))
            #expect(form.contains(#"<option value="\#(people[0].id!.uuidString)">联系人01</option>"#))
            #expect(!form.contains(elsewhere.id!.uuidString))
            let made = try await browser.post("/opportunities/new", ["name": "第三十位的单子", "customer_id": east.id!.uuidString,
                                                                   "contact_id": people[29].id!.uuidString, "amount": "1000"])
            #expect(made.status == .seeOther)
            let deal = try #require(try await app.services.database.sql.select().column("contact_id").from("opportunities")
                .where("name", .equal, "第三十位的单子").first(decodingColumn: "contact_id", as: UUID.self))
            #expect(deal == people[29].id!)
            let wrong = try await browser.post("/opportunities/new", ["name": "错位", "customer_id": east.id!.uuidString,
                                                                    "contact_id": elsewhere.id!.uuidString, "amount": "1"])
            #expect(wrong.status == .badRequest)
            // Editing keeps the chosen contact though it is beyond the first page.
            let dealPage = try #require(made.location?.split(separator: "?").first)
            let edit = try await browser.get("\(dealPage)/edit").text
            #expect(edit.contains(#"<option value="\#(people[29].id!.uuidString)" selected>联系人30</option>"#))

            // A contact's manager: the same customer's colleagues, never the contact itself.
            var report = ContactInput()
            report.reportsToID = .some(people[29].id!)
            _ = try await app.services.contacts.update(people[0].id!, report, expectedVersion: nil, by: admin)
            let contactForm = try await browser.get("/contacts/\(people[0].id!.uuidString)/edit").text
            #expect(contactForm.contains(#"data-pick-customer="\#(east.id!.uuidString)""#))
            #expect(contactForm.contains(#"<option value="\#(people[29].id!.uuidString)" selected>联系人30</option>"#))
            #expect(!contactForm.contains(#"<option value="\#(people[0].id!.uuidString)""#))
            #expect(!contactForm.contains(elsewhere.id!.uuidString))
        }
    }

    @Test("Owner pickers find any colleague the reader may pick by name or sign-in name — beyond the first 200 — and a rep only their teammates")
    func users() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            for n in 1...210 {
                let user = try await app.makeUser(String(format: "staff%03d", n))
                try await app.services.database.sql.update("users").set("display_name", to: String(format: "员工%03d", n)).where("id", .equal, user.id!).run()
            }
            var chief = try await app.signedInBrowser(client, as: "chief")
            let form = try await chief.get("/customers/new").text
            #expect(form.contains(#"<select name="owner_id" data-pick="users""#))
            for path in ["/opportunities/new", "/leads/new", "/activities/new?kind=call"] {
                #expect(try await chief.get(path).text.contains(#"<select name="owner_id" data-pick="users""#), "\(path)")
            }
            func labels(_ response: TestResponse) throws -> [String] {
                try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: String]]).compactMap { $0["label"] }
            }
            #expect(try labels(try await chief.get("/pick/users?q=%E5%91%98%E5%B7%A5209")) == ["员工209"])  // 员工209
            #expect(try labels(try await chief.get("/pick/users?q=STAFF210")) == ["员工210"])
            #expect(try labels(try await chief.get("/pick/users?q=%25")).isEmpty, "a % is matched literally")

            // A rep who may not read users picks only their team.
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .create], scope: .own)])
            let rep = try await app.makeUser("rep.zhou", roles: [role.id!])
            let mate = try await app.principal("staff007")
            _ = try await app.services.teams.create(name: "华东一组", description: nil, memberIDs: [rep.id!, mate.userID], by: admin)
            var browser = Browser(client)
            _ = try await browser.signIn("rep.zhou", "Secret-pass-42")
            #expect(try labels(try await browser.get("/pick/users?q=%E5%91%98%E5%B7%A5")) == ["员工007"])
            #expect(try labels(try await browser.get("/pick/users?q=")).sorted() == ["rep.zhou", "员工007"].sorted())
        }
    }
}
