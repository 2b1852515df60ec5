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

@Suite("Lists: columns, views and bulk actions")
struct ListTests {
    @Test("Bulk actions go record by record through the permission check; the ones not allowed are reported, the rest done and audited")
    func bulk() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .update, .delete], scope: .own)])
            let rep = try await app.makeUser("rep.wu", roles: [role.id!])
            let other = try await app.makeUser("rep.he", roles: [role.id!])
            var ids: [String] = []
            for (name, owner) in [("一", rep.id), ("二", rep.id), ("三", other.id)] {
                var input = CustomerInput()
                input.name = name
                input.ownerID = .some(owner)
                ids.append(try await app.services.customers.create(input, by: admin).id!.uuidString)
            }
            let api = APIClient(client: client, token: try await app.token(for: "rep.wu"))
            let idList = ids.map { "\"\($0)\"" }.joined(separator: ",")
            let tagged = try await api.call(.post, "/bulk", json: "{\"recordKind\":\"customers\",\"action\":\"tag\",\"tag\":\"展会\",\"ids\":[\(idList)]}")
            #expect(tagged.json["succeeded"] as? Int == 2)
            let failed = try #require(tagged.json["failed"] as? [[String: Any]])
            #expect(failed.map { $0["id"] as? String } == [ids[2]])
            #expect(failed.first?["code"] as? String == "not_found")
            #expect(try await app.services.customers.tags(of: UUID(uuidString: ids[0])!) == ["展会"])
            #expect(try await app.auditEntries(action: "update", kind: .customers, id: ids[1]).first?.changes == [FieldChange(field: "tags", old: nil, new: "展会")])
            let pooled = try await api.call(.post, "/bulk", json: "{\"recordKind\":\"customers\",\"action\":\"pool\",\"ids\":[\"\(ids[0])\"]}")
            #expect(pooled.json["succeeded"] as? Int == 1)
            #expect(try await app.services.customers.find(UUID(uuidString: ids[0])!, for: admin).ownerID == nil)
            let assigned = try await APIClient(client: client, token: try await app.token(for: "admin")).call(.post, "/bulk",
                json: "{\"recordKind\":\"customers\",\"action\":\"assign\",\"ownerId\":\"\(other.id!.uuidString)\",\"ids\":[\(idList)]}")
            #expect(assigned.json["succeeded"] as? Int == 3)
            for (body, field) in [
                ("{\"recordKind\":\"opportunities\",\"action\":\"tag\",\"tag\":\"x\",\"ids\":[\"\(ids[0])\"]}", "action"),
                ("{\"recordKind\":\"customers\",\"action\":\"assign\",\"ids\":[\"\(ids[0])\"]}", "ownerId"),
                ("{\"recordKind\":\"customers\",\"action\":\"delete\",\"ids\":[]}", "ids"),
                ("{\"recordKind\":\"customers\",\"action\":\"tag\",\"ids\":[\"\(ids[0])\"]}", "tag"),
            ] {
                #expect(try await api.call(.post, "/bulk", json: body).errorBody["field"] as? String == field, "\(body)")
            }
        }
    }

    @Test("A list shows the chosen columns, custom fields included; a saved view reopens its filters and columns, and only shared views are seen by others")
    func viewsAndColumns() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type, field.choices) = ("leads", "expo", "展会", "choice", ["广交会", "进博会"])
            _ = try await app.services.customFields.create(field, by: admin)
            for (name, expo) in [("参展商甲", "广交会"), ("参展商乙", "进博会")] {
                var input = LeadInput()
                input.name = name
                input.customFields = ["expo": .text(expo)]
                _ = try await app.services.sales.leads.create(input, by: admin)
            }
            var browser = try await app.signedInBrowser(client, as: "chief")
            let list = try await browser.get("/leads?cf=expo:%E5%B9%BF%E4%BA%A4%E4%BC%9A&col=cf.expo&col=status")
            #expect(list.text.contains("参展商甲"))
            #expect(!list.text.contains("参展商乙"))
            #expect(list.text.contains("<th>展会</th>"))
            #expect(list.text.contains("<td>广交会</td>"))
            #expect(!list.text.contains("<th>公司</th>"))
            let saved = try await browser.post("/views", ["path": "/leads", "name": "广交会线索", "shared": "on",
                                                          "query": "cf=expo:%E5%B9%BF%E4%BA%A4%E4%BC%9A", "columns": "cf.expo,status"])
            let viewURL = try #require(saved.location)
            let opened = try await browser.get(viewURL)
            let reopened = try await browser.get(try #require(opened.location))
            #expect(reopened.text.contains("参展商甲") && !reopened.text.contains("参展商乙"))
            #expect(reopened.text.contains("<th>展会</th>"))
            let personal = try await browser.post("/views", ["path": "/leads", "name": "我的私人视图", "query": "", "columns": ""])
            #expect(personal.status == .seeOther)
            // A colleague sees the shared view, not the personal one, and cannot delete it.
            try await app.makeUser("colleague", admin: false)
            let role = try await app.makeRole("lead-reader", [.leads: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("reader", roles: [role.id!])
            let api = APIClient(client: client, token: try await app.token(for: "reader"))
            let views = try #require(try await api.call(.get, "/views?recordKind=leads").json["items"] as? [[String: Any]])
            #expect(views.map { $0["name"] as? String } == ["广交会线索"])
            let sharedID = try #require(views.first?["id"] as? String)
            #expect(try await api.call(.delete, "/views/\(sharedID)").status == .forbidden)
            #expect(try await api.call(.post, "/views", json: #"{"recordKind":"customers","name":"x"}"#).status == .forbidden)
            #expect(try await api.call(.post, "/views", json: #"{"recordKind":"leads"}"#).errorBody["field"] as? String == "name")
        }
    }

    @Test("Bulk actions from a list page: tick rows, choose the action, and the list reports what was done")
    func bulkOnTheWeb() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            let chief = try await app.principal("chief")
            var ids: [String] = []
            for name in ["丙公司", "丁公司"] {
                var input = CustomerInput()
                input.name = name
                ids.append(try await app.services.customers.create(input, by: chief).id!.uuidString)
            }
            let list = try await browser.get("/customers")
            #expect(list.text.contains("name=\"ids\" value=\"\(ids[0])\""))
            var form: [String: String] = ["action": "delete", "back": "/customers?q=%E5%85%AC%E5%8F%B8", "ids": ids[0]]
            form["owner_id"] = ""
            let done = try await browser.post("/customers/bulk", form)
            #expect(done.location == "/customers?q=%E5%85%AC%E5%8F%B8&bulk_done=1&bulk_failed=0")
            let after = try await browser.get(try #require(done.location))
            #expect(after.text.contains("已处理 1 条记录"))
            #expect(!after.text.contains("丙公司"))
            let offsite = try await browser.post("/customers/bulk", ["action": "pool", "back": "https://evil.example/", "ids": ids[1]])
            #expect(offsite.location?.hasPrefix("/customers?") == true)
        }
    }
}
