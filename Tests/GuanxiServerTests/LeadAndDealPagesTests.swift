import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Lead and opportunity pages")
struct LeadAndDealPagesTests {
    @Test("A lead made in the form is converted on the web into the existing customer the page offers, with a new deal")
    func leadToDeal() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "sales.lead")
            var customer = CustomerInput()
            customer.name = "成都天府茶业有限公司"
            let existing = try await app.services.customers.create(customer, by: try await app.admin)
            _ = try await browser.get("/leads/new")
            let saved = try await browser.post("/leads/new", ["name": "赵<敏>", "company": "天府茶业", "status": "qualified", "rating": "hot", "owner_id": ""])
            #expect(saved.status == .seeOther)
            let leadPage = try await browser.get(try #require(saved.location))
            #expect(leadPage.text.contains("赵&lt;敏&gt;"))
            #expect(leadPage.text.contains("已确认"))
            #expect(leadPage.text.contains("公海"))
            let list = try await browser.get("/leads?pool=on")
            #expect(list.text.contains("赵&lt;敏&gt;"))
            let leadID = try #require(saved.location?.split(separator: "/").last?.split(separator: "?").first.map(String.init))
            let convert = try await browser.get("/leads/\(leadID)/convert")
            // The existing customer is offered, and chosen by default.
            #expect(convert.text.contains("value=\"\(existing.id!.uuidString)\" checked"))
            #expect(convert.text.contains("公司相同"))
            let pipeline = try #require(try await app.services.sales.pipelines.list().first?.pipeline.id)
            let bad = try await browser.post("/leads/\(leadID)/convert", [
                "version": "1", "customer": existing.id!.uuidString, "contact": "new", "create_opportunity": "on",
                "opportunity_name": "年度供货", "amount": "abc", "pipeline_id": pipeline.uuidString,
            ])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("金额必须是金额"))
            let done = try await browser.post("/leads/\(leadID)/convert", [
                "version": "1", "customer": existing.id!.uuidString, "contact": "new", "create_opportunity": "on",
                "opportunity_name": "年度供货", "amount": "360000", "expected_close": "2027-06-30", "pipeline_id": pipeline.uuidString,
            ])
            #expect(done.location == "/customers/\(existing.id!.uuidString)?notice=converted")
            let admin = try await app.admin
            #expect(try await app.services.customerQuery.list(CustomerFilter(), for: admin).customers.count == 1)
            let deals = try await app.services.sales.opportunityQuery.list(OpportunityFilter(), for: admin).opportunities
            #expect(deals.map(\.name) == ["年度供货"])
            let after = try await browser.get("/leads/\(leadID)")
            #expect(after.text.contains("已转化为"))
            #expect(!after.text.contains("/leads/\(leadID)/edit"))
        }
    }

    @Test("The kanban board moves a deal with the card's form, and the deal page shows its stage history; the forecast sums it")
    func boardAndForecast() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "sales.lead")
            var customer = CustomerInput()
            customer.name = "西安秦川机械"
            let c = try await app.services.customers.create(customer, by: try await app.admin)
            var input = OpportunityInput()
            input.name = "机床改造"
            input.customerID = .some(c.id)
            input.amount = "500000"
            input.expectedClose = "2027-04-15"
            let deal = try await app.services.sales.opportunities.create(input, by: try await app.admin)
            let (pipeline, stages) = try #require(try await app.services.sales.pipelines.list().first)
            let board = try await browser.get("/opportunities/board")
            #expect(board.text.contains("机床改造"))
            #expect(board.text.contains("data-stage=\"\(stages[0].id!.uuidString)\""))
            let negotiation = try #require(stages.first { $0.name == "商务谈判" })
            let moved = try await browser.post("/opportunities/\(deal.id!.uuidString)/stage", [
                "version": "1", "stage_id": negotiation.id!.uuidString, "back": "board", "pipeline": pipeline.id!.uuidString,
            ])
            #expect(moved.location == "/opportunities/board?pipeline=\(pipeline.id!.uuidString)&notice=saved")
            let page = try await browser.get("/opportunities/\(deal.id!.uuidString)")
            #expect(page.text.contains("阶段历史"))
            #expect(page.text.contains("初步接洽"))
            #expect(page.text.contains("75 %"))
            #expect(page.text.contains("375,000.00"))
            let forecast = try await browser.get("/opportunities/forecast")
            #expect(forecast.text.contains("2027-04"))
            #expect(forecast.text.contains("375,000.00"))
            // A stale card (version 1 again) is refused rather than moving the deal back.
            let stale = try await browser.post("/opportunities/\(deal.id!.uuidString)/stage", ["version": "1", "stage_id": stages[0].id!.uuidString])
            #expect(stale.status == .conflict)
            // The board's script moves cards in place and reads JSON: the new version, or why not.
            let lost = try #require(stages.first { $0.outcome == "lost" })
            let why = try await browser.post("/opportunities/\(deal.id!.uuidString)/stage", ["version": "2", "stage_id": lost.id!.uuidString], accept: "application/json")
            #expect(why.status == .badRequest && why.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect((why.json["error"] as? String)?.contains("输单原因") == true)
            // Without script, the same refusal is shown as an error on the deal's page, not as a notice.
            let page2 = try await browser.post("/opportunities/\(deal.id!.uuidString)/stage", ["version": "2", "stage_id": lost.id!.uuidString])
            #expect(page2.status == .badRequest && page2.text.contains(#"<p class="error" role="alert">"#) && !page2.text.contains(#"<p class="notice">"#))
            let movedInPlace = try await browser.post("/opportunities/\(deal.id!.uuidString)/stage", ["version": "2", "stage_id": lost.id!.uuidString, "loss_reason": "预算取消"],
                                               accept: "application/json")
            #expect(movedInPlace.status == .ok && movedInPlace.json["version"] as? Int == 3 && movedInPlace.json["probability"] as? Int == 0)
            #expect(try await app.services.sales.opportunities.find(deal.id!, for: try await app.admin).stageID == lost.id)
        }
    }

    @Test("Administrators reshape a pipeline and set lead rules on their pages; errors keep the form")
    func adminPages() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            _ = try await browser.get("/admin/pipelines/new")
            let bad = try await browser.post("/admin/pipelines/new", [
                "name": "项目制", "stage_0_name": "立项", "stage_0_probability": "20", "stage_0_outcome": "open",
                "stage_1_name": "中标", "stage_1_probability": "90", "stage_1_outcome": "won",
                "stage_2_name": "落标", "stage_2_probability": "0", "stage_2_outcome": "lost",
            ])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("value=\"立项\""))
            let good = try await browser.post("/admin/pipelines/new", [
                "name": "项目制", "stage_0_name": "立项", "stage_0_probability": "20", "stage_0_outcome": "open",
                "stage_1_name": "中标", "stage_1_probability": "100", "stage_1_outcome": "won",
                "stage_2_name": "落标", "stage_2_probability": "0", "stage_2_outcome": "lost", "stage_3_name": "",
            ])
            #expect(good.location == "/admin/pipelines?notice=saved")
            #expect(try await app.services.sales.pipelines.list().map(\.pipeline.name).contains("项目制"))
            let team = try await app.services.teams.create(name: "华西", description: nil, memberIDs: [], by: try await app.admin)
            _ = try await browser.get("/admin/lead-settings")
            let settings = try await browser.post("/admin/lead-settings", [
                "claim_limit": "30", "return_after_days": "14", "rule_0_province": "四川省", "rule_0_city": "", "rule_0_industry": "",
                "rule_0_target": "team:\(team.id!.uuidString)", "rule_1_province": "", "rule_1_target": "", "fallback_team": "",
            ])
            #expect(settings.location == "/admin/lead-settings?notice=saved")
            #expect(try await app.services.sales.leadRouter.rules().territories == [LeadRoutingRules.Territory(province: "四川省", teamID: team.id)])
            #expect(try await app.services.sales.leadPool.rules() == PoolRules(claimLimit: 30, returnAfterDays: 14))
            // A bad pool rule saves neither half of the form.
            let refused = try await browser.post("/admin/lead-settings", ["claim_limit": "0", "return_after_days": "14", "rule_0_target": "", "fallback_team": ""])
            #expect(refused.status == .badRequest)
            #expect(try await app.services.sales.leadRouter.rules().territories.count == 1)
        }
    }
}
