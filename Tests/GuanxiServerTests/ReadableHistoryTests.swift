import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import Testing
import GuanxiPlatform

/// Histories read as people read them: names, labels, yes/no and local times instead of
/// ids, codes and ISO moments; each stage move told once.
@Suite("Readable history")
struct ReadableHistoryTests {
    static let uuid = try! NSRegularExpression(pattern: "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")

    /// The page's visible text: tags (and the ids in their attributes) left out.
    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    }

    static func hasUUID(_ text: String) -> Bool { uuid.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }

    @Test("A customer's timeline and the audit log name owners and parents, label codes, and show no id")
    func customerHistory() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var browser = try await app.signedInBrowser(client, as: "chief")
            let li = try await app.makeUser("li.na")
            _ = try await app.services.users.update(li.id!, { var c = UserService.UserChanges(); c.displayName = "李娜"; return c }(), by: admin)
            var parentInput = CustomerInput()
            parentInput.name = "星辰集团"
            let parent = try await app.services.customers.create(parentInput, by: admin)
            var input = CustomerInput()
            (input.name, input.kind, input.size, input.lifecycleStage) = ("星辰科技", "company", "small", "at_risk")
            let customer = try await app.services.customers.create(input, by: admin)
            var change = CustomerInput()
            (change.ownerID, change.lifecycleStage, change.parentID) = (.some(li.id!), "growth", .some(parent.id!))
            _ = try await app.services.customers.update(customer.id!, change, expectedVersion: nil, by: admin)

            let page = try await browser.get("/customers/\(customer.id!.uuidString)")
            let html = String(page.text[try #require(page.text.range(of: "class=\"timeline\"")).lowerBound...])
            let timeline = Self.visibleText(html)
            #expect(timeline.contains("挽留期"))
            #expect(timeline.contains("成长期"))
            #expect(timeline.contains("李娜"))
            #expect(timeline.contains("星辰集团"))
            #expect(timeline.contains("10–49 人"))
            #expect(html.contains("<strong>负责人</strong>："))
            #expect(html.contains("<strong>上级公司</strong>："))
            #expect(!Self.hasUUID(timeline))
            #expect(!timeline.contains("at_risk"))

            // A purchase recorded on the customer is named in the reader's language.
            var purchase = PurchaseInput()
            (purchase.date, purchase.amount, purchase.items) = ("2026-09-01", "1200", ["年度维护"])
            _ = try await PurchaseService(services: app.services.customerFile).add(purchase, to: customer.id!, by: admin)
            let withPurchase = try await browser.get("/customers/\(customer.id!.uuidString)").text
            #expect(withPurchase.contains("<strong>购买记录</strong>："))
            #expect(!Self.visibleText(String(withPurchase[try #require(withPurchase.range(of: "class=\"timeline\"")).lowerBound...])).contains("purchases"))

            let audit = Self.visibleText(try await browser.get("/admin/audit?kind=customers").text)
            #expect(audit.contains("李娜") && audit.contains("星辰集团") && audit.contains("成长期"))
            #expect(!Self.hasUUID(audit))
        }
    }

    @Test("A user's history names roles and department and says yes or no; English readers read English")
    func userHistory() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            let role = try await app.makeRole("销售代表", [.customers: Grant(actions: [.read], scope: .own)])
            let department = try await app.services.departments.create(name: "华东大区", parentID: nil, by: try await app.admin)
            let user = try await app.makeUser("wang", department: department.id, roles: [role.id!])
            let zh = Self.visibleText(try await browser.get("/admin/users/\(user.id!.uuidString)").text)
            #expect(zh.contains("销售代表") && zh.contains("华东大区"))
            #expect(zh.contains("是") && !zh.contains("true"))
            #expect(!Self.hasUUID(zh.replacingOccurrences(of: user.id!.uuidString, with: "")))
            _ = try await browser.post("/language", ["lang": "en", "back": "/"])
            let en = Self.visibleText(try await browser.get("/admin/users/\(user.id!.uuidString)").text)
            #expect(en.contains("Yes") && !en.contains("true"))
            #expect(en.contains("简体中文") || en.contains("English"))
        }
    }

    @Test("A deal's stage move is told once on its timeline; the audit log names the stages; a record the reader may not see is not named")
    func dealHistory() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var browser = try await app.signedInBrowser(client, as: "chief")
            var customerInput = CustomerInput()
            customerInput.name = "远航物流"
            let customer = try await app.services.customers.create(customerInput, by: admin)
            var input = OpportunityInput()
            (input.name, input.customerID, input.amount) = ("仓储系统", .some(customer.id!), "100000")
            let deal = try await app.services.sales.opportunities.create(input, by: admin)
            let (_, stages) = try #require(try await app.services.sales.pipelines.list().first)
            let proposal = try #require(stages.first { $0.name == "方案报价" })
            _ = try await browser.get("/opportunities/\(deal.id!.uuidString)")
            #expect(try await browser.post("/opportunities/\(deal.id!.uuidString)/stage", ["version": "1", "stage_id": proposal.id!.uuidString]).status == .seeOther)
            let page = try await browser.get("/opportunities/\(deal.id!.uuidString)")
            let timeline = String(page.text[try #require(page.text.range(of: "class=\"timeline\"")).lowerBound...])
            #expect(timeline.components(separatedBy: "方案报价").count - 1 == 1)
            #expect(!Self.hasUUID(Self.visibleText(timeline)))
            let audit = Self.visibleText(try await browser.get("/admin/audit?kind=opportunities").text)
            #expect(audit.contains("初步接洽") && audit.contains("方案报价") && audit.contains("远航物流"))
            #expect(!Self.hasUUID(audit))

            // Someone who may read deals but not this customer sees that a customer is named, not which.
            let role = try await app.makeRole("deals only", [.opportunities: Grant(actions: [.read], scope: .all), .audit: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("viewer", roles: [role.id!])
            var viewer = Browser(client)
            try await viewer.signIn("viewer", "Secret-pass-42")
            let seen = Self.visibleText(try await viewer.get("/admin/audit?kind=opportunities").text)
            #expect(seen.contains("仓储系统"))
            #expect(seen.contains("（无权查看的记录）"))
            #expect(!seen.contains("远航物流"))
        }
    }

    @Test("An activity's history names what it is about and shows its times in the reader's time zone")
    func activityHistory() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var browser = try await app.signedInBrowser(client, as: "chief")
            var customerInput = CustomerInput()
            customerInput.name = "青松食品"
            let customer = try await app.services.customers.create(customerInput, by: admin)
            var input = ActivityInput()
            (input.kind, input.subject, input.related) = ("meeting", "季度回顾", .some((.customers, customer.id!)))
            input.startsAt = .some(ISO8601DateFormatter().date(from: "2027-03-01T06:30:00Z"))
            input.endsAt = .some(ISO8601DateFormatter().date(from: "2027-03-01T07:30:00Z"))
            let activity = try await app.services.activities.create(input, by: admin)
            let page = Self.visibleText(try await browser.get("/activities/\(activity.id!.uuidString)").text)
            #expect(page.contains("客户：青松食品"))
            #expect(page.contains("2027-03-01 14:30"))
            #expect(page.contains("会议"))
            #expect(!page.contains("2027-03-01T06:30:00Z"))
        }
    }
}
