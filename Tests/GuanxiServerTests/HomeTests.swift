import Foundation
import GuanxiServer
import GuanxiCustomerFile
@testable import GuanxiSales
import Testing
import GuanxiPlatform

/// Home is a workspace: each role sees the cards its work needs.
@Suite("Home page")
struct HomeTests {
    @Test("A rep sees the day, their pipeline by stage and their customers at risk; a manager also the team; an administrator the system; someone without work an explanation")
    func cardsByRole() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let repRole = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .create, .update], scope: .own),
                                                         .opportunities: Grant(actions: [.read, .create, .update], scope: .own),
                                                         .activities: Grant(actions: [.read, .create, .update], scope: .own)])
            let leadRole = try await app.makeRole("lead", [.customers: Grant(actions: [.read], scope: .subordinates),
                                                           .opportunities: Grant(actions: [.read], scope: .subordinates),
                                                           .activities: Grant(actions: [.read], scope: .subordinates)])
            let boss = try await app.makeUser("boss", roles: [leadRole.id!])
            _ = try await app.services.users.update(boss.id!, { var c = UserService.UserChanges(); c.displayName = "周经理"; return c }(), by: admin)
            let rep = try await app.makeUser("wang", manager: boss.id, roles: [repRole.id!])
            _ = try await app.services.users.update(rep.id!, { var c = UserService.UserChanges(); c.displayName = "王磊"; return c }(), by: admin)
            let wang = try await app.principal("wang")

            var customer = CustomerInput()
            (customer.name, customer.lifecycleStage) = ("青松食品", "at_risk")
            let atRisk = try await app.services.customers.create(customer, by: wang)
            var deal = OpportunityInput()
            // Expected to close this quarter (the test clock's).
            let today = ISO8601DateFormatter.string(from: app.clock.now(), timeZone: TimeZone(identifier: "Asia/Shanghai")!, formatOptions: [.withFullDate])
            (deal.name, deal.customerID, deal.amount, deal.expectedClose) = ("冷链系统", .some(atRisk.id!), "200000", today)
            _ = try await app.services.sales.opportunities.create(deal, by: wang)
            var call = ActivityInput()
            (call.kind, call.subject, call.status) = ("call", "回访青松", "done")
            _ = try await app.services.activities.create(call, by: wang)

            var repBrowser = Browser(client)
            try await repBrowser.signIn("wang", "Secret-pass-42")
            let home = try await repBrowser.get("/").text
            #expect(home.contains("我的今天"))
            #expect(home.contains("我的商机（按阶段）"))
            let (_, stages) = try #require(try await app.services.sales.pipelines.list().first)
            #expect(home.contains(#"<a href="/opportunities?stage=\#(stages[0].id!.uuidString)&amp;owner=\#(rep.id!.uuidString)">初步接洽</a>"#))
            #expect(home.contains("200,000.00"))
            #expect(home.contains("我的挽留期客户") && home.contains(#"<a href="/customers/\#(atRisk.id!.uuidString)">青松食品</a>"#))
            #expect(!home.contains("团队本季度") && !home.contains("系统状况"))
            // The stage link lists exactly those deals.
            let list = try await repBrowser.get("/opportunities?stage=\(stages[0].id!.uuidString)&owner=\(rep.id!.uuidString)").text
            #expect(list.contains("冷链系统"))

            var bossBrowser = Browser(client)
            try await bossBrowser.signIn("boss", "Secret-pass-42")
            let managerHome = try await bossBrowser.get("/").text
            #expect(managerHome.contains("团队本季度") && managerHome.contains("王磊"))
            #expect(managerHome.contains("团队近 7 天完成的活动"))
            #expect(managerHome.contains(#"<meter min="0" max="1" value="1"></meter> 1"#))

            var adminBrowser = try await app.signedInBrowser(client, as: "chief")
            let adminHome = try await adminBrowser.get("/").text
            #expect(adminHome.contains("系统状况") && adminHome.contains("数据库正常"))

            _ = try await app.makeUser("visitor")
            var visitor = Browser(client)
            try await visitor.signIn("visitor", "Secret-pass-42")
            let empty = try await visitor.get("/").text
            #expect(empty.contains("您的角色还没有可以查看的工作内容"))
        }
    }

    @Test("A quarter runs from its first day to its last, in the reader's time zone")
    func quarters() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        #expect(OpportunityPages.quarter(containing: ISO8601DateFormatter().date(from: "2026-11-15T00:00:00Z")!, timeZone: shanghai) == ("2026-10-01", "2026-12-31"))
        #expect(OpportunityPages.quarter(containing: ISO8601DateFormatter().date(from: "2028-02-10T00:00:00Z")!, timeZone: shanghai) == ("2028-01-01", "2028-03-31"))
        // 31 March 20:00 UTC is already 1 April in Shanghai.
        #expect(OpportunityPages.quarter(containing: ISO8601DateFormatter().date(from: "2027-03-31T20:00:00Z")!, timeZone: shanghai) == ("2027-04-01", "2027-06-30"))
    }
}
