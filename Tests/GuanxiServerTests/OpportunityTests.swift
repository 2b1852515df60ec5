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

@Suite("Opportunities")
struct OpportunityTests {
    /// A customer to hang deals on, and the default pipeline's stages by name.
    func setUp(_ api: APIClient) async throws -> (customer: String, pipeline: String, stages: [String: String]) {
        let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"深圳蓝海电子有限公司"}"#).json["id"] as? String)
        let pipelines = try #require(try await api.call(.get, "/pipelines").json["items"] as? [[String: Any]])
        let first = try #require(pipelines.first)
        let stages = (first["stages"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { $0[$1["name"] as! String] = $1["id"] as? String }
        return (customer, first["id"] as! String, stages)
    }

    @Test("A new organisation has a pipeline in its language; a deal starts in its first stage at that stage's probability")
    func defaults() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let (customer, pipeline, stages) = try await setUp(api)
            #expect(Set(stages.keys) == ["初步接洽", "需求确认", "方案报价", "商务谈判", "赢单", "输单"])
            let created = try await api.call(.post, "/opportunities", json: """
                {"name":"蓝海 ERP 升级","customerId":"\(customer)","amount":"1,250,000.5","expectedClose":"2027-01-15"}
                """)
            #expect(created.status == .created)
            #expect(created.json["pipelineId"] as? String == pipeline)
            #expect(created.json["stageId"] as? String == stages["初步接洽"])
            #expect(created.json["probability"] as? Int == 10)
            #expect(created.json["amount"] as? String == "1250000.50")
            #expect(created.json["currency"] as? String == "CNY")
        }
    }

    @Test("Bad opportunity input names the field and saves nothing", arguments: [
        ("{\"customerId\":\"C\"}", "name"),
        ("{\"name\":\"X\"}", "customerId"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"amount\":\"-1\"}", "amount"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"amount\":\"12.345\"}", "amount"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"probability\":101}", "probability"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"probability\":-1}", "probability"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"stageId\":\"6F1B0F5C-0000-4000-8000-000000000000\"}", "stageId"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"stageId\":\"OTHER\"}", "stageId"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"stageId\":\"LOST\"}", "lossReason"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"expectedClose\":\"2027-13-01\"}", "expectedClose"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"currency\":\"RMB¥\"}", "currency"),
        ("{\"name\":\"X\",\"customerId\":\"6F1B0F5C-0000-4000-8000-000000000000\"}", "customerId"),
        ("{\"name\":\"X\",\"customerId\":\"C\",\"competitorIds\":[\"6F1B0F5C-0000-4000-8000-000000000000\"]}", "competitorIds"),
    ])
    func badInput(body: String, field: String) async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let (customer, _, stages) = try await setUp(api)
            let other = try await api.call(.post, "/pipelines", json: """
                {"name":"续约","stages":[{"name":"待续约","probability":60},{"name":"已续约","probability":100,"outcome":"won"},{"name":"流失","probability":0,"outcome":"lost"}]}
                """)
            let otherStage = try #require((other.json["stages"] as? [[String: Any]])?.first?["id"] as? String)
            // The renewal pipeline's stage is unknown to a deal placed in the default pipeline.
            let sent = body.replacingOccurrences(of: "\"C\"", with: "\"\(customer)\"").replacingOccurrences(of: "\"LOST\"", with: "\"\(stages["输单"]!)\"")
                .replacingOccurrences(of: "\"OTHER\"", with: "\"\(otherStage)\",\"pipelineId\":\"\(try #require(try await api.call(.get, "/pipelines").json["items"] as? [[String: Any]]).first!["id"] as! String)\"")
            let response = try await api.call(.post, "/opportunities", json: sent)
            #expect(response.status == .badRequest)
            #expect(response.errorBody["field"] as? String == field)
            #expect((try await api.call(.get, "/opportunities").json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("Stage moves take the stage's probability, are kept in the stage history with the time spent, and losing needs a reason")
    func stageHistory() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let (customer, _, stages) = try await setUp(api)
            let id = try #require(try await api.call(.post, "/opportunities", json: "{\"name\":\"D\",\"customerId\":\"\(customer)\"}").json["id"] as? String)
            app.clock.advance(by: 3 * 86_400)
            let moved = try await api.call(.patch, "/opportunities/\(id)", json: "{\"stageId\":\"\(stages["方案报价"]!)\"}", headers: [.ifMatch: "\"v1\""])
            #expect(moved.json["probability"] as? Int == 50)
            app.clock.advance(by: 2 * 86_400)
            let custom = try await api.call(.patch, "/opportunities/\(id)", json: "{\"stageId\":\"\(stages["商务谈判"]!)\",\"probability\":60}")
            #expect(custom.json["probability"] as? Int == 60)
            app.clock.advance(by: 86_400)
            let noReason = try await api.call(.patch, "/opportunities/\(id)", json: "{\"stageId\":\"\(stages["输单"]!)\"}")
            #expect(noReason.errorBody["field"] as? String == "lossReason")
            let lost = try await api.call(.patch, "/opportunities/\(id)", json: "{\"stageId\":\"\(stages["输单"]!)\",\"lossReason\":\"价格\"}")
            #expect(lost.json["probability"] as? Int == 0)
            #expect(lost.json["closedAt"] != nil)
            app.clock.advance(by: 3600)
            let visits = try #require(try await api.call(.get, "/opportunities/\(id)/stages").json["items"] as? [[String: Any]])
            #expect(visits.map { $0["stageName"] as? String } == ["初步接洽", "方案报价", "商务谈判", "输单"])
            #expect(visits.map { $0["durationSeconds"] as? Int } == [3 * 86_400, 2 * 86_400, 86_400, 3600])
            #expect(visits.last?["leftAt"] == nil)
            let entry = try #require(try await app.auditEntries(action: "update", kind: .opportunities, id: id).first)
            #expect(entry.changes.contains(FieldChange(field: "loss_reason", old: nil, new: "价格")))
        }
    }

    @Test("The weighted pipeline and the forecast by month and owner add up the deals the reader may see")
    func forecast() async throws {
        try await TestApp.run { app, client in
            let role = try await app.makeRole("rep", [.opportunities: Grant(actions: [.read, .create, .update], scope: .own),
                                                      .customers: Grant(actions: [.read], scope: .all)])
            let rep = try await app.makeUser("rep", roles: [role.id!])
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let (customer, pipeline, stages) = try await setUp(api)
            let admin = try await app.admin
            let deals: [(String, String, String, String, String?)] = [
                ("100000", "初步接洽", "2027-01-10", admin.userID.uuidString, nil),     // 10 % → 10,000
                ("200000.01", "方案报价", "2027-01-20", rep.id!.uuidString, nil),       // 50 % → 100,000.005 (sum rounds)
                ("300000", "赢单", "2027-02-05", rep.id!.uuidString, nil),              // won
                ("400000", "输单", "2027-02-06", admin.userID.uuidString, "预算取消"),   // lost: left out
                ("50000", "商务谈判", "2027-02-28", admin.userID.uuidString, nil),      // 75 % → 37,500
            ]
            for (amount, stage, close, owner, reason) in deals {
                let body = """
                    {"name":"D\(amount)","customerId":"\(customer)","amount":"\(amount)","stageId":"\(stages[stage]!)","expectedClose":"\(close)",
                     "ownerId":"\(owner)"\(reason.map { ",\"lossReason\":\"\($0)\"" } ?? "")}
                    """
                #expect(try await api.call(.post, "/opportunities", json: body).status == .created)
            }
            let byMonth = try #require(try await api.call(.get, "/forecast?groupBy=month").json["items"] as? [[String: Any]])
            #expect(byMonth.map { $0["key"] as? String } == ["2027-01", "2027-02"])
            let january = try #require(byMonth.first?["open"] as? [String: Any])
            #expect(january["count"] as? Int == 2)
            #expect(january["amount"] as? String == "300000.01")
            #expect(january["weighted"] as? String == "110000.01")
            let february = try #require(byMonth.last)
            #expect((february["open"] as? [String: Any])?["weighted"] as? String == "37500.00")
            #expect((february["won"] as? [String: Any])?["amount"] as? String == "300000.00")
            let byOwner = try #require(try await api.call(.get, "/forecast?groupBy=owner&from=2027-01-01&to=2027-01-31").json["items"] as? [[String: Any]])
            #expect(Set(byOwner.compactMap { $0["key"] as? String }) == [admin.userID.uuidString, rep.id!.uuidString])
            let summary = try await api.call(.get, "/pipelines/\(pipeline)/summary").json
            #expect((summary["open"] as? [String: Any])?["weighted"] as? String == "147500.01")
            let lostRow = (summary["stages"] as? [[String: Any]])?.first { $0["name"] as? String == "输单" }
            #expect((lostRow?["figures"] as? [String: Any])?["count"] as? Int == 1)
            // The rep's forecast holds only the rep's deals.
            let repAPI = APIClient(client: client, token: try await app.token(for: "rep"))
            let repMonths = try #require(try await repAPI.call(.get, "/forecast").json["items"] as? [[String: Any]])
            #expect((repMonths.first?["open"] as? [String: Any])?["amount"] as? String == "200000.01")
            #expect((repMonths.last?["won"] as? [String: Any])?["count"] as? Int == 1)
        }
    }

    @Test("Administrators shape pipelines; a stage holding deals cannot be dropped; others may only read them")
    func pipelines() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let (customer, pipeline, stages) = try await setUp(api)
            _ = try await api.call(.post, "/opportunities", json: "{\"name\":\"D\",\"customerId\":\"\(customer)\",\"stageId\":\"\(stages["需求确认"]!)\"}")
            let current = try #require(try await api.call(.get, "/pipelines/\(pipeline)").json["stages"] as? [[String: Any]])
            func stagesJSON(_ keep: [[String: Any]]) -> String {
                keep.map { "{\"id\":\"\($0["id"]!)\",\"name\":\"\($0["name"]!)\",\"probability\":\($0["probability"]!),\"outcome\":\"\($0["outcome"]!)\"}" }
                    .joined(separator: ",")
            }
            let withoutQualification = current.filter { $0["name"] as? String != "需求确认" }
            let refused = try await api.call(.put, "/pipelines/\(pipeline)", json: "{\"name\":\"新业务\",\"stages\":[\(stagesJSON(withoutQualification))]}")
            #expect(refused.status == .badRequest)
            #expect(refused.errorBody["field"] as? String == "stages")
            let withoutProposal = current.filter { $0["name"] as? String != "方案报价" }
            let saved = try await api.call(.put, "/pipelines/\(pipeline)", json: "{\"name\":\"新业务\",\"stages\":[\(stagesJSON(withoutProposal))]}",
                                           headers: [.ifMatch: "\"v1\""])
            #expect(saved.status == .ok)
            #expect((saved.json["stages"] as? [Any])?.count == 5)
            #expect(try await api.call(.delete, "/pipelines/\(pipeline)").status == .conflict)
            let noWon = try await api.call(.post, "/pipelines", json: #"{"name":"X","stages":[{"name":"a","probability":10},{"name":"b","probability":20},{"name":"c","probability":0,"outcome":"lost"}]}"#)
            #expect(noWon.errorBody["field"] as? String == "stages")
            let wonAt90 = try await api.call(.post, "/pipelines", json: #"{"name":"X","stages":[{"name":"a","probability":10},{"name":"b","probability":90,"outcome":"won"},{"name":"c","probability":0,"outcome":"lost"}]}"#)
            #expect(wonAt90.errorBody["field"] as? String == "stages[1].probability")
            let role = try await app.makeRole("rep", [.opportunities: Grant(actions: [.read], scope: .own)])
            try await app.makeUser("rep", roles: [role.id!])
            let rep = APIClient(client: client, token: try await app.token(for: "rep"))
            #expect((try await rep.call(.get, "/pipelines").json["items"] as? [Any])?.count == 1)
            #expect(try await rep.call(.put, "/pipelines/\(pipeline)", json: "{\"name\":\"Y\",\"stages\":[\(stagesJSON(withoutProposal))]}").status == .forbidden)
            #expect(try await app.auditEntries(action: "update", kind: .pipelines, id: pipeline).count == 1)
        }
    }

    @Test("Competitors carry strengths and weaknesses and are named on deals; each scope sees its deals only", arguments: [DataScope.own, .all])
    func competitorsAndScopes(scope: DataScope) async throws {
        try await TestApp.run { app, client in
            let role = try await app.makeRole("rep", [.opportunities: Grant(actions: [.read, .create, .update], scope: scope),
                                                      .customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("rep", roles: [role.id!])
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let rep = APIClient(client: client, token: try await app.token(for: "rep"))
            let (customer, _, _) = try await setUp(api)
            let competitor = try await rep.call(.post, "/competitors", json: #"{"name":"友商甲","strengths":"价格低","weaknesses":"服务慢"}"#)
            #expect(competitor.status == .created)
            let competitorID = try #require(competitor.json["id"] as? String)
            #expect(try await rep.call(.post, "/competitors", json: #"{"name":"友商甲"}"#).errorBody["field"] as? String == "name")
            let mine = try await rep.call(.post, "/opportunities", json: "{\"name\":\"我的商机\",\"customerId\":\"\(customer)\",\"competitorIds\":[\"\(competitorID)\"]}")
            #expect(mine.json["competitorIds"] as? [String] == [competitorID])
            let theirs = try #require(try await api.call(.post, "/opportunities", json: "{\"name\":\"管理员的商机\",\"customerId\":\"\(customer)\"}").json["id"] as? String)
            let seen = Set(((try await rep.call(.get, "/opportunities").json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
            #expect(seen == (scope == .own ? ["我的商机"] : ["我的商机", "管理员的商机"]))
            #expect(try await rep.call(.get, "/opportunities/\(theirs)").status == (scope == .own ? .notFound : .ok))
            let entry = try #require(try await app.auditEntries(action: "create", kind: .opportunities, id: mine.json["id"] as? String).first)
            #expect(entry.changes.contains(FieldChange(field: "competitors", old: nil, new: "友商甲")))
        }
    }
}
