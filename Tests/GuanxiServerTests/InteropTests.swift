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

/// Runs scripts/interop/cards.py with vobject and icalendar and returns its JSON.
func interop(_ command: String, _ path: String) throws -> Any {
    let data = try pythonTool("cards.py", [command, path])
    return command.hasPrefix("write") ? [] : try JSONSerialization.jsonObject(with: data)
}

func scratchFile(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
}

@Suite("vCard and iCalendar through independent parsers")
struct InteropTests {
    func makeContacts(_ app: TestApp) async throws -> Principal {
        let admin = try await app.admin
        var company = CustomerInput()
        company.name = "北京星辰科技有限公司"
        let customer = try await app.services.customers.create(company, by: admin)
        var wang = ContactInput()
        (wang.name, wang.customerID, wang.title, wang.department, wang.wechat, wang.birthday) = ("欧阳建国", .some(customer.id), "采购总监", "采购部", "ouyang_jg", "1975-06-01")
        wang.phones = [ContactChannel(kind: .phone, value: "138 0013 8000", label: "手机"), ContactChannel(kind: .phone, value: "010-6666 8888", label: "座机")]
        wang.emails = [ContactChannel(kind: .email, value: "ouyang@xingchen.cn", label: "工作"), ContactChannel(kind: .email, value: "jg.ouyang@163.com")]
        wang.addresses = [ContactChannel(kind: .address, value: "北京市朝阳区建国路 88 号 SOHO 现代城 A 座 1201 室（请走东门，前台登记后上楼）", label: "工作")]
        wang.notes = "喜欢喝龙井；不喝咖啡, 周五下午不开会\n第二行"
        _ = try await app.services.contacts.create(wang, by: admin)
        var smith = ContactInput()
        (smith.name, smith.title) = ("John Smith", "Buyer")
        smith.emails = [ContactChannel(kind: .email, value: "john@smith.co.uk")]
        _ = try await app.services.contacts.create(smith, by: admin)
        return admin
    }

