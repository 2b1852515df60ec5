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

@Suite("Self-updating records and data quality")
struct DataQualityTests {
    @Test("A bounced e-mail and a wrong number are marked with their reason; a record whose every way fails is unreachable and listed; a changed value clears the mark")
    func invalidWays() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var input = CustomerInput()
            (input.name, input.email, input.phone) = ("云海贸易", "info@yunhai.cn", "021-5555 0000")
            let customer = try await app.services.customers.create(input, by: admin)
            _ = try await app.makeUser("mailer", admin: true)
            let api = APIClient(client: client, token: try await app.token(for: "mailer"))
            let bounced = try await api.call(.post, "/contact-ways/invalid", json: "{\"recordKind\":\"customers\",\"recordId\":\"\(customer.id!.uuidString)\",\"value\":\"INFO@yunhai.cn\",\"reason\":\"bounced\"}")
            #expect(bounced.status == .noContent)
            let other = try await api.call(.post, "/contact-ways/invalid", json: "{\"recordKind\":\"customers\",\"recordId\":\"\(customer.id!.uuidString)\",\"value\":\"nobody@x.cn\",\"reason\":\"bounced\"}")
            #expect(other.status == .badRequest && other.errorBody["field"] as? String == "value")
            var filter = CustomerFilter()
            filter.quality = .unreachable
            #expect(try await app.services.customerQuery.list(filter, for: admin).customers.isEmpty)
            filter.quality = .invalidWays
            #expect(try await app.services.customerQuery.list(filter, for: admin).customers.map(\.name) == ["云海贸易"])
            // A call noting a wrong number marks the only phone: now nobody can reach them.
            _ = try await api.call(.post, "/activities", json: "{\"kind\":\"call\",\"subject\":\"回访\",\"status\":\"done\",\"outcome\":\"空号，打不通\",\"relatedKind\":\"customers\",\"relatedId\":\"\(customer.id!.uuidString)\"}")
            filter.quality = .unreachable
            #expect(try await app.services.customerQuery.list(filter, for: admin).customers.map(\.name) == ["云海贸易"])
            #expect((try await api.call(.get, "/customers?quality=unreachable").json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["云海贸易"])
            #expect(try await ContactWays(services: app.services.customerFile).problems(of: .customers, customer.id!).map(\.reason).sorted() == ["bounced", "wrong_number"])
            var browser = try await app.signedInBrowser(client, as: "chief")
            let page = try await browser.get("/customers/\(customer.id!.uuidString)")
            #expect(page.text.contains("所有电话和电子邮箱都已标记为无效") && page.text.contains("无效：邮件被退回"))
            let quality = try await browser.get("/data-quality")
            #expect(quality.text.contains("<a href=\"/customers?quality=unreachable\">1</a>"))
            let list = try await browser.get("/customers?quality=unreachable")
            #expect(list.text.contains("云海贸易"))
            #expect(try await browser.get("/customers?quality=nonsense").status == .badRequest)
            // A new e-mail address works until it bounces: the record is reachable again.
            _ = try await app.services.customers.update(customer.id!, { var c = CustomerInput(); c.email = "sales@yunhai.cn"; return c }(), expectedVersion: nil, by: admin)
            #expect(try await app.services.customerQuery.list(filter, for: admin).customers.isEmpty)
            _ = try await browser.get("/customers/\(customer.id!.uuidString)")
            _ = try await browser.post("/contact-ways/valid", ["kind": "customers", "id": customer.id!.uuidString, "value": "021-5555 0000"])
            #expect(try await ContactWays(services: app.services.customerFile).problems(of: .customers, customer.id!).isEmpty)
            #expect(try await app.auditEntries(action: "update", kind: .customers, id: customer.id!.uuidString).contains { $0.changes.first?.field == "invalid_email" })
        }
    }

    @Test("Contacts are unreachable only when every phone and e-mail fails; the data-quality page counts missing ways, stale records and duplicates, each a link")
    func contactsAndPage() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var input = ContactInput()
            input.name = "王伟"
            input.phones = [ContactChannel(kind: .phone, value: "138 0013 8000")]
            input.emails = [ContactChannel(kind: .email, value: "wang@x.cn")]
            let wang = try await app.services.contacts.create(input, by: admin)
            var bare = ContactInput()
            bare.name = "无联系方式"
            _ = try await app.services.contacts.create(bare, by: admin)
            let ways = ContactWays(services: app.services.customerFile)
            try await ways.markInvalid(.contacts, wang.id!, value: "13800138000", reason: "wrong_number", by: admin)
            var filter = ContactFilter()
            filter.quality = .unreachable
            #expect(try await app.services.contactQuery.list(filter, for: admin).contacts.isEmpty)
            try await ways.markInvalid(.contacts, wang.id!, value: "wang@x.cn", reason: "bounced", by: admin)
            #expect(try await app.services.contactQuery.list(filter, for: admin).contacts.map(\.name) == ["王伟"])
            filter.quality = .noContact
            #expect(try await app.services.contactQuery.list(filter, for: admin).contacts.map(\.name) == ["无联系方式"])
            app.clock.advance(by: 200 * 86_400)
            var browser = try await app.signedInBrowser(client, as: "chief")
            let page = try await browser.get("/data-quality")
            #expect(page.text.contains("<a href=\"/contacts?quality=stale\">2</a>"))
            #expect(page.text.contains("<a href=\"/contacts?quality=no_contact\">1</a>"))
            #expect(page.text.contains("<a href=\"/duplicates?kind=contacts\">0</a>"))
        }
    }
}
