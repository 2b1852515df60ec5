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

@Suite("Custom fields")
struct CustomFieldTests {
    func define(_ api: APIClient, _ body: String) async throws -> String {
        let response = try await api.call(.post, "/custom-fields", json: body)
        #expect(response.status == .created, "\(body)")
        return try #require(response.json["id"] as? String)
    }

    func defineCustomerFields(_ api: APIClient) async throws {
        _ = try await define(api, #"{"recordKind":"customers","key":"revenue","label":"年营业额","type":"money"}"#)
        _ = try await define(api, #"{"recordKind":"customers","key":"staff","label":"员工数","type":"number"}"#)
        _ = try await define(api, #"{"recordKind":"customers","key":"founded","label":"成立日期","type":"date"}"#)
        _ = try await define(api, #"{"recordKind":"customers","key":"region","label":"大区","type":"choice","choices":["华东","华北","华南"]}"#)
        _ = try await define(api, #"{"recordKind":"customers","key":"products","label":"在用产品","type":"multi_choice","choices":["ERP","CRM","OA"]}"#)
        _ = try await define(api, #"{"recordKind":"customers","key":"listed","label":"上市公司","type":"boolean"}"#)
        _ = try await define(api, #"{"recordKind":"customers","key":"motto","label":"口号","type":"text"}"#)
    }

    @Test("Values of every type are stored, read back typed, audited, and refused when wrong, naming the field")
    func typedValues() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            try await defineCustomerFields(api)
            let created = try await api.call(.post, "/customers", json: """
                {"name":"杭州云栖科技","customFields":{"revenue":"12,500,000.50","staff":320,"founded":"2012-05-01","region":"华东",
                 "products":["CRM","ERP"],"listed":true,"motto":"<b>客户第一</b>"}}
                """)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let values = try #require(try await api.call(.get, "/customers/\(id)").json["customFields"] as? [String: Any])
            #expect(values["revenue"] as? String == "12500000.50")
            #expect(values["staff"] as? Double == 320)
            #expect(values["founded"] as? String == "2012-05-01")
            #expect(values["region"] as? String == "华东")
            #expect(values["products"] as? [String] == ["ERP", "CRM"])
            #expect(values["listed"] as? Bool == true)
            #expect(values["motto"] as? String == "<b>客户第一</b>")
            let changed = try await api.call(.patch, "/customers/\(id)", json: #"{"customFields":{"staff":"350","motto":null}}"#)
            #expect((changed.json["customFields"] as? [String: Any])?["motto"] == nil)
            #expect((changed.json["customFields"] as? [String: Any])?["region"] as? String == "华东")
            let entry = try #require(try await app.auditEntries(action: "update", kind: .customers, id: id).first)
            #expect(entry.changes.contains(FieldChange(field: "cf.staff", old: "320", new: "350")))
            for (body, field) in [
                (#"{"name":"X","customFields":{"revenue":"-5"}}"#, "customFields.revenue"),
                (#"{"name":"X","customFields":{"staff":"many"}}"#, "customFields.staff"),
                (#"{"name":"X","customFields":{"founded":"2012-13-01"}}"#, "customFields.founded"),
                (#"{"name":"X","customFields":{"region":"西北"}}"#, "customFields.region"),
                (#"{"name":"X","customFields":{"products":["ERP","HR"]}}"#, "customFields.products"),
                (#"{"name":"X","customFields":{"listed":"maybe"}}"#, "customFields.listed"),
                (#"{"name":"X","customFields":{"colour":"red"}}"#, "customFields.colour"),
                (#"{"name":"X","customFields":{"region":{"a":1}}}"#, "customFields.region"),
            ] {
                let response = try await api.call(.post, "/customers", json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorBody["field"] as? String == field, "\(body)")
            }
            #expect((try await api.call(.get, "/customers").json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("Lists filter on custom fields and sort by them, a keyset page at a time")
    func filtersAndSorts() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            try await defineCustomerFields(api)
            let rows: [(String, Int?, String, [String])] = [("甲", 50, "华东", ["ERP"]), ("乙", 900, "华北", ["CRM", "OA"]), ("丙", 120, "华东", ["CRM"]),
                                                        ("丁", nil, "华南", []), ("戊", 5000, "华东", ["OA"])]
            for (name, staff, region, products) in rows {
                let staffJSON = staff.map { ",\"staff\":\($0)" } ?? ""
                let productJSON = "[" + products.map { "\"\($0)\"" }.joined(separator: ",") + "]"
                #expect(try await api.call(.post, "/customers", json: "{\"name\":\"\(name)\",\"customFields\":{\"region\":\"\(region)\",\"products\":\(productJSON)\(staffJSON)}}").status == .created)
            }
            func names(_ query: String) async throws -> [String] {
                ((try await api.call(.get, "/customers?\(query)").json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            }
            let east = "cf=region:%E5%8D%8E%E4%B8%9C"
            #expect(Set(try await names(east)) == ["甲", "丙", "戊"])
            #expect(Set(try await names("\(east)&cf=staff%3E=100")) == ["丙", "戊"])
            #expect(Set(try await names("cf=staff%3C=120")) == ["甲", "丙"])
            #expect(Set(try await names("cf=products:CRM")) == ["乙", "丙"])
            #expect(try await api.call(.get, "/customers?cf=nosuch:1").errorBody["field"] as? String == "cf")
            #expect(try await api.call(.get, "/customers?cf=staff").errorBody["field"] as? String == "cf")
            // Sorted by staff, descending, two at a time: no gaps, no repeats, the one without a value last.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await api.call(.get, "/customers?sortField=staff&order=desc&limit=2" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? ""))
                seen += ((page.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ["戊", "乙", "丙", "甲", "丁"])
            #expect(try await names("sortField=region") .prefix(3).allSatisfy { ["甲", "丙", "戊", "乙", "丁"].contains($0) })
        }
    }

    @Test("Administrators define fields; required ones are enforced; removing a used choice or changing the type is refused; deleting drops the values")
    func definitions() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let stage = try await define(api, #"{"recordKind":"opportunities","key":"decision_level","label":"决策层级","type":"choice","choices":["部门","公司"],"required":true}"#)
            _ = try await define(api, #"{"recordKind":"leads","key":"booth","label":"展位号","type":"text"}"#)
            _ = try await define(api, #"{"recordKind":"activities","key":"mood","label":"客户情绪","type":"choice","choices":["好","一般","差"]}"#)
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"客户"}"#).json["id"] as? String)
            let missing = try await api.call(.post, "/opportunities", json: "{\"name\":\"D\",\"customerId\":\"\(customer)\"}")
            #expect(missing.errorBody["field"] as? String == "customFields.decision_level")
            let deal = try await api.call(.post, "/opportunities", json: "{\"name\":\"D\",\"customerId\":\"\(customer)\",\"customFields\":{\"decision_level\":\"公司\"}}")
            #expect(deal.status == .created)
            let dealID = try #require(deal.json["id"] as? String)
            #expect(try await api.call(.patch, "/opportunities/\(dealID)", json: #"{"customFields":{"decision_level":""}}"#).errorBody["field"] as? String == "customFields.decision_level")
            let lead = try await api.call(.post, "/leads", json: #"{"name":"L","customFields":{"booth":"A-12"}}"#)
            #expect((lead.json["customFields"] as? [String: Any])?["booth"] as? String == "A-12")
            #expect((try await api.call(.get, "/leads?cf=booth:a-1").json["items"] as? [Any])?.count == 1)
            let activity = try await api.call(.post, "/activities", json: #"{"kind":"note","subject":"S","customFields":{"mood":"好"}}"#)
            #expect((activity.json["customFields"] as? [String: Any])?["mood"] as? String == "好")
            let dropUsed = try await api.call(.patch, "/custom-fields/\(stage)", json: #"{"choices":["部门"]}"#)
            #expect(dropUsed.errorBody["field"] as? String == "choices")
            #expect(try await api.call(.patch, "/custom-fields/\(stage)", json: #"{"type":"text"}"#).errorBody["field"] as? String == "type")
            #expect(try await api.call(.patch, "/custom-fields/\(stage)", json: #"{"label":"决策级别","choices":["部门","公司","集团"]}"#).status == .ok)
            #expect(try await api.call(.post, "/custom-fields", json: #"{"recordKind":"leads","key":"Booth","label":"x","type":"text"}"#).errorBody["field"] as? String == "key")
            #expect(try await api.call(.post, "/custom-fields", json: #"{"recordKind":"leads","key":"booth","label":"x","type":"text"}"#).errorBody["field"] as? String == "key")
            #expect(try await api.call(.post, "/custom-fields", json: #"{"recordKind":"leads","key":"pick","label":"x","type":"choice"}"#).errorBody["field"] as? String == "choices")
            #expect(try await api.call(.delete, "/custom-fields/\(stage)").status == .noContent)
            #expect((try await api.call(.get, "/opportunities/\(dealID)").json["customFields"] as? [String: Any])?.isEmpty == true)
            try await app.makeUser("clerk")
            let clerk = APIClient(client: client, token: try await app.token(for: "clerk"))
            #expect(try await clerk.call(.post, "/custom-fields", json: #"{"recordKind":"leads","key":"x","label":"x","type":"text"}"#).status == .forbidden)
            #expect((try await clerk.call(.get, "/custom-fields").json["items"] as? [Any])?.count == 2)
        }
    }

    @Test("An administrator adds fields on their page; forms then ask for them and record pages show them")
    func onTheWeb() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            _ = try await browser.get("/admin/custom-fields")
            let bad = try await browser.post("/admin/custom-fields", ["record_kind": "customers", "key": "9x", "label": "错", "type": "text", "choices": ""])
            #expect(bad.status == .badRequest)
            #expect(try await browser.post("/admin/custom-fields", ["record_kind": "customers", "key": "tier_code", "label": "分级代码", "type": "choice",
                                                                    "choices": "S\nA\nB", "required": "on"]).status == .seeOther)
            #expect(try await browser.post("/admin/custom-fields", ["record_kind": "customers", "key": "budget", "label": "预算", "type": "money", "choices": ""]).status == .seeOther)
            let form = try await browser.get("/customers/new")
            #expect(form.text.contains("name=\"cf_tier_code\""))
            #expect(form.text.contains("分级代码"))
            let fields = ["name": "西宁高原牧业", "kind": "company", "relationship": "customer", "cf_sent": "1", "cf_tier_code": "", "cf_budget": "80000"]
            let missing = try await browser.post("/customers/new", fields)
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains("分级代码"))
            #expect(missing.text.contains("value=\"80000\""))
            var good = fields
            good["cf_tier_code"] = "A"
            let saved = try await browser.post("/customers/new", good)
            let page = try await browser.get(try #require(saved.location))
            #expect(page.text.contains("80,000.00"))
            #expect(page.text.contains("<td>A</td>"))
        }
    }
}
