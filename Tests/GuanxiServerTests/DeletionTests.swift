import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import GuanxiPlatform
import SQLKit
import Testing

/// Deleting a record asks first, saying what goes with it and what stays detached; the
/// deletion then cleans up after what went and records it.
@Suite("Deleting a record")
struct DeletionTests {
    @Test("A customer's delete asks first, naming its deals and purchases that go and its contacts and activities that stay; then they go, files and all")
    func customerTakesItsDeals() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "华东贸易"
            let customer = try await app.services.customers.create(company, by: admin)
            var deals: [UUID] = []
            for name in ["年度框架", "二期"] {
                var deal = OpportunityInput()
                (deal.name, deal.customerID, deal.amount) = (name, .some(customer.id), "1000")
                deals.append(try await app.services.sales.opportunities.create(deal, by: admin).id!)
            }
            for name in ["王伟", "李娜"] {
                var person = ContactInput()
                (person.name, person.customerID) = (name, .some(customer.id))
                _ = try await app.services.contacts.create(person, by: admin)
            }
            var call = ActivityInput()
            (call.kind, call.subject, call.related) = ("note", "拜访", .some((.customers, customer.id!)))
            _ = try await app.services.activities.create(call, by: admin)
            var purchase = PurchaseInput()
            (purchase.date, purchase.amount) = ("2026-05-01", "999")
            _ = try await PurchaseService(services: app.services.customerFile).add(purchase, to: customer.id!, by: admin)
            _ = try await AttachmentService(services: app.services.customerFile).add(to: .opportunities, deals[0], filename: "报价.pdf", contentType: "application/pdf",
                                                                       data: Data("pdf".utf8), by: admin)
            let other = try await app.services.customers.create({ var c = CustomerInput(); c.name = "别家"; return c }(), by: admin)
            var theirs = OpportunityInput()
            (theirs.name, theirs.customerID) = ("别家的商机", .some(other.id))
            _ = try await app.services.sales.opportunities.create(theirs, by: admin)

            var browser = try await app.signedInBrowser(client, as: "boss")
            let record = try await browser.get("/customers/\(customer.id!.uuidString)")
            #expect(record.text.contains("href=\"/customers/\(customer.id!.uuidString)/delete?version=1\""))
            let question = try await browser.get("/customers/\(customer.id!.uuidString)/delete?version=1")
            #expect(question.status == .ok)
            #expect(question.text.contains("删除 华东贸易？"))
            #expect(question.text.contains("<ul class=\"deleted\"><li>商机：2</li><li>购买记录：1</li></ul>"))
            #expect(question.text.contains("<ul class=\"detached\"><li>联系人：2</li><li>活动：1</li></ul>"))
            #expect(question.text.contains("action=\"/customers/\(customer.id!.uuidString)/delete\"") && question.text.contains("name=\"version\" value=\"1\""))

            let done = try await browser.post("/customers/\(customer.id!.uuidString)/delete", ["version": "1"])
            #expect(done.status == .seeOther)
            let sql = app.services.database.sql
            func count(_ query: String) async throws -> Int { try await sql.raw(SQLQueryString(query)).first(decodingColumn: "n", as: Int.self) ?? -1 }
            #expect(try await count("SELECT COUNT(*) AS n FROM opportunities") == 1)
            #expect(try await count("SELECT COUNT(*) AS n FROM purchases") == 0)
            #expect(try await count("SELECT COUNT(*) AS n FROM contacts WHERE customer_id IS NULL") == 2)
            #expect(try await count("SELECT COUNT(*) AS n FROM attachments") == 0)
            let entry = try await app.services.auditQuery.history(kind: .customers, id: customer.id!.uuidString, limit: 1)[0]
            #expect(entry.action == "delete")
            let with = Dictionary(uniqueKeysWithValues: entry.changes.filter { $0.field.hasPrefix("with.") }.map { ($0.field, $0.old ?? "") })
            #expect(with == ["with.opportunities": "2 deleted", "with.purchases": "1 deleted", "with.contacts": "2 detached", "with.activities": "1 detached"])
        }
    }

    @Test("The question says when nothing goes with a record; it is asked only of someone who may delete it, and a stale version stops the delete")
    func askingAndRefusing() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var person = ContactInput()
            person.name = "孤身联系人"
            let contact = try await app.services.contacts.create(person, by: admin)
            let reader = try await app.makeRole("reader", [.contacts: Grant(actions: [.read], scope: .all)])
            _ = try await app.makeUser("rep.qian", roles: [reader.id!])

            var browser = try await app.signedInBrowser(client, as: "boss")
            let question = try await browser.get("/contacts/\(contact.id!.uuidString)/delete?version=1")
            #expect(question.text.contains("不会连带删除其他记录。") && !question.text.contains("class=\"deleted\""))
            _ = try await app.services.contacts.update(contact.id!, { var c = ContactInput(); c.title = "经理"; return c }(), expectedVersion: 1, by: admin)
            let stale = try await browser.post("/contacts/\(contact.id!.uuidString)/delete", ["version": "1"])
            #expect(stale.status == .conflict)
            #expect(try await app.services.contacts.find(contact.id!, for: admin).name == "孤身联系人")

            var rep = Browser(client)
            try await rep.signIn("rep.qian", "Secret-pass-42")
            #expect(try await rep.get("/contacts/\(contact.id!.uuidString)/delete?version=2").status == .forbidden)
            #expect(try await rep.get("/contacts/\(UUID().uuidString)/delete").status == .notFound)
        }
    }
}
