import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import SQLKit
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
            // A custom field's heading orders the list by it.
            #expect(list.text.contains(#"<th><a href="/leads?cf=expo:%E5%B9%BF%E4%BA%A4%E4%BC%9A&amp;col=cf.expo&amp;col=status&amp;sort=cf.expo">展会</a></th>"#))
            #expect(list.text.contains(#"<td data-label="展会">广交会</td>"#))
            #expect(!list.text.contains("<th>公司</th>"))
            let saved = try await browser.post("/views", ["path": "/leads", "name": "广交会线索", "shared": "on",
                                                          "query": "cf=expo:%E5%B9%BF%E4%BA%A4%E4%BC%9A", "columns": "cf.expo,status"])
            let viewURL = try #require(saved.location)
            let opened = try await browser.get(viewURL)
            let reopened = try await browser.get(try #require(opened.location))
            #expect(reopened.text.contains("参展商甲") && !reopened.text.contains("参展商乙"))
            #expect(reopened.text.contains(">展会</a></th>"))
            let personal = try await browser.post("/views", ["path": "/leads", "name": "我的私人视图", "query": "", "columns": ""])
            #expect(personal.status == .seeOther)
            // The list's views were read a moment ago, before either was saved: both show at once.
            let withViews = try await browser.get("/leads").text
            #expect(withViews.contains(">广交会线索 ⇄</a>") && withViews.contains(">我的私人视图</a>"))
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

    @Test("A reader's choice of columns is kept for them alone, audited, and reset on request; a view's address still names its own")
    func keptColumns() async throws {
        try await TestApp.run { app, client in
            var input = LeadInput()
            (input.name, input.company, input.source) = ("王经理", "远景贸易", "展会")
            _ = try await app.services.sales.leads.create(input, by: try await app.admin)
            var browser = try await app.signedInBrowser(client, as: "chief")
            var list = try await browser.get("/leads?q=%E7%8E%8B")
            #expect(list.text.contains(#"<form method="post" action="/leads/columns">"#))
            #expect(list.text.contains("<th>公司</th>") || list.text.contains(">公司</a></th>"))
            let kept = try await browser.post("/leads/columns", ["col": "source", "back": "/leads?q=%E7%8E%8B"])
            #expect(kept.status == .seeOther)
            #expect(kept.location == "/leads?q=%E7%8E%8B")
            list = try await browser.get("/leads")
            #expect(list.text.contains("<td data-label=\"来源\">展会</td>"))
            #expect(!list.text.contains("远景贸易"))
            // A view or export address names its own columns.
            #expect(try await browser.get("/leads?col=company").text.contains("远景贸易"))
            // Kept for this reader only.
            var other = try await app.signedInBrowser(client, as: "deputy")
            #expect(try await other.get("/leads").text.contains("远景贸易"))
            // Audited as the reader's change.
            let history = try await app.services.auditQuery.history(kind: .savedViews, id: "\(try await app.principal("chief").userID.uuidString):leads")
            #expect(history.first?.changes.first?.new == "source")
            // Bad keys are refused by name; "back" never leads off the list.
            _ = try await browser.get("/leads")
            let bad = try await browser.post("/leads/columns", ["col": "x;drop", "back": "https://evil.example/"])
            #expect(bad.status == .badRequest)
            let elsewhere = try await browser.post("/leads/columns", ["col": "status", "back": "https://evil.example/"])
            #expect(elsewhere.location == "/leads")
            // Reset: the list's own columns again.
            _ = try await browser.get("/leads")
            _ = try await browser.post("/leads/columns", ["reset": "1", "col": "source", "back": "/leads?"])
            #expect(try await browser.get("/leads").text.contains("远景贸易"))
        }
    }

    @Test("Lists say how many records their filters select — exactly up to 1,000, \"more than 1,000\" beyond with a link that counts them all — under the reader's permissions")
    func counts() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let sql = app.services.database.sql
            for chunk in stride(from: 0, to: 1_001, by: 250) {
                var insert = sql.insert(into: "contacts").columns("id", "name", "name_sort", "notes", "version", "created_at", "updated_at", "search_text")
                for i in chunk..<min(chunk + 250, 1_001) {
                    let name = String(format: "联系人%04d", i)
                    insert = insert.values(SQLBind(UUID()), SQLBind(name), SQLBind(Pinyin.sortKey(name, person: true)), SQLBind(""), SQLBind(1),
                                           SQLBind(Date()), SQLBind(Date()), SQLBind(SQLSearch.text([name])))
                }
                try await insert.run()
            }
            var browser = try await app.signedInBrowser(client, as: "chief")
            let capped = try await browser.get("/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA").text  // 联系人
            #expect(capped.contains(#"<strong class="list-total">超过 1,000 条</strong> <a href="/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA&amp;count=all">全部计数</a>"#))
            #expect(try await app.services.contactQuery.count(ContactFilter(), for: admin, cap: 1_000) == 1_001, "counting stops one past the cap")
            // A search count is led by the index's matches, each record counted once
            // though its name matches two ways (王王: by its start and after its surname).
            for name in ["王王", "王芳", "李王"] {
                var person = ContactInput()
                person.name = name
                _ = try await app.services.contacts.create(person, by: admin)
            }
            var wang = ContactFilter()
            wang.search = "王"
            #expect(try await app.services.contactQuery.count(wang, for: admin, cap: 1_000) == 3)
            wang.search = "联系人000"
            #expect(try await app.services.contactQuery.count(wang, for: admin, cap: 1_000) == 10)
            wang.search = "联系人"
            #expect(try await app.services.contactQuery.count(wang, for: admin, cap: 5) == 6, "counting stops one past the cap")
            // Asked for, the list counts to the end, and its pages keep counting.
            let all = try await browser.get("/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA&count=all").text
            #expect(all.contains(#"<strong class="list-total">共 1,001 条</strong>"#))
            #expect(!all.contains("全部计数"))
            #expect(all.contains(#"count=all&amp;after="#))

            var input = CustomerInput()
            for name in ["星辰科技", "星光贸易", "远景物流"] {
                input.name = name
                _ = try await app.services.customers.create(input, by: admin)
            }
            #expect(try await browser.get("/customers").text.contains(#"<strong class="list-total">共 3 条</strong>"#))
            #expect(try await browser.get("/customers?q=%E6%98%9F").text.contains(#"<strong class="list-total">共 2 条</strong>"#))
            // A rep counts only what they may read: none of these is theirs.
            let role = try await app.makeRole("own-customers", [.customers: Grant(actions: [.read], scope: .own)])
            try await app.makeUser("rep.li", roles: [role.id!])
            var rep = Browser(client)
            _ = try await rep.signIn("rep.li", "Secret-pass-42")
            #expect(try await rep.get("/customers").text.contains(#"<strong class="list-total">共 0 条</strong>"#))
        }
    }

    @Test("A list's rows escape every value they show — titles, cells, column labels and links — and mark empty cells")
    func rowsEscape() {
        let row = ListTable.Row(id: "1\"2", href: "/customers/a?b=1&c=2", title: "<b>王&李</b>", cells: [
            .init(text: "O'Neil \"Ltd\"", href: nil, label: "<i>列</i>"),
            .init(text: "星辰<科技>", href: "/customers/x\"y", label: "客户"),
            .init(text: "", href: nil, label: "电话"),
        ])
        let html = ListTable.html([row], canBulk: true)
        #expect(html == #"<tr><td class="pick"><input type="checkbox" name="ids" value="1&quot;2" aria-label="&lt;b&gt;王&amp;李&lt;/b&gt;"></td>"#
            + #"<td class="title"><a href="/customers/a?b=1&amp;c=2">&lt;b&gt;王&amp;李&lt;/b&gt;</a></td>"#
            + #"<td data-label="&lt;i&gt;列&lt;/i&gt;">O&#39;Neil &quot;Ltd&quot;</td>"#
            + #"<td data-label="客户"><a href="/customers/x&quot;y">星辰&lt;科技&gt;</a></td>"#
            + #"<td data-label="电话" class="empty"></td></tr>"#)
        #expect(!ListTable.html([row], canBulk: false).contains("pick"), "no tick box without bulk actions")
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

            // The new owner is picked by typing: the list offers the first colleagues, and one
            // beyond them is still assigned.
            var colleagues: [User] = []
            for n in 1...25 { colleagues.append(try await app.makeUser(String(format: "rep%02d", n))) }
            let page = try await browser.get("/customers").text
            #expect(page.contains(#"<select name="owner_id" data-pick="users""#))
            #expect(page.contains(colleagues[0].id!.uuidString))
            #expect(!page.contains(colleagues[24].id!.uuidString), "beyond the picker's first page")
            let assigned = try await browser.post("/customers/bulk", ["action": "assign", "back": "/customers", "ids": ids[1],
                                                                     "owner_id": colleagues[24].id!.uuidString])
            #expect(assigned.location == "/customers?bulk_done=1&bulk_failed=0")
            #expect(try await app.services.customers.find(UUID(uuidString: ids[1])!, for: chief).ownerID == colleagues[24].id)
        }
    }
}

