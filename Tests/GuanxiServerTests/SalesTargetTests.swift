import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import HummingbirdTesting
import Testing
import GuanxiPlatform

/// Quarterly sales targets: a manager sets them for the people they lead, and the home
/// page's team pipeline measures won and weighted deals against them.
@Suite("Sales targets")
struct SalesTargetTests {
    @Test("A manager sets their people's targets — all checked before any is saved, audited — and sees won plus weighted against them at home")
    func managerSetsTargets() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let grants: [RecordKind: Grant] = [.customers: Grant(actions: [.read, .create, .update], scope: .subordinates),
                                               .opportunities: Grant(actions: [.read, .create, .update], scope: .subordinates)]
            let managerRole = try await app.makeRole("manager", grants)
            let repRole = try await app.makeRole("rep", [.opportunities: Grant(actions: [.read, .create, .update], scope: .own)])
            let boss = try await app.makeUser("boss.zhang", roles: [managerRole.id!])
            let rep = try await app.makeUser("rep.li", manager: boss.id, roles: [repRole.id!])
            let outsider = try await app.makeUser("rep.wang", roles: [repRole.id!])
            // A deal the rep won this quarter, one still open.
            var company = CustomerInput()
            (company.name, company.ownerID) = ("星辰百货", .some(rep.id!))
            let customer = try await app.services.customers.create(company, by: admin)
            let today = app.services.clock.now().formatted(.iso8601.year().month().day())
            let stages = try await app.services.sales.pipelines.list().first!.stages
            let won = try #require(stages.first { $0.outcome == "won" })
            for (name, amount, stage) in [("年度协议", "60000", won.id), ("扩容项目", "100000", stages.first!.id)] {
                var deal = OpportunityInput()
                (deal.name, deal.customerID, deal.amount, deal.expectedClose, deal.ownerID, deal.stageID) = (name, .some(customer.id), amount, today, .some(rep.id!), stage)
                _ = try await app.services.sales.opportunities.create(deal, by: admin)
            }

            var browser = Browser(client)
            _ = try await browser.signIn("boss.zhang", "Secret-pass-42")
            let quarter = SalesTargets.quarter(of: today)
            let page = try await browser.get("/opportunities/targets?quarter=\(quarter)").text
            #expect(page.contains(#"name="target_\#(rep.id!.uuidString)""#))
            #expect(!page.contains(outsider.id!.uuidString) && !page.contains(#"name="target_\#(boss.id!.uuidString)""#), "only the people they lead")
            // A typo saves nothing, not even the good amount beside it.
            let typo = try await browser.post("/opportunities/targets", ["quarter": quarter, "target_\(rep.id!.uuidString)": "200000", "target_\(outsider.id!.uuidString)": "12万"])
            #expect(typo.status == .badRequest)
            #expect(typo.text.contains("target"))
            #expect(try await app.services.sales.targets.targets(quarter, owners: [rep.id!]).isEmpty)
            // Someone they do not lead is refused by name.
            let other = try await browser.post("/opportunities/targets", ["quarter": quarter, "target_\(outsider.id!.uuidString)": "1000"])
            #expect(other.status == .notFound)
            let saved = try await browser.post("/opportunities/targets", ["quarter": quarter, "target_\(rep.id!.uuidString)": "200000"])
            #expect(saved.location == "/opportunities/targets?quarter=\(quarter)&notice=saved")
            #expect(try await app.services.sales.targets.targets(quarter, owners: [rep.id!])[rep.id!]?.decimalText == "200000.00")
            let history = try await app.services.auditQuery.history(kind: .users, id: rep.id!.uuidString)
            #expect(history.first?.changes.first == FieldChange(field: "sales_target", old: nil, new: "\(quarter) 200000.00"))
            // Won 60,000 of 200,000 (30 %); with the open deal weighted at its stage's probability.
            let again = try await browser.get("/opportunities/targets?quarter=\(quarter)").text
            #expect(again.contains(#"<td class="num">30 %</td>"#))
            // At home: the rep's row carries the target and a meter of won + weighted against it.
            let home = try await browser.get("/").text
            #expect(home.contains(#"<meter min="0" max="20000000""#))
            #expect(home.contains("200,000.00"))
            #expect(home.contains(#"href="/opportunities/targets?quarter=\#(quarter)""#))

            // A rep sets no targets; a malformed quarter is named.
            var repBrowser = Browser(client)
            _ = try await repBrowser.signIn("rep.li", "Secret-pass-42")
            #expect(try await repBrowser.get("/opportunities/targets").status == .forbidden)
            #expect(try await browser.get("/opportunities/targets?quarter=2026-Q5").status == .badRequest)
        }
    }
}
