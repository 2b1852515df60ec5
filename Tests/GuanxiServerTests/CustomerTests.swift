import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import GuanxiPlatform

@Suite("Customers")
struct CustomerTests {
    static let full = """
        {"name":"北京星辰科技有限公司","kind":"company","industry":"软件","size":"medium","province":"北京市","city":"北京市","district":"海淀区",
         "address":"中关村大街 1 号","postcode":"100080","phone":"010-6543 2100","email":"info@xingchen.cn","website":"https://xingchen.cn",
         "source":"展会","grade":"A","valueTier":"high","lifecycleStage":"growth","relationship":"customer","tags":["重点","华北"],
         "anniversary":"2015-06-01","notes":"<b>大客户</b>","consent":{"email":{"status":"opted_in","via":"签约表"},"sms":{"status":"opted_out"}}}
        """

    @Test("A customer is created with every field and read back as sent")
    func createAndRead() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let created = try await api.call(.post, "/customers", json: Self.full)
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"v1\"")
            let id = try #require(created.json["id"] as? String)
            let read = try await api.call(.get, "/customers/\(id)")
            let c = read.json
            #expect(c["name"] as? String == "北京星辰科技有限公司")
            #expect(c["phone"] as? String == "010-6543 2100")
            #expect(c["tags"] as? [String] == ["华北", "重点"])
            #expect(c["notes"] as? String == "<b>大客户</b>")
            #expect(c["lifecycleStage"] as? String == "growth")
            let consent = c["consent"] as? [String: [String: Any]]
            #expect(consent?["email"]?["status"] as? String == "opted_in")
            #expect(consent?["email"]?["via"] as? String == "签约表")
            #expect(consent?["email"]?["at"] != nil)
            #expect(consent?["phone"]?["status"] as? String == "unknown")
            #expect(c["ownerId"] as? String == (try await app.admin).userID.uuidString)
            let entry = try #require(try await app.auditEntries(action: "create", kind: .customers, id: id).first)
            #expect(entry.changes.contains(FieldChange(field: "tags", old: nil, new: "华北, 重点")))
        }
    }

    @Test("Bad input is refused naming the field, and nothing is saved", arguments: [
        (#"{"kind":"company"}"#, "name"),
        (#"{"name":"A","email":"nope"}"#, "email"),
        (#"{"name":"A","phone":"call me"}"#, "phone"),
        (#"{"name":"A","phone":"12"}"#, "phone"),
        (#"{"name":"A","lifecycleStage":"teenage"}"#, "lifecycleStage"),
        (#"{"name":"A","grade":"Z"}"#, "grade"),
        (#"{"name":"A","birthday":"2999-01-01"}"#, "birthday"),
        (#"{"name":"A","birthday":"2020-02-30"}"#, "birthday"),
        (#"{"name":"A","website":"ftp://x.cn"}"#, "website"),
        (#"{"name":"A","website":"javascript:alert(1).x"}"#, "website"),
        (#"{"name":"A","website":"javascript:alert(document.cookie)//x.cn"}"#, "website"),
        (#"{"name":"A","website":"data:text/html,<b>x</b>.cn"}"#, "website"),
        (#"{"name":"A","website":"https://x.cn\"onmouseover=\"a"}"#, "website"),
        (#"{"name":"A","consent":{"email":{"status":"maybe"}}}"#, "consent.email.status"),
        (#"{"name":"A","parentId":"6F1B0F5C-0000-4000-8000-000000000000"}"#, "parentId"),
        (#"{"name":"A","ownerId":"not-an-id"}"#, "ownerId"),
        (#"{"name":"A","colour":"red"}"#, nil),
    ])
    func badInput(body: String, field: String?) async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let response = try await api.call(.post, "/customers", json: body)
            #expect(response.status == .badRequest)
            if let field { #expect(response.errorBody["field"] as? String == field) }
            let listed = try await api.call(.get, "/customers")
            #expect((listed.json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("Text fields lose the white space at their ends (ideographic and other Unicode spaces too), count length in characters, and refuse control characters")
    func textChecks() throws {
        // The White_Space list spelled out in code agrees with Unicode's tables for every scalar.
        let scalars = (0...0x10FFFF).compactMap(Unicode.Scalar.init)
        #expect(scalars.allSatisfy { $0.isWhiteSpace == $0.properties.isWhitespace })
        #expect(try Validate.text("\u{3000} 张三\u{2003}\t\n", field: "name") == "张三")
        #expect(try Validate.text("  ", field: "name", required: false) == nil)
        #expect(try Validate.text("王小明", field: "name", max: 3) == "王小明")
        #expect(throws: GuanxiError.self) { try Validate.text("王小明", field: "name", max: 2) }
        #expect(try Validate.text("第一行\n第二行\t完", field: "notes") == "第一行\n第二行\t完")
        #expect(throws: GuanxiError.self) { try Validate.text("铃\u{07}声", field: "notes") }
        #expect(throws: GuanxiError.self) { try Validate.email("zhang\u{3000}san@example.cn") }
        #expect(try Validate.email(" zhang@example.cn ") == "zhang@example.cn")
    }

    @Test("Phone numbers: digits are the ASCII 0–9 only, and only digits, spaces, + - ( ) . make a number")
    func phoneDigits() throws {
        let samples = ["+86 (138) 0013-8000", "010.6543.2100", "１３８００１３８０００", "٠١٢٣٤٥٦٧٨٩ 12345", "手机 13800138000", "", "12\u{0301}345", "ⅫⅢ 2",
                       "13800138000", "+1 (555) 010-0000 ext. 1234567890 / 0049 30 1234 5678", "no digits at all"]
        for text in samples {
            // What the Unicode-level definition it replaced gives, character by character.
            let expected = String(text.unicodeScalars.filter { $0.isASCII && $0.properties.numericType != nil }.map(Character.init))
            #expect(text.asciiDigits == expected)
            #expect(text.dropFirst(0).asciiDigits == expected)
        }
        #expect(try CustomerValidate.phone("+86 (138) 0013-8000")?.digits == "8613800138000")
        #expect(try CustomerValidate.phone("010.6543.2100")?.digits == "01065432100")
        for bad in ["１３８００１３８０００", "138 0013 8000 转 2", "13800138000#", "1234"] {
            #expect(throws: GuanxiError.self) { try CustomerValidate.phone(bad) }
        }
    }

    @Test("Calendar days: every day of 1896–2104 (leap years and the century rule) reads as the formatter reads it; impossible and mis-written days are refused")
    func calendarDays() throws {
        let formatter = DateFormatter()
        (formatter.calendar, formatter.locale, formatter.timeZone, formatter.dateFormat) =
            (Calendar(identifier: .gregorian), Locale(identifier: "en_US_POSIX"), TimeZone(identifier: "UTC"), "yyyy-MM-dd")
        var day = try #require(formatter.date(from: "1896-01-01"))
        while day < formatter.date(from: "2105-01-01")! {
            let text = formatter.string(from: day)
            #expect(Validate.isoDay(text) == day, "\(text)")
            day += 86_400
        }
        for bad in ["2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-4-03", "2026/04/03", "20260403", "２０２６-04-03",
                    "0000-01-01", "", "+026-04-03", "2026-04-0x"] {
            #expect(Validate.isoDay(bad) == nil, "\(bad)")
            #expect(throws: GuanxiError.self) { try CustomerValidate.date(bad.isEmpty ? "x" : bad, field: "birthday") }
        }
        #expect(try CustomerValidate.date("2024-02-29", field: "birthday") == "2024-02-29")
        #expect(throws: GuanxiError.self) { try CustomerValidate.date("2999-01-01", field: "purchasedOn", notAfter: Date()) }
    }

    @Test("Two people saving the same version: the second gets 412 and nothing is overwritten")
    func versionConflict() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let id = try #require(try await api.call(.post, "/customers", json: #"{"name":"Acme"}"#).json["id"] as? String)
            let first = try await api.call(.patch, "/customers/\(id)", json: #"{"industry":"Retail"}"#, headers: [.ifMatch: "\"v1\""])
            #expect(first.status == .ok)
            #expect(first.headers[.eTag] == "\"v2\"")
            let second = try await api.call(.patch, "/customers/\(id)", json: #"{"industry":"Logistics"}"#, headers: [.ifMatch: "\"v1\""])
            #expect(second.status == .preconditionFailed)
            #expect(second.errorBody["code"] as? String == "version_conflict")
            #expect(try await api.call(.get, "/customers/\(id)").json["industry"] as? String == "Retail")
            let stale = try await api.call(.delete, "/customers/\(id)", headers: [.ifMatch: "\"v1\""])
            #expect(stale.status == .preconditionFailed)
            #expect(try await api.call(.delete, "/customers/\(id)", headers: [.ifMatch: "\"v2\""]).status == .noContent)
        }
    }

    @Test("Chinese names match by substring, phones by digits, and wildcards literally")
    func search() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            for (name, phone) in [("北京星辰科技有限公司", "010-6543 2100"), ("上海星光贸易有限公司", "+86 21 5555 0101"), ("100% Organic Ltd", "0755 8888 9999")] {
                var input = CustomerInput()
                input.name = name
                input.phone = phone
                _ = try await app.services.customers.create(input, by: admin)
            }
            func names(_ q: String) async throws -> [String] {
                var filter = CustomerFilter()
                filter.search = q
                return try await app.services.customerQuery.list(filter, for: admin).customers.map(\.name)
            }
            #expect(try await names("星辰科技") == ["北京星辰科技有限公司"])
            #expect(try await names("星") == ["北京星辰科技有限公司", "上海星光贸易有限公司"], "in pinyin order: bei before shang")
            #expect(try await names("65432100") == ["北京星辰科技有限公司"])
            #expect(try await names("6543-2100") == ["北京星辰科技有限公司"])
            #expect(try await names("%") == ["100% Organic Ltd"])
            #expect(try await names("% Org") == ["100% Organic Ltd"])
            #expect(try await names("organic") == ["100% Organic Ltd"])
            #expect(try await names("_") == [])
            // The index follows every change: renames, new phone numbers, deletions.
            var first = CustomerFilter()
            first.search = "星辰科技"
            let star = try #require(try await app.services.customerQuery.list(first, for: admin).customers.first)
            var rename = CustomerInput()
            rename.name = "北京银河软件有限公司"
            rename.phone = "010-1234 5678"
            _ = try await app.services.customers.update(star.id!, rename, expectedVersion: nil, by: admin)
            #expect(try await names("星辰科技") == [])
            #expect(try await names("银河软件") == ["北京银河软件有限公司"])
            #expect(try await names("12345678") == ["北京银河软件有限公司"])
            #expect(try await names("65432100") == [])
            try await app.services.customers.delete(star.id!, expectedVersion: nil, by: admin)
            #expect(try await names("银河软件") == [])
        }
    }

    @Test("Lists page by keyset without gaps or repeats, in every sort order")
    func pagination() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            for i in 0..<7 {
                var input = CustomerInput()
                input.name = "客户 \(i % 3)"
                _ = try await app.services.customers.create(input, by: admin)
                app.clock.advance(by: Double(i % 2))
            }
            for sort in CustomerFilter.Sort.allCases {
                var filter = CustomerFilter()
                filter.sort = sort
                filter.limit = 3
                var seen: [UUID] = []
                var pages = 0
                repeat {
                    let page = try await app.services.customerQuery.list(filter, for: admin)
                    seen += page.customers.map { $0.id! }
                    filter.cursor = page.next
                    pages += 1
                } while filter.cursor != nil && pages < 10
                #expect(seen.count == 7, "\(sort)")
                #expect(Set(seen).count == 7, "\(sort)")
                #expect(pages == 3, "\(sort)")
            }
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let bad = try await api.call(.get, "/customers?cursor=garbage")
            #expect(bad.status == .badRequest)
            #expect(bad.errorBody["field"] as? String == "cursor")
        }
    }

    @Test("Each data scope sees exactly its customers, plus the shared pool", arguments: [DataScope.own, .subordinates, .department, .all])
    func scopes(scope: DataScope) async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let sales = try await app.services.departments.create(name: "Sales", parentID: nil, by: admin)
            let role = try await app.makeRole("rep-\(scope.rawValue)", [.customers: Grant(actions: [.read, .create, .update], scope: scope)])
            let manager = try await app.makeUser("manager", department: sales.id, roles: [role.id!])
            let rep = try await app.makeUser("rep", department: nil, manager: manager.id, roles: [role.id!])
            let peer = try await app.makeUser("peer", department: sales.id, roles: [role.id!])
            for (name, owner) in [("Mine", manager.id), ("Rep's", rep.id), ("Peer's", peer.id), ("Admin's", admin.userID), ("Pooled", nil)] {
                var input = CustomerInput()
                input.name = name
                input.ownerID = .some(owner)
                _ = try await app.services.customers.create(input, by: admin)
            }
            let expected: Set<String> = switch scope {
            case .own: ["Mine", "Pooled"]
            case .subordinates: ["Mine", "Rep's", "Pooled"]
            case .department, .departmentTree: ["Mine", "Peer's", "Pooled"]
            case .all: ["Mine", "Rep's", "Peer's", "Admin's", "Pooled"]
            }
            let principal = try await app.principal("manager")
            let seen = Set(try await app.services.customerQuery.list(CustomerFilter(), for: principal).customers.map(\.name))
            #expect(seen == expected)
            let api = APIClient(client: client, token: try await app.token(for: "manager"))
            let items = ((try await api.call(.get, "/customers?limit=200")).json["items"] as? [[String: Any]]) ?? []
            #expect(Set(items.compactMap { $0["name"] as? String }) == expected)
            // A customer out of reach cannot be linked as a parent either.
            var filter = CustomerFilter()
            filter.search = "Admin's"
            let hidden = try #require(try await app.services.customerQuery.list(filter, for: admin).customers.first)
            let link = try await api.call(.post, "/customers", json: "{\"name\":\"Child\",\"parentId\":\"\(hidden.id!.uuidString)\"}")
            #expect(link.status == (expected.contains("Admin's") ? .created : .badRequest))
        }
    }

    @Test("Filters by stage, tag and pool; the grade scale is the organisation's own")
    func filtersAndGrades() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let scale = try await api.call(.put, "/settings/customer-grades", json: #"{"grades":["一级","二级","三级","四级","五级","六级","七级","八级","九级"]}"#)
            #expect((scale.json["grades"] as? [String])?.count == 9)
            #expect(try await api.call(.post, "/customers", json: #"{"name":"A","grade":"A"}"#).errorBody["field"] as? String == "grade")
            #expect(try await api.call(.post, "/customers", json: #"{"name":"甲","grade":"一级","lifecycleStage":"at_risk","tags":["VIP"]}"#).status == .created)
            #expect(try await api.call(.post, "/customers", json: #"{"name":"乙","lifecycleStage":"growth","ownerId":""}"#).status == .created)
            func names(_ query: String) async throws -> [String] {
                (((try await api.call(.get, "/customers?\(query)")).json["items"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await names("lifecycleStage=at_risk") == ["甲"])
            #expect(try await names("tag=VIP") == ["甲"])
            #expect(try await names("pool=true") == ["乙"])
            #expect(try await names("grade=%E4%B8%80%E7%BA%A7") == ["甲"])
            try await app.makeUser("clerk")
            let clerk = APIClient(client: client, token: try await app.token(for: "clerk"))
            #expect(try await clerk.call(.put, "/settings/customer-grades", json: #"{"grades":["X"]}"#).status == .forbidden)
            #expect(try await app.auditEntries(kind: .settings).count == 1)
        }
    }
}

/// Single creations share transactions under load (group commit) without sharing fates.
@Suite("Customers created together")
struct GroupCommitTests {
    @Test("Concurrent creations all land, each audited; one that breaks a constraint fails alone")
    func concurrentCreations() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        var input = CustomerInput()
                        input.name = "并发客户\(i)"
                        input.tags = ["批量"]
                        // Two of them claim the same external id; the unique index lets one through.
                        input.externalID = i == 7 || i == 23 ? "DUP-1" : "EXT-\(i)"
                        do {
                            _ = try await app.services.customers.create(input, by: admin)
                            return true
                        } catch let error as GuanxiError {
                            #expect(error.status == .conflict && error.field == "externalId")
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 39)
            let customers = try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM customers").first(decodingColumn: "n", as: Int.self)
            let tags = try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM customer_tags").first(decodingColumn: "n", as: Int.self)
            #expect(customers == 39 && tags == 39)
            #expect(try await app.auditEntries(action: "create", kind: .customers).count == 39)
        }
    }

    @Test("Contacts saved together while their company is deleted: those naming it fail alone, the others land once")
    func sharedTransactionRetriedAlone() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "将被删除的公司"
            let doomed = try await app.services.customers.create(company, by: admin)
            // Checked while the company exists; saved after it is gone, so the database
            // refuses those rows and every shared transaction holding one is run again,
            // write by write.
            var prepared: [(ContactService.NewContact, Bool)] = []
            for i in 0..<48 {
                var input = ContactInput()
                input.name = "联系人 \(i)"
                let namesDoomed = i % 6 == 5
                if namesDoomed { input.customerID = .some(doomed.id!) }
                prepared.append((try await app.services.contacts.prepare(input, by: admin), namesDoomed))
            }
            try await app.services.customers.delete(doomed.id!, expectedVersion: nil, by: admin)
            let contacts = app.services.contacts
            let landed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (new, namesDoomed) in prepared {
                    group.addTask {
                        do {
                            try await contacts.writer.create { tx in try await contacts.insert(new, by: admin, on: tx) }
                            return true
                        } catch {
                            #expect(namesDoomed, "only contacts naming the deleted company may fail: \(error)")
                            return false
                        }
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(landed == 40)
            let stored = try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM contacts").first(decodingColumn: "n", as: Int.self)
            #expect(stored == 40)
            #expect(try await app.auditEntries(action: "create", kind: .contacts).count == 40)
        }
    }

    @Test("Leads routed round-robin while created together still take fair turns")
    func concurrentRoundRobin() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let members = [try await app.makeUser("rr.a"), try await app.makeUser("rr.b"), try await app.makeUser("rr.c")]
            let team = try await app.services.teams.create(name: "轮转", description: nil, memberIDs: members.map { $0.id! }, by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await api.call(.put, "/settings/lead-routing", json: "{\"territories\":[],\"fallbackTeamId\":\"\(team.id!.uuidString)\"}").status == .ok)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        var input = LeadInput()
                        (input.name, input.assignment) = ("线索\(i)", .byRules)
                        _ = try await app.services.sales.leads.create(input, by: admin)
                    }
                }
                try await group.waitForAll()
            }
            let owners = try await app.services.database.sql.raw("SELECT owner_id, COUNT(*) AS n FROM leads GROUP BY owner_id").all()
            #expect(try owners.map { try $0.decode(column: "n", as: Int.self) } == [10, 10, 10])
        }
    }
}