@Suite("Paging and ordering lists")
struct ListPagingTests {
    /// The href of the link marked `rel`, unescaped.
    static func link(_ html: String, rel: String) -> String? {
        html.firstMatch(of: try! Regex(#"<a href="([^"]*)" rel="\#(rel)""#)).map { String($0.output[1].substring!).replacingOccurrences(of: "&amp;", with: "&") }
    }

    @Test("Next, previous and first page walk a list both ways without page numbers in the database; headings order it")
    func pagesBothWays() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            for n in 1...120 {
                var input = CustomerInput()
                input.name = String(format: "翻页客户%03d", n)
                _ = try await app.services.customers.create(input, by: admin)
            }
            var browser = try await app.signedInBrowser(client, as: "chief")
            let first = try await browser.get("/customers?q=%E7%BF%BB%E9%A1%B5").text
            #expect(first.contains("翻页客户001") && !first.contains("翻页客户051"))
            #expect(first.contains("第 1 页") && Self.link(first, rel: "prev") == nil)
            let second = try await browser.get(try #require(Self.link(first, rel: "next"))).text
            #expect(second.contains("翻页客户051") && second.contains("第 2 页"))
            let third = try await browser.get(try #require(Self.link(second, rel: "next"))).text
            #expect(third.contains("翻页客户101") && third.contains("第 3 页") && Self.link(third, rel: "next") == nil)
            let back = try await browser.get(try #require(Self.link(third, rel: "prev"))).text
            #expect(back.contains("翻页客户051") && !back.contains("翻页客户101") && back.contains("第 2 页"))
            let backAgain = try await browser.get(try #require(Self.link(back, rel: "prev"))).text
            #expect(backAgain.contains("翻页客户001") && backAgain.contains("第 1 页"))
            #expect(third.contains("« 第一页"))
            // The filter survives paging; the name heading is marked as the order and "last change" orders.
            #expect(try #require(Self.link(second, rel: "next")).contains("q=%E7%BF%BB%E9%A1%B5"))
            #expect(first.contains(#"<th aria-sort="ascending"><a href="/customers?q=%E7%BF%BB%E9%A1%B5&amp;sort=name">名称 ▲</a></th>"#))
            let withUpdated = try await browser.get("/customers?q=%E7%BF%BB%E9%A1%B5&col=updated").text
            #expect(withUpdated.contains(#"sort=updated">最近修改</a></th>"#))
            let byChange = try await browser.get("/customers?q=%E7%BF%BB%E9%A1%B5&col=updated&sort=updated").text
            #expect(byChange.contains("最近修改 ▼</a>"))
            #expect(byChange.firstRange(of: "翻页客户120")!.lowerBound < byChange.firstRange(of: "翻页客户119")!.lowerBound)
        }
    }
}
