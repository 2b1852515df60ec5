import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Customer pages")
struct CustomerPagesTests {
    func signedIn(_ app: TestApp, _ client: any TestClientProtocol) async throws -> Browser {
        try await app.signedInBrowser(client, as: "sales.lead")
    }

    @Test("A customer created through the form shows on its page, escaped, with its history")
    func createThroughForm() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedIn(app, client)
            _ = try await browser.get("/customers/new")
            let saved = try await browser.post("/customers/new", [
                "name": "杭州<云栖>网络", "kind": "company", "relationship": "customer", "phone": "0571-8888 6666", "tags": "重点，华东",
                "lifecycle_stage": "acquisition", "consent_email": "opted_out", "consent_email_via": "电话告知", "notes": "<script>x</script>",
            ])
            #expect(saved.status == .seeOther)
            let page = try await browser.get(try #require(saved.location))
            #expect(page.text.contains("杭州&lt;云栖&gt;网络"))
            #expect(!page.text.contains("<script>x</script>"))
            #expect(page.text.contains("培育期"))
            #expect(page.text.contains("拒绝 (电话告知)"))
            #expect(page.text.contains("华东"))
            #expect(page.text.contains("新建"))
            let list = try await browser.get("/customers?q=%E4%BA%91%E6%A0%96")
            #expect(list.text.contains("杭州&lt;云栖&gt;网络"))
        }
    }

    @Test("A rejected form keeps what was typed and names the problem")
    func rejectedForm() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedIn(app, client)
            _ = try await browser.get("/customers/new")
            let response = try await browser.post("/customers/new", ["name": "好客户", "kind": "company", "relationship": "customer", "email": "not-mail"])
            #expect(response.status == .badRequest)
            #expect(response.text.contains("电子邮箱不是有效的电子邮箱地址。"))
            #expect(response.text.contains("value=\"好客户\""))
            #expect(try await app.services.customerQuery.list(CustomerFilter(), for: try await app.admin).customers.isEmpty)
        }
    }

    @Test("Saving over a colleague's change shows both values and keeps theirs until resolved")
    func conflictOnTheWeb() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedIn(app, client)
            var input = CustomerInput()
            input.name = "Acme"
            let customer = try await app.services.customers.create(input, by: try await app.admin)
            _ = try await browser.get("/customers/\(customer.id!.uuidString)/edit")
            var colleague = CustomerInput()
            colleague.industry = "Logistics"
            _ = try await app.services.customers.update(customer.id!, colleague, expectedVersion: 1, by: try await app.admin)
            let mine = try await browser.post("/customers/\(customer.id!.uuidString)/edit", [
                "version": "1", "name": "Acme", "kind": "company", "relationship": "customer", "industry": "Retail",
            ])
            #expect(mine.status == .conflict)
            #expect(mine.text.contains("他人刚保存的值： Logistics"))
            #expect(mine.text.contains("value=\"Retail\""))
            #expect(mine.text.contains("name=\"version\" value=\"2\""))
            let stored = try await app.services.customers.find(customer.id!, for: try await app.admin)
            #expect(stored.industry == "Logistics")
        }
    }
}

@Suite("Record pages lead on")
struct RecordPageLinkTests {
    @Test("A customer's phone, e-mail, website and parent are links; a deal's customer and contact lead to their pages")
    func links() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var browser = try await app.signedInBrowser(client, as: "chief")
            var parentInput = CustomerInput()
            parentInput.name = "星辰集团"
            let parent = try await app.services.customers.create(parentInput, by: admin)
            var input = CustomerInput()
            (input.name, input.phone, input.email, input.website, input.parentID) = ("星辰科技", "010-6543 2100", "info@xingchen.cn", "www.xingchen.cn", .some(parent.id!))
            let customer = try await app.services.customers.create(input, by: admin)
            let page = try await browser.get("/customers/\(customer.id!.uuidString)").text
            #expect(page.contains(#"<a href="tel:01065432100">010-6543 2100</a>"#))
            #expect(page.contains(#"<a href="mailto:info@xingchen.cn">info@xingchen.cn</a>"#))
            #expect(page.contains(#"<a href="https://www.xingchen.cn" target="_blank" rel="noopener noreferrer">www.xingchen.cn</a>"#))
            #expect(page.contains(#"<a href="/customers/\#(parent.id!.uuidString)">星辰集团</a>"#))

            var contactInput = ContactInput()
            (contactInput.name, contactInput.customerID) = ("李工", .some(customer.id!))
            let contact = try await app.services.contacts.create(contactInput, by: admin)
            var deal = OpportunityInput()
            (deal.name, deal.customerID, deal.contactID, deal.amount) = ("数据平台", .some(customer.id!), .some(contact.id!), "1000")
            let made = try await app.services.sales.opportunities.create(deal, by: admin)
            let dealPage = try await browser.get("/opportunities/\(made.id!.uuidString)").text
            #expect(dealPage.contains(#"<a href="/customers/\#(customer.id!.uuidString)">星辰科技</a>"#))
            #expect(dealPage.contains(#"<a href="/contacts/\#(contact.id!.uuidString)">李工</a>"#))
            // The lists' customer column leads to the customer too.
            let customerLink = #"<td data-label="客户"><a href="/customers/\#(customer.id!.uuidString)">星辰科技</a></td>"#
            #expect(try await browser.get("/contacts").text.contains(customerLink))
            #expect(try await browser.get("/opportunities").text.contains(customerLink))
        }
    }
}
