import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import GuanxiPlatform
import Testing

/// Sections other areas register on a kind's record page.
@Suite("Panels on record pages")
struct RecordPanelTests {
    @Test("A customer's page shows the deals and the value card that their areas registered, each only to a reader allowed to see it")
    func customerPanels() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var customer = CustomerInput()
            customer.name = "星辰百货"
            let c = try await app.services.customers.create(customer, by: admin)
            var deal = OpportunityInput()
            (deal.name, deal.customerID) = ("年度框架协议", .some(c.id))
            let o = try await app.services.sales.opportunities.create(deal, by: admin)
            #expect(app.services.records.panels(on: .customers).count == 2)

            var boss = try await app.signedInBrowser(client, as: "boss")
            let page = try await boss.get("/customers/\(c.id!.uuidString)").text
            #expect(page.contains("href=\"/opportunities/\(o.id!.uuidString)\""))
            let deals = try #require(page.range(of: #"<section class="card" id="deals">"#))
            let value = try #require(page.range(of: #"<section class="card" id="value">"#))
            #expect(deals.lowerBound < value.lowerBound, "the deals come before the value card, in the order the areas registered")
            // The page's section index names both, with their counts, in the same order.
            let dealsEntry = try #require(page.range(of: ##"<a href="#deals">商机 <span class="count">1</span></a>"##))
            let valueEntry = try #require(page.range(of: ##"<a href="#value">客户价值 <span class="count">0</span></a>"##))
            #expect(dealsEntry.lowerBound < valueEntry.lowerBound)
            #expect(page.contains("/opportunities/new?customer=\(c.id!.uuidString)"))

            // A reader of customers who may not read deals sees the customer, not its deals.
            let role = try await app.makeRole("customers-only", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("clerk", roles: [role.id!])
            var clerk = Browser(client)
            _ = try await clerk.signIn("clerk", "Secret-pass-42")
            let seen = try await clerk.get("/customers/\(c.id!.uuidString)").text
            #expect(seen.contains("星辰百货"))
            #expect(!seen.contains("年度框架协议"))
            #expect(!seen.contains(##"href="#deals""##))
            #expect(seen.contains("客户价值"))
        }
    }
}
