import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import GuanxiPlatform

@Suite("Leads")
struct LeadTests {
    @Test("A lead is created, read, changed with If-Match and deleted; each write is audited")
    func crud() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let created = try await api.call(.post, "/leads", json: """
                {"name":"王小明","company":"上海云帆贸易有限公司","title":"采购经理","phone":"138 0013 8000","email":"wang@yunfan.cn",
                 "wechat":"wang_xm88","province":"上海市","city":"上海市","industry":"贸易","source":"展会","rating":"hot","notes":"<i>名片</i>"}
                """)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["status"] as? String == "new")
            #expect(created.json["ownerId"] as? String == (try await app.admin).userID.uuidString)
            #expect(created.json["notes"] as? String == "<i>名片</i>")
            let changed = try await api.call(.patch, "/leads/\(id)", json: #"{"status":"qualified","rating":""}"#, headers: [.ifMatch: "\"v1\""])
            #expect(changed.status == .ok)
            #expect(changed.json["status"] as? String == "qualified")
            #expect(changed.json["rating"] == nil)
            #expect(changed.headers[.eTag] == "\"v2\"")
            let stale = try await api.call(.patch, "/leads/\(id)", json: #"{"status":"contacted"}"#, headers: [.ifMatch: "\"v1\""])
            #expect(stale.status == .preconditionFailed)
            #expect(try await api.call(.get, "/leads/\(id)").json["status"] as? String == "qualified")
            let history = try await api.call(.get, "/leads/\(id)/history")
            #expect((history.json["items"] as? [[String: Any]])?.map { $0["action"] as? String } == ["update", "create"])
            #expect(try await api.call(.delete, "/leads/\(id)", headers: [.ifMatch: "\"v2\""]).status == .noContent)
            #expect(try await api.call(.get, "/leads/\(id)").status == .notFound)
            #expect(try await app.auditEntries(action: "delete", kind: .leads, id: id).count == 1)
        }
    }

    @Test("Bad lead input names the field and saves nothing", arguments: [
        (#"{"company":"X"}"#, "name"),
        (#"{"name":"A","email":"a@"}"#, "email"),
        (#"{"name":"A","phone":"abc"}"#, "phone"),
        (#"{"name":"A","status":"converted"}"#, "status"),
        (#"{"name":"A","status":"won"}"#, "status"),
        (#"{"name":"A","rating":"lukewarm"}"#, "rating"),
        (#"{"name":"A","wechat":"1abc"}"#, "wechat"),
        (#"{"name":"A","ownerId":"6F1B0F5C-0000-4000-8000-000000000000"}"#, "ownerId"),
        (#"{"name":"A","ownerId":"6F1B0F5C-0000-4000-8000-000000000000","autoAssign":true}"#, "autoAssign"),
    ])
    func badInput(body: String, field: String) async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let response = try await api.call(.post, "/leads", json: body)
            #expect(response.status == .badRequest)
            #expect(response.errorBody["field"] as? String == field)
            #expect((try await api.call(.get, "/leads").json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("Territory rules send leads to a user or round-robin through a team; the rest go to the fallback team or the pool")
    func assignment() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let role = try await app.makeRole("rep", [.leads: Grant(actions: [.read, .create, .update], scope: .own)])
            let east = try await app.makeUser("east.rep", roles: [role.id!])
            let a = try await app.makeUser("team.a", roles: [role.id!])
            let b = try await app.makeUser("team.b", roles: [role.id!])
            let c = try await app.makeUser("team.c", roles: [role.id!])
            let south = try await app.services.teams.create(name: "华南", description: nil, memberIDs: [c.id!, a.id!, b.id!], by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let rules = """
                {"territories":[{"province":"上海市","userId":"\(east.id!.uuidString)"},{"province":"广东省","industry":"制造","teamId":"\(south.id!.uuidString)"}]}
                """
            #expect(try await api.call(.put, "/settings/lead-routing", json: rules).status == .ok)
            func owner(_ body: String) async throws -> String? { try await api.call(.post, "/leads", json: body).json["ownerId"] as? String }
            #expect(try await owner(#"{"name":"甲","province":"上海市","autoAssign":true}"#) == east.id!.uuidString)
            var turns: [String?] = []
            for name in ["乙", "丙", "丁", "戊"] {
                turns.append(try await owner("{\"name\":\"\(name)\",\"province\":\"广东省\",\"industry\":\"制造\",\"autoAssign\":true}"))
            }
            // Members take turns in user-name order, and the turn wraps around.
            #expect(turns == [a.id!.uuidString, b.id!.uuidString, c.id!.uuidString, a.id!.uuidString])
            // Industry differs: no rule takes it, and without a fallback team it goes to the pool.
            #expect(try await owner(#"{"name":"己","province":"广东省","industry":"零售","autoAssign":true}"#) == nil)
            let withFallback = "{\"territories\":[],\"fallbackTeamId\":\"\(south.id!.uuidString)\"}"
            #expect(try await api.call(.put, "/settings/lead-routing", json: withFallback).status == .ok)
            #expect(try await owner(#"{"name":"庚","autoAssign":true}"#) == b.id!.uuidString)
            // Rules are checked: a rule must name exactly one target that exists.
            let bad = try await api.call(.put, "/settings/lead-routing", json: #"{"territories":[{"province":"北京市"}]}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorBody["field"] as? String == "territories[0]")
            let rep = APIClient(client: client, token: try await app.token(for: "team.a"))
            #expect(try await rep.call(.put, "/settings/lead-routing", json: withFallback).status == .forbidden)
        }
    }

    @Test("Leads share the pool rules: claim limit, release, and the return of neglected leads")
    func pool() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let role = try await app.makeRole("rep", [.leads: Grant(actions: [.read, .update], scope: .own)])
            let rep = try await app.makeUser("rep.a", roles: [role.id!])
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await api.call(.put, "/settings/lead-pool", json: #"{"claimLimit":1,"returnAfterDays":7}"#).status == .ok)
            var ids: [String] = []
            for name in ["池一", "池二"] {
                ids.append(try #require(try await api.call(.post, "/leads", json: "{\"name\":\"\(name)\",\"ownerId\":\"\"}").json["id"] as? String))
            }
            let a = APIClient(client: client, token: try await app.token(for: "rep.a"))
            #expect((try await a.call(.get, "/leads?pool=true").json["items"] as? [Any])?.count == 2)
            #expect(try await a.call(.post, "/leads/\(ids[0])/claim").json["ownerId"] as? String == rep.id!.uuidString)
            let second = try await a.call(.post, "/leads/\(ids[1])/claim")
            #expect(second.status == .conflict)
            #expect(second.errorBody["code"] as? String == "claim_limit")
            // The customer pool keeps its own limit.
            #expect(try await app.services.customerPool.rules() == .defaults)
            app.clock.advance(by: 8 * 86_400)
            let worker = JobWorker(queue: app.services.jobs, handlers: app.services.jobHandlers(), pollInterval: 1, clock: app.clock, logger: Logger(label: "t"))
            try await worker.scheduleHousekeeping()
            #expect(try await worker.runOne())
            #expect(try await app.services.sales.leads.find(UUID(uuidString: ids[0])!, for: admin).ownerID == nil)
        }
    }

    @Test("Each data scope sees its leads and the pool; others' leads are 404", arguments: [DataScope.own, .all])
    func scopes(scope: DataScope) async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let role = try await app.makeRole("rep-\(scope.rawValue)", [.leads: Grant(actions: [.read, .create, .update], scope: scope)])
            let rep = try await app.makeUser("rep", roles: [role.id!])
            var hidden: Lead?
            for (name, owner) in [("Mine", rep.id), ("Admin's", admin.userID), ("Pooled", nil)] {
                var input = LeadInput()
                input.name = name
                input.assignment = .owner(owner)
                let lead = try await app.services.sales.leads.create(input, by: admin)
                if name == "Admin's" { hidden = lead }
            }
            let api = APIClient(client: client, token: try await app.token(for: "rep"))
            let items = (try await api.call(.get, "/leads").json["items"] as? [[String: Any]]) ?? []
            let expected: Set<String> = scope == .own ? ["Mine", "Pooled"] : ["Mine", "Admin's", "Pooled"]
            #expect(Set(items.compactMap { $0["name"] as? String }) == expected)
            #expect(try await api.call(.get, "/leads/\(hidden!.id!.uuidString)").status == (scope == .own ? .notFound : .ok))
        }
    }

    @Test("Conversion without matches makes a customer, a contact and an opportunity in one step")
    func convertFresh() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let lead = try await api.call(.post, "/leads", json: """
                {"name":"李雷","company":"杭州青禾农业有限公司","title":"总经理","phone":"0571-8888 1234","email":"li@qinghe.cn","province":"浙江省","city":"杭州市","source":"官网"}
                """)
            let id = try #require(lead.json["id"] as? String)
            let matches = try await api.call(.get, "/leads/\(id)/matches")
            #expect((matches.json["customers"] as? [Any])?.isEmpty == true)
            #expect((matches.json["contacts"] as? [Any])?.isEmpty == true)
            let converted = try await api.call(.post, "/leads/\(id)/convert", json: #"{"opportunity":{"amount":"80000","expectedClose":"2027-03-31"}}"#,
                                               headers: [.ifMatch: "\"v1\""])
            #expect(converted.status == .ok)
            let customerID = try #require(converted.json["customerId"] as? String)
            let contactID = try #require(converted.json["contactId"] as? String)
            let opportunityID = try #require(converted.json["opportunityId"] as? String)
            let customer = try await api.call(.get, "/customers/\(customerID)").json
            #expect(customer["name"] as? String == "杭州青禾农业有限公司")
            #expect(customer["city"] as? String == "杭州市")
            #expect(customer["source"] as? String == "官网")
            let contact = try await api.call(.get, "/contacts/\(contactID)").json
            #expect(contact["customerId"] as? String == customerID)
            #expect((contact["emails"] as? [[String: Any]])?.first?["value"] as? String == "li@qinghe.cn")
            #expect(contact["title"] as? String == "总经理")
            let opportunity = try await api.call(.get, "/opportunities/\(opportunityID)").json
            #expect(opportunity["customerId"] as? String == customerID)
            #expect(opportunity["contactId"] as? String == contactID)
            #expect(opportunity["amount"] as? String == "80000.00")
            #expect(opportunity["name"] as? String == "杭州青禾农业有限公司")
            let after = try await api.call(.get, "/leads/\(id)").json
            #expect(after["status"] as? String == "converted")
            #expect(after["convertedCustomerId"] as? String == customerID)
            // A converted lead is closed to edits and to a second conversion.
            #expect(try await api.call(.patch, "/leads/\(id)", json: #"{"name":"x"}"#).errorBody["code"] as? String == "lead_converted")
            #expect(try await api.call(.post, "/leads/\(id)/convert", json: "{}").status == .conflict)
            for (kind, recordID) in [(RecordKind.customers, customerID), (.contacts, contactID), (.opportunities, opportunityID)] {
                #expect(try await app.auditEntries(action: "create", kind: kind, id: recordID).count == 1)
            }
        }
    }

    @Test("Conversion offers the existing customer and contact, and reuses them instead of duplicating")
    func convertIntoExisting() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customerID = try #require(try await api.call(.post, "/customers", json: #"{"name":"北京星辰科技有限公司","phone":"010-65432100"}"#).json["id"] as? String)
            let contactID = try #require(try await api.call(.post, "/contacts", json: """
                {"name":"张伟","customerId":"\(customerID)","emails":[{"value":"zhang@xingchen.cn"}]}
                """).json["id"] as? String)
            let lead = try await api.call(.post, "/leads", json: #"{"name":"张伟","company":"星辰科技有限公司","email":"ZHANG@xingchen.cn"}"#)
            let id = try #require(lead.json["id"] as? String)
            let matches = try await api.call(.get, "/leads/\(id)/matches").json
            let customers = try #require(matches["customers"] as? [[String: Any]])
            #expect(customers.first?["id"] as? String == customerID)
            #expect(customers.first?["reasons"] as? [String] == ["company"])
            let contacts = try #require(matches["contacts"] as? [[String: Any]])
            #expect(contacts.first?["id"] as? String == contactID)
            #expect(contacts.first?["reasons"] as? [String] == ["email", "name"])
            // The contact must be at the chosen customer.
            let other = try #require(try await api.call(.post, "/customers", json: #"{"name":"别家"}"#).json["id"] as? String)
            let mismatch = try await api.call(.post, "/leads/\(id)/convert", json: "{\"customerId\":\"\(other)\",\"contactId\":\"\(contactID)\"}")
            #expect(mismatch.status == .badRequest)
            #expect(mismatch.errorBody["field"] as? String == "contactId")
            let intoNew = try await api.call(.post, "/leads/\(id)/convert", json: "{\"contactId\":\"\(contactID)\"}")
            #expect(intoNew.errorBody["field"] as? String == "contactId")
            #expect(try await api.call(.get, "/leads/\(id)").json["status"] as? String == "new")
            let converted = try await api.call(.post, "/leads/\(id)/convert", json: "{\"customerId\":\"\(customerID)\",\"contactId\":\"\(contactID)\"}")
            #expect(converted.status == .ok)
            #expect(converted.json["customerId"] as? String == customerID)
            #expect(converted.json["contactId"] as? String == contactID)
            #expect(converted.json["opportunityId"] == nil)
            #expect((try await api.call(.get, "/customers").json["items"] as? [Any])?.count == 2)
            #expect((try await api.call(.get, "/contacts").json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("A failed conversion writes nothing: a bad opportunity leaves no customer or contact behind")
    func convertAtomically() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let id = try #require(try await api.call(.post, "/leads", json: #"{"name":"韩梅梅","company":"南京梅园文化"}"#).json["id"] as? String)
            let bad = try await api.call(.post, "/leads/\(id)/convert", json: #"{"opportunity":{"amount":"-5"}}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorBody["field"] as? String == "amount")
            #expect((try await api.call(.get, "/customers").json["items"] as? [Any])?.isEmpty == true)
            #expect((try await api.call(.get, "/contacts").json["items"] as? [Any])?.isEmpty == true)
            #expect(try await api.call(.get, "/leads/\(id)").json["status"] as? String == "new")
        }
    }

    @Test("Conversion fills the custom fields an administrator made required on the new customer")
    func convertWithRequiredFields() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await api.call(.post, "/custom-fields", json: #"{"recordKind":"customers","key":"channel","label":"渠道","type":"choice","choices":["直销","代理"],"required":true}"#).status == .created)
            let id = try #require(try await api.call(.post, "/leads", json: #"{"name":"钱七","company":"宁波港湾物流"}"#).json["id"] as? String)
            let refused = try await api.call(.post, "/leads/\(id)/convert", json: "{}")
            #expect(refused.errorBody["field"] as? String == "customFields.channel")
            let converted = try await api.call(.post, "/leads/\(id)/convert", json: #"{"customerCustomFields":{"channel":"代理"}}"#)
            #expect(converted.status == .ok)
            let customer = try #require(converted.json["customerId"] as? String)
            #expect((try await api.call(.get, "/customers/\(customer)").json["customFields"] as? [String: Any])?["channel"] as? String == "代理")
        }
    }
}
