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