    @Test("Contacts exported as vCard 3.0 and 4.0 read back in vobject with Chinese names, every phone and e-mail, address, birthday and notes")
    func vcardExport() async throws {
        try await TestApp.run { app, _ in
            let admin = try await makeContacts(app)
            for (format, version) in [("vcard3", "3.0"), ("vcard4", "4.0")] {
                let path = scratchFile("contacts.vcf")
                defer { try? FileManager.default.removeItem(atPath: path) }
                #expect(try await FileExport(services: app.services.customerFile).run("contacts", to: path, view: nil, filters: nil, locale: "zh-Hans", byteOrderMark: false,
                                                                         format: format, by: admin) == 2)
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
                let cards = try #require(try interop("read-vcard", path) as? [[String: Any]])
                #expect(cards.map { $0["version"] as? String } == [version, version])
                let wang = try #require(cards.first { $0["fn"] as? String == "欧阳建国" })
                #expect(wang["family"] as? String == "欧阳" && wang["given"] as? String == "建国")
                #expect(wang["org"] as? [String] == ["北京星辰科技有限公司", "采购部"])
                #expect(wang["title"] as? String == "采购总监")
                #expect(wang["tels"] as? [String] == ["010-6666 8888", "138 0013 8000"])
                #expect(wang["tel_types"] as? [String] == (version == "3.0" ? ["cell", "work"] : ["cell", "work"]))
                #expect(wang["emails"] as? [String] == ["jg.ouyang@163.com", "ouyang@xingchen.cn"])
                #expect(wang["addresses"] as? [String] == ["北京市朝阳区建国路 88 号 SOHO 现代城 A 座 1201 室（请走东门，前台登记后上楼）"])
                #expect(wang["note"] as? String == "喜欢喝龙井；不喝咖啡, 周五下午不开会\n第二行")
                #expect(wang["wechat"] as? String == "ouyang_jg")
                #expect((wang["bday"] as? String)?.replacingOccurrences(of: "-", with: "") == "19750601")
                let smith = try #require(cards.first { $0["fn"] as? String == "John Smith" })
                #expect(smith["family"] as? String == "Smith" && smith["given"] as? String == "John")
            }
            #expect(try await app.auditEntries(action: "export", kind: .contacts).count == 2)
        }
    }

    @Test("vCards written by vobject import as contacts, and Guanxi's own vCards import back into the same contacts")
    func vcardImport() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let written = scratchFile("vobject.vcf")
            defer { try? FileManager.default.removeItem(atPath: written) }
            _ = try interop("write-vcard", written)
            let imports = DataImport(services: app.services.customerFile)
            let job = try await imports.start(.contacts, fileName: "vobject.vcf", data: try Data(contentsOf: URL(fileURLWithPath: written)), settings: ImportSettings(),
                                              queue: false, by: admin)
            let done = try await imports.run(job.id, by: admin)
            #expect((done.created, done.rejected) == (2, 0))
            var contacts = try await ImportTests.contactRows(app)
            #expect(contacts["欧阳娜娜"] == ["西湖区龙井路 1 号", "nana@xihutea.cn", "手机: 139 0571 0000", "工作: 0571-8888 6666"])
            #expect(contacts["Anna Müller"] == ["Unter den Linden 5", "anna@mueller.de", "anna.private@example.de", "工作: +49 30 1234567"])
            let nana = try #require(try await app.services.database.sql.select().columns("notes", "department", "customer_id").from("contacts").where("name", .equal, "欧阳娜娜").first())
            #expect(try nana.decode(column: "notes", as: String.self) == "第一行；含分号, 逗号\n第二行")
            #expect(try nana.decode(column: "department", as: String?.self) == "市场部")
            #expect(try await app.services.customers.find(try nana.decode(column: "customer_id", as: UUID.self), for: admin).name == "杭州西湖茶业有限公司")
            // Round trip: export, remove, import the export — the same people come back.
            let exported = scratchFile("guanxi.vcf")
            defer { try? FileManager.default.removeItem(atPath: exported) }
            _ = try await FileExport(services: app.services.customerFile).run("contacts", to: exported, view: nil, filters: nil, locale: "zh-Hans", byteOrderMark: false, format: "vcard3", by: admin)
            _ = try await imports.revert(job.id, by: admin)
            #expect(try await ImportTests.contactRows(app).isEmpty)
            let again = try await imports.start(.contacts, fileName: "guanxi.vcf", data: try Data(contentsOf: URL(fileURLWithPath: exported)), settings: ImportSettings(),
                                                queue: false, by: admin)
            #expect(try await imports.run(again.id, by: admin).created == 2)
            contacts = try await ImportTests.contactRows(app)
            #expect(contacts["欧阳娜娜"] == ["西湖区龙井路 1 号", "nana@xihutea.cn", "手机: 139 0571 0000", "工作: 0571-8888 6666"])
            let bad = await #expect(throws: GuanxiError.self) {
                _ = try await imports.start(.contacts, fileName: "x.vcf", data: Data("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:半张\r\n".utf8), settings: ImportSettings(), queue: false, by: admin)
            }
            #expect(bad?.message == "Line 1: a vCard begins but never ends (END:VCARD is missing).")
        }
    }

    @Test("Activities export as iCalendar that the icalendar parser reads with their times and Asia/Shanghai zone; the personal feed works until revoked")
    func icalendar() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            let chief = try await app.principal("chief")
            let iso = ISO8601DateFormatter()
            var meeting = ActivityInput()
            (meeting.kind, meeting.subject, meeting.description) = ("meeting", "季度回顾：星辰科技", "议程：价格; 交付, 服务\n带上合同")
            (meeting.startsAt, meeting.endsAt) = (.some(iso.date(from: "2026-09-23T01:30:00Z")!), .some(iso.date(from: "2026-09-23T03:00:00Z")!))
            meeting.remindAt = .some(iso.date(from: "2026-09-23T01:15:00Z")!)
            _ = try await app.services.activities.create(meeting, by: chief)
            var task = ActivityInput()
            (task.kind, task.subject, task.dueAt) = ("task", "寄送报价单", .some(iso.date(from: "2026-09-25T09:00:00Z")!))
            _ = try await app.services.activities.create(task, by: chief)
            let path = scratchFile("activities.ics")
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try await FileExport(services: app.services.customerFile).run("activities", to: path, view: nil, filters: nil, locale: "zh-Hans", byteOrderMark: false,
                                                                     format: "ical", by: chief) == 2)
            func check(_ items: [[String: Any]]) throws {
                let event = try #require(items.first { $0["type"] as? String == "VEVENT" })
                #expect(event["summary"] as? String == "季度回顾：星辰科技")
                #expect(event["description"] as? String == "议程：价格; 交付, 服务\n带上合同")
                let start = try #require(event["start"] as? [String: Any])
                #expect(start["tz"] as? String == "Asia/Shanghai" && start["iso"] as? String == "2026-09-23T09:30:00+08:00")
                #expect((event["end"] as? [String: Any])?["utc"] as? String == "2026-09-23T03:00:00Z")
                #expect(event["alarm"] as? [String] == ["-PT15M"])
                let todo = try #require(items.first { $0["type"] as? String == "VTODO" })
                #expect(todo["summary"] as? String == "寄送报价单" && todo["status"] as? String == "NEEDS-ACTION")
                #expect((todo["due"] as? [String: Any])?["utc"] as? String == "2026-09-25T09:00:00Z")
            }
            try check(try #require(try interop("read-ical", path) as? [[String: Any]]))
            // The feed: an address shown once, readable without signing in, dead once replaced or turned off.
            _ = try await browser.get("/profile")
            let profile = try await browser.post("/profile/calendar-feed", [:])
            let url = try #require(profile.text.range(of: #"/calendar/feed/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression).map { String(profile.text[$0]) })
            let feed = try await client.execute(uri: url, method: .get, headers: [:], body: nil)
            #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
            let feedPath = scratchFile("feed.ics")
            defer { try? FileManager.default.removeItem(atPath: feedPath) }
            try Data(buffer: feed.body).write(to: URL(fileURLWithPath: feedPath))
            try check(try #require(try interop("read-ical", feedPath) as? [[String: Any]]))
            _ = try await browser.post("/profile/calendar-feed", [:])
            #expect(try await client.execute(uri: url, method: .get, headers: [:], body: nil).status == .notFound)
            _ = try await browser.get("/profile")
            _ = try await browser.post("/profile/calendar-feed/off", [:])
            #expect(try await app.auditEntries(action: "token_revoke", kind: .users).first?.recordLabel == "calendar feed")
        }
    }
}
