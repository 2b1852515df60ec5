import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing
@testable import GuanxiPlatform

@Suite("Exports: lists to CSV")
struct ExportTests {
    @Test("A list downloads as CSV with its filters and chosen columns, custom fields included, a BOM for Excel and formulas neutralised; the export is audited")
    func listToCSV() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("customers", "region_code", "区域代码", "text")
            _ = try await app.services.customFields.create(field, by: admin)
            for (name, source, code, tag) in [("北京星辰科技有限公司", "=HYPERLINK(\"http://evil\")", "华北, 一区", "展会"), ("上海云海贸易", "@SUM(A1)", "华东", "展会"),
                                             ("广州不导出", "网站", "华南", "其他")] {
                var input = CustomerInput()
                (input.name, input.source, input.tags, input.phone) = (name, source, [tag], "+86 138 0013 8000")
                input.customFields = ["region_code": .text(code)]
                _ = try await app.services.customers.create(input, by: admin)
            }
            var browser = try await app.signedInBrowser(client, as: "chief")
            let list = try await browser.get("/customers?tag=%E5%B1%95%E4%BC%9A&col=phone&col=source&col=cf.region_code")
            #expect(list.text.contains("href=\"/customers/export?tag=%E5%B1%95%E4%BC%9A&amp;col=phone&amp;col=source&amp;col=cf.region_code\""))
            let download = try await browser.get("/customers/export?tag=%E5%B1%95%E4%BC%9A&col=phone&col=source&col=cf.region_code")
            #expect(download.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"customers-") == true)
            #expect(download.text.hasPrefix("\u{FEFF}"))
            let rows = CSV.parse(String(download.text.dropFirst()))
            #expect(rows.first == ["名称", "电话", "来源", "区域代码"])
            #expect(rows.dropFirst().sorted { $0[0] < $1[0] } == [
                ["上海云海贸易", "'+86 138 0013 8000", "'@SUM(A1)", "华东"],
                ["北京星辰科技有限公司", "'+86 138 0013 8000", "'=HYPERLINK(\"http://evil\")", "华北, 一区"],
            ])
            #expect(download.text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""))
            let audit = try #require(try await app.auditEntries(action: "export", kind: .customers).first)
            #expect(audit.actorName == "chief")
            #expect(audit.changes == [FieldChange(field: "filters", old: nil, new: "tag=%E5%B1%95%E4%BC%9A"),
                                      FieldChange(field: "columns", old: nil, new: "phone,source,cf.region_code")])
            let plain = try await browser.get("/customers/export?bom=0")
            #expect(!plain.text.hasPrefix("\u{FEFF}"))
            #expect(CSV.parse(plain.text).count == 4)
        }
    }

    @Test("CSV cells are quoted when they hold a comma, a quote or a line break (CR LF too), quotes doubled; formulas neutralised, numbers left alone")
    func cells() {
        #expect(CSVText.line(["张三", "a,b", "say \"hi\"", "line\r\nbreak", "line\nbreak", "=1+1", "-5", "-x", "@me", ""]) ==
                "张三,\"a,b\",\"say \"\"hi\"\"\",\"line\r\nbreak\",\"line\nbreak\",'=1+1,-5,'-x,'@me,\r\n")
        #expect(CSVText.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVText.cell("\"") == "\"\"\"\"")
        let rows = CSV.parse(CSVText.line(["line\r\nbreak", "b"]) + CSVText.line(["c", "d"]))
        #expect(rows == [["line\r\nbreak", "b"], ["c", "d"]])
    }

    @Test("Exporting needs the export permission; rows are those the reader sees that the export scope also reaches")
    func permission() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let reader = try await app.makeRole("reader", [.customers: Grant(actions: [.read], scope: .all)])
            let exporter = try await app.makeRole("own-exporter", [.customers: Grant(actions: [.export], scope: .own)])
            let rep = try await app.makeUser("rep.lin", roles: [reader.id!])
            for (name, owner) in [("林的客户", rep.id), ("别人的客户", admin.userID)] {
                var input = CustomerInput()
                (input.name, input.ownerID) = (name, .some(owner))
                _ = try await app.services.customers.create(input, by: admin)
            }
            var browser = Browser(client)
            try await browser.signIn("rep.lin", "Secret-pass-42")
            #expect(!(try await browser.get("/customers")).text.contains("/customers/export"))
            #expect(try await browser.get("/customers/export").status == .forbidden)
            #expect(try await app.auditEntries(action: "export").isEmpty)
            _ = try await app.services.users.update(rep.id!, { var c = UserService.UserChanges(); c.roleIDs = [reader.id!, exporter.id!]; return c }(), by: admin)
            var again = Browser(client)
            try await again.signIn("rep.lin", "Secret-pass-42")
            let rows = CSV.parse(String(try await again.get("/customers/export").text.dropFirst()))
            #expect(rows.dropFirst().map { $0[0] } == ["林的客户"])
        }
    }

    @Test("An export streams every page: 1,203 contacts come out once each, in list order, with their customer's name")
    func manyPages() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "深圳大客户集团"
            let customer = try await app.services.customers.create(company, by: admin)
            let sql = app.services.database.sql
            for chunk in stride(from: 0, to: 1203, by: 300) {
                var insert = sql.insert(into: "contacts").columns("id", "name", "name_sort", "customer_id", "notes", "version", "created_at", "updated_at")
                for i in chunk..<min(chunk + 300, 1203) {
                    let name = String(format: "联系人%04d", i)
                    insert = insert.values(SQLBind(UUID()), SQLBind(name), SQLBind(Pinyin.sortKey(name, person: true)), SQLBind(customer.id!), SQLBind(""), SQLBind(1), SQLBind(Date()), SQLBind(Date()))
                }
                try await insert.run()
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("contacts-\(UUID().uuidString).csv").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let count = try await FileExport(services: app.services.customerFile).run("contacts", to: path, view: nil, filters: "col=customer", locale: "en", byteOrderMark: false, by: PrincipalLoader.console())
            #expect(count == 1203)
            let rows = CSV.parse(try String(contentsOfFile: path, encoding: .utf8))
            #expect(rows.first == ["Name", "Customers"])
            #expect(rows.dropFirst().map { $0[0] } == (0..<1203).map { String(format: "联系人%04d", $0) })
            #expect(Set(rows.dropFirst().map { $0[1] }) == ["深圳大客户集团"])
            _ = client
        }
    }

    @Test("guanxi export takes a saved view by name (its filters and columns) and activities by day; a view of another kind or a bad date is refused")
    func fileExport() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            for (name, stage) in [("老客户甲", "maturity"), ("新线索乙", "acquisition")] {
                var input = CustomerInput()
                (input.name, input.lifecycleStage, input.email) = (name, stage, "a\(stage)@example.cn")
                _ = try await app.services.customers.create(input, by: admin)
            }
            var view = SavedViewInput()
            (view.recordKind, view.name, view.shared, view.query, view.columns) = ("customers", "成交客户", true, "stage=maturity", ["email"])
            _ = try await app.services.savedViews.create(view, by: admin)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("view-\(UUID().uuidString).csv").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let exporter = FileExport(services: app.services.customerFile)
            #expect(try await exporter.run("customers", to: path, view: "成交客户", filters: nil, locale: "zh-Hans", byteOrderMark: true, by: PrincipalLoader.console()) == 1)
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(Array(written.prefix(3)) == [0xEF, 0xBB, 0xBF])
            #expect(CSV.parse(String(decoding: written.dropFirst(3), as: UTF8.self)) == [["名称", "电子邮箱"], ["老客户甲", "amaturity@example.cn"]])
            await #expect(throws: GuanxiError.self) {
                _ = try await exporter.run("leads", to: path, view: "成交客户", filters: nil, locale: "en", byteOrderMark: false, by: PrincipalLoader.console())
            }
            var call = ActivityInput()
            (call.kind, call.subject, call.dueAt, call.status) = ("task", "寄送报价", .some(ISO8601DateFormatter().date(from: "2026-09-22T02:00:00Z")!), "planned")
            _ = try await app.services.activities.create(call, by: admin)
            var late = call
            (late.subject, late.dueAt) = ("年底回访", .some(ISO8601DateFormatter().date(from: "2026-12-20T02:00:00Z")!))
            _ = try await app.services.activities.create(late, by: admin)
            #expect(try await exporter.run("activities", to: path, view: nil, filters: "from=2026-09-01&to=2026-09-30&col=due_at", locale: "en",
                                           byteOrderMark: false, by: PrincipalLoader.console()) == 1)
            #expect(CSV.parse(try String(contentsOfFile: path, encoding: .utf8)) == [["Subject", "Due"], ["寄送报价", "2026-09-22 02:00"]])
            let error = await #expect(throws: GuanxiError.self) {
                _ = try await exporter.run("activities", to: path, view: nil, filters: "from=2026-13-01", locale: "en", byteOrderMark: false, by: PrincipalLoader.console())
            }
            #expect(error?.field == "from")
        }
    }
}

/// A small RFC 4180 reader for checking exported files.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" { if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" { row.append(field); rows.append(row); (row, field) = ([], "")
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
