import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Search and hand-over")
struct SearchAndHandOverTests {
    @Test("One search box finds customers and contacts, only those the caller may read")
    func globalSearch() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read], scope: .own), .contacts: Grant(actions: [.read], scope: .own)])
            let rep = try await app.makeUser("rep.c", roles: [role.id!])
            var mine = CustomerInput()
            mine.name = "深圳星河电子有限公司"
            mine.ownerID = .some(rep.id)
            let company = try await app.services.customers.create(mine, by: admin)
            var hidden = CustomerInput()
            hidden.name = "广州星河物流有限公司"
            _ = try await app.services.customers.create(hidden, by: admin)
            var person = ContactInput()
            person.name = "星河采购 刘工"
            person.customerID = .some(company.id)
            _ = try await app.services.contacts.create(person, by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "rep.c"))
            let response = try await api.call(.get, "/search?q=%E6%98%9F%E6%B2%B3")
            let items = (response.json["items"] as? [[String: Any]]) ?? []
            #expect(items.map { "\($0["kind"]!):\($0["title"]!)" }.sorted() == ["contacts:星河采购 刘工", "customers:深圳星河电子有限公司"])
            #expect(items.first { $0["kind"] as? String == "contacts" }?["detail"] as? String == "深圳星河电子有限公司")
            #expect(try await api.call(.get, "/search?q=").status == .badRequest)

            var browser = Browser(client)
            try await browser.signIn("rep.c", "Secret-pass-42")
            let page = try await browser.get("/search?q=%E6%98%9F%E6%B2%B3")
            #expect(page.text.contains("深圳星河电子有限公司"))
            #expect(!page.text.contains("广州星河物流有限公司"))
        }
    }

    @Test("Hand-over moves every customer and contact of a leaving rep, with history on each record")
    func handOver() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let leaver = try await app.makeUser("leaver")
            let successor = try await app.makeUser("successor")
            var ids: [UUID] = []
            for name in ["甲", "乙"] {
                var input = CustomerInput()
                input.name = name
                input.ownerID = .some(leaver.id)
                let customer = try await app.services.customers.create(input, by: admin)
                ids.append(customer.id!)
                var contact = ContactInput()
                contact.name = "\(name)的联系人"
                contact.customerID = .some(customer.id)
                _ = try await app.services.contacts.create(contact, by: admin)
            }
            var other = CustomerInput()
            other.name = "丙"
            _ = try await app.services.customers.create(other, by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let moved = try await api.call(.post, "/users/\(leaver.id!.uuidString)/hand-over", json: "{\"toUserId\":\"\(successor.id!.uuidString)\"}")
            #expect(moved.status == .ok)
            #expect(moved.json["customers"] as? Int == 2)
            #expect(moved.json["contacts"] as? Int == 2)
            for id in ids {
                let customer = try await app.services.customers.find(id, for: admin)
                #expect(customer.ownerID == successor.id)
                #expect(customer.version == 2)
                let entry = try #require(try await app.auditEntries(action: "update", kind: .customers, id: id.uuidString).first)
                #expect(entry.changes == [FieldChange(field: "owner_id", old: leaver.id!.uuidString, new: successor.id!.uuidString)])
            }
            let summary = try #require(try await app.auditEntries(action: "hand_over").first)
            #expect(summary.recordLabel == "leaver")
            #expect(summary.changes.contains(FieldChange(field: "customers", old: "leaver", new: "successor (2)")))
            // The successor hears of it once, not once per record.
            let total = moved.json.values.compactMap { $0 as? Int }.reduce(0, +)
            let told = try await app.services.notifications.list(successor.id!, locale: "zh-Hans")
            #expect(told.map(\.event) == [.handedOver])
            #expect(told.first?.headline == "\(leaver.displayName) 的记录已移交给您" && told.first?.detail == "共 \(total) 条记录。")
            #expect(try await api.call(.post, "/users/\(leaver.id!.uuidString)/hand-over", json: "{\"toUserId\":\"\(leaver.id!.uuidString)\"}").status == .badRequest)
            // Only someone who may change both people's records may hand over.
            let clerk = APIClient(client: client, token: try await app.token(for: "successor"))
            #expect(try await clerk.call(.post, "/users/\(leaver.id!.uuidString)/hand-over", json: "{\"toUserId\":\"\(successor.id!.uuidString)\"}").status != .ok)
        }
    }
}

@Suite("Search across the sales records")
struct SalesSearchTests {
    @Test("The search box finds leads by company or phone digits and opportunities by name, Chinese by substring, only where the reader may look")
    func leadsAndDeals() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            _ = try await api.call(.post, "/leads", json: #"{"name":"周杰","company":"上海云帆国际贸易有限公司","phone":"139-1234-5678"}"#)
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"苏州园林"}"#).json["id"] as? String)
            _ = try await api.call(.post, "/opportunities", json: "{\"name\":\"云帆国际 ERP 二期\",\"customerId\":\"\(customer)\"}")
            let hits = try #require(try await api.call(.get, "/search?q=%E4%BA%91%E5%B8%86%E5%9B%BD%E9%99%85").json["items"] as? [[String: Any]])
            #expect(Set(hits.compactMap { $0["kind"] as? String }) == ["leads", "opportunities"])
            let byPhone = try #require(try await api.call(.get, "/search?q=12345678").json["items"] as? [[String: Any]])
            #expect(byPhone.map { $0["title"] as? String } == ["周杰"])
            let role = try await app.makeRole("customers-only", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("viewer", roles: [role.id!])
            let viewer = APIClient(client: client, token: try await app.token(for: "viewer"))
            #expect((try await viewer.call(.get, "/search?q=%E4%BA%91%E5%B8%86%E5%9B%BD%E9%99%85").json["items"] as? [Any])?.isEmpty == true)
        }
    }
}
