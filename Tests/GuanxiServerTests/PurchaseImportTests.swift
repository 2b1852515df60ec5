import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import SQLKit
import Testing
import GuanxiPlatform

/// Loading purchase histories from CSV files as shop systems, Excel and WPS write them,
/// through the import pipeline every kind shares.
@Suite("Purchase import")
struct PurchaseImportTests {
    static func settings(createMissing: Bool = false) -> ImportSettings {
        var settings = ImportSettings()
        settings.createMissingCustomers = createMissing ? true : nil
        return settings
    }

    func load(_ app: TestApp, _ data: Data, createMissing: Bool = false, as actor: Principal? = nil) async throws -> ImportJob {
        let imports = DataImport(services: app.services.customerFile)
        let admin = try await app.admin
        let actor = actor ?? admin
        let job = try await imports.start(.purchases, fileName: "shop.csv", data: data, settings: Self.settings(createMissing: createMissing), queue: false, by: actor)
        return try await imports.run(job.id, by: actor)
    }

    func customer(_ app: TestApp, _ name: String, email: String? = nil, phone: String? = nil) async throws -> UUID {
        var input = CustomerInput()
        (input.name, input.email, input.phone) = (name, email, phone)
        return try await app.services.customers.create(input, by: try await app.admin).id!
    }

    func purchases(_ app: TestApp) async throws -> [(customer: UUID, date: String, amount: Int64, items: String, reference: String?)] {
        try await app.services.database.sql.select().columns("customer_id", "purchased_on", "amount", "items", "reference").from("purchases")
            .orderBy("purchased_on").all().map {
                (try $0.decode(column: "customer_id", as: UUID.self), try $0.decode(column: "purchased_on", as: String.self),
                 try $0.decode(column: "amount", as: Int64.self), try $0.decode(column: "items", as: String.self),
                 try $0.decode(column: "reference", as: String?.self))
            }
    }

    @Test("A GB18030 file with Chinese headers, semicolons and quoted fields matches customers by e-mail, phone digits and id")
    func gbkFile() async throws {
        try await TestApp.run { app, _ in
            let mei = try await customer(app, "林美", email: "Mei@Example.cn")
            let shop = try await customer(app, "星辰百货", phone: "021-5555 0000")
            let byID = try await customer(app, "按编号")
            let csv = "订单号;客户;日期;金额;利润;商品\r\n"
                + "A-1;mei@example.cn;2026-05-12;\"1,299.50\";300;蛋糕|花束\r\n"
                + "A-2;02155550000;2026-06-01;-50;;\r\n"
                + "\r\n"
                + "A-3;\(byID.uuidString);2026-07-01;88;;\"茶叶;\n茶具\"\r\n"
            let data = gb18030(csv)
            let job = try await load(app, data)
            #expect(job.totalRows == 3 && job.created == 3 && job.rejected == 0)
            let rows = try await purchases(app)
            #expect(rows.map(\.customer) == [mei, shop, byID])
            #expect(rows.map(\.amount) == [129_950, -5_000, 8_800])
            #expect(rows[0].items == "蛋糕\n花束")
            #expect(rows[2].items == "茶叶\n茶具")
            // Each purchase is in its customer's history, as one entered by hand is.
            let history = try await app.services.auditQuery.history(kind: .customers, id: mei.uuidString, limit: 5)
            #expect(history.first?.changes == [FieldChange(field: "purchases", old: nil, new: "2026-05-12 CNY 1299.50 (A-1)")])
        }
    }

    @Test("Bad rows are rejected with line, column and reason while the good rows load; a dry run writes nothing")
    func badRows() async throws {
        try await TestApp.run { app, _ in
            _ = try await customer(app, "王", phone: "13800138000")
            let csv = """
                customer,date,amount,margin,order id
                13800138000,2026-05-10,300,90,B-1
                13800138000,2026-13-01,10,,B-2
                someone@nowhere.cn,2026-03-02,20,,B-3
                13800138000,2026-03-02,abc,,B-4
                13800138000,2026-03-02,10,20,B-5
                13800138000,2026-06-01,50,,B-1
                13800138000,2026-06-01
                ,2026-06-01,5,,B-6
                """
            let admin = try await app.admin
            let dry = try await DataImport(services: app.services.customerFile).dryRun(.purchases, data: Data(csv.utf8), settings: Self.settings(), by: admin)
            #expect(dry.job.created == 1 && dry.problems.count == 7)
            #expect(try await purchases(app).isEmpty)
            let job = try await load(app, Data(csv.utf8))
            #expect(job.created == 1 && job.rejected == 7)
            let problems = dry.problems
            #expect(problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
            #expect(problems.map(\.column) == ["date", "customer", "amount", "margin", "order id", "", "customer"])
            #expect(problems[1].reason.contains("自动建立缺少的客户"), "the reason is in the importer's language")
            let rejects = try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin)
            #expect(rejects.contains("13800138000,2026-13-01,10,,B-2,"))
            // Loading the same file again adds nothing: its order numbers are on file.
            let again = try await load(app, Data(csv.utf8))
            #expect(again.created == 0)
            let second = try await DataImport(services: app.services.customerFile).rejectsCSV(again.id, by: admin)
            #expect(second.split(whereSeparator: \.isNewline).contains { $0.contains(",2,") && $0.contains("单号为 B-1 的购买已经记录过了") }, "\(second)")
            #expect(try await purchases(app).count == 1)
        }
    }

    @Test("Unknown references become customers on request")
    func createMissing() async throws {
        try await TestApp.run { app, _ in
            let csv = "email,date,amount\nnew@shop.cn,2026-01-05,10\nnew@shop.cn,2026-02-05,12\n13912345678,2026-02-06,8\n"
            let job = try await load(app, Data(csv.utf8), createMissing: true)
            #expect(job.created == 3)
            let customers = try await app.services.database.sql.select().columns("name", "email", "phone_digits").from("customers").orderBy("name").all()
            #expect(try customers.map { try $0.decode(column: "name", as: String.self) } == ["13912345678", "new@shop.cn"])
            #expect(try customers[1].decode(column: "email", as: String?.self) == "new@shop.cn")
            #expect(try customers[0].decode(column: "phone_digits", as: String?.self) == "13912345678")
        }
    }

    @Test("A shop's own customer numbers become external ids, so the next export finds the same customers")
    func externalIDs() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let first = "会员号,日期,金额,订单号\nC-10023,2026-01-05,10,O-1\nC-10024,2026-01-06,20,O-2\n"
            let job = try await load(app, Data(first.utf8), createMissing: true)
            #expect(job.created == 2)
            #expect(try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM customers").first()?.decode(column: "n", as: Int.self) == 2)
            let next = "会员号,日期,金额,订单号\nC-10023,2026-02-05,11,O-3\n"
            let again = try await load(app, Data(next.utf8), createMissing: true)
            #expect(again.created == 1)
            #expect(try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM customers").first()?.decode(column: "n", as: Int.self) == 2)
            _ = admin
            let owners = try await app.services.database.sql.raw("SELECT c.external_id AS e, COUNT(*) AS n FROM purchases p JOIN customers c ON c.id = p.customer_id GROUP BY c.external_id ORDER BY c.external_id").all()
            #expect(try owners.map { try $0.decode(column: "e", as: String.self) } == ["C-10023", "C-10024"])
            #expect(try owners.map { try $0.decode(column: "n", as: Int.self) } == [2, 1])
            // The external id is the customer's own field: shown, editable, unique.
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let created = try await api.call(.post, "/customers", json: #"{"name":"另一家","externalId":"C-10023"}"#)
            #expect(created.status == .conflict)
            #expect(created.errorBody["field"] as? String == "externalId")
            let fine = try await api.call(.post, "/customers", json: #"{"name":"另一家","externalId":"C-20000"}"#)
            #expect(fine.json["externalId"] as? String == "C-20000")
        }
    }

    @Test("Files that cannot be read are refused whole, saying why")
    func badFiles() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            for (data, words) in [(Data(), "empty"), (Data("name,when\nx,y\n".utf8), "maps to a field"),
                                  (Data("customer,date,amount\n\"x,2026-01-01,1\n".utf8), "line 2"),
                                  (Data([0xFF, 0xFE, 0x00, 0xD8, 0x81]), "GB18030")] {
                do {
                    _ = try await imports.start(.purchases, fileName: "bad.csv", data: data, settings: Self.settings(), queue: false, by: admin)
                    Issue.record("\(words): accepted")
                } catch let error as GuanxiError {
                    #expect(error.message.lowercased().contains(words.lowercased()), "\(error.message)")
                }
            }
            #expect(try await purchases(app).isEmpty)
        }
    }

    /// The text as GB18030 bytes, written by the C library as Windows would.
    func gb18030(_ text: String) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        process.arguments = ["-f", "UTF-8", "-t", "GB18030"]
        let input = Pipe(), output = Pipe()
        (process.standardInput, process.standardOutput) = (input, output)
        try? process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(data: data, encoding: .utf8) == nil, "the GB18030 bytes must not also be valid UTF-8")
        return data
    }

    @Test("A purchase import shows its progress, can be reverted — customers it created go too — and needs the import grant on customers")
    func revertAndPermission() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let kept = try await customer(app, "老客户", email: "old@shop.cn")
            let csv = "email,date,amount,order\nold@shop.cn,2026-01-05,10,R-1\nnew@shop.cn,2026-02-05,12,R-2\n"
            let job = try await load(app, Data(csv.utf8), createMissing: true)
            #expect((job.created, job.rowsDone, job.totalRows) == (2, 2, 2))
            _ = try await DataImport(services: app.services.customerFile).revert(job.id, by: admin)
            #expect(try await purchases(app).isEmpty)
            let left = try await app.services.database.sql.select().column("id").from("customers").all().map { try $0.decode(column: "id", as: UUID.self) }
            #expect(left == [kept])

            // A rep who may import customers, and change only their own, loads purchases of their own customers only.
            let role = try await app.makeRole("importer", [.customers: Grant(actions: [.read, .create, .update, .import], scope: .own)])
            try await app.makeUser("rep", roles: [role.id!])
            let rep = try await app.principal("rep")
            var mine = CustomerInput()
            (mine.name, mine.email) = ("我的客户", "mine@shop.cn")
            _ = try await app.services.customers.create(mine, by: rep)
            let theirs = "email,date,amount\nmine@shop.cn,2026-03-01,5\nold@shop.cn,2026-03-02,6\n"
            let repJob = try await load(app, Data(theirs.utf8), as: rep)
            #expect((repJob.created, repJob.rejected) == (1, 1))
            let plain = try await app.makeRole("reader", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("reader", roles: [plain.id!])
            let reader = try await app.principal("reader")
            await #expect(throws: GuanxiError.self) { _ = try await load(app, Data(theirs.utf8), as: reader) }
        }
    }

    @Test("Over the API a purchase history is queued, creates the customers it names when asked, and is followed to the end")
    func overTheAPI() async throws {
        try await TestApp.run(runJobs: true) { app, client in
            _ = try await app.makeUser("shop", admin: true)
            let api = APIClient(client: client, token: try await app.token(for: "shop"))
            let csv = "会员号,日期,金额,订单号\nC-1,2026-01-05,10,P-1\nC-2,2026-01-06,20,P-2\n"
            let dry = try await api.send(.post, "/imports?kind=purchases&dryRun=true", body: csv, contentType: "text/csv")
            #expect(dry.json["created"] as? Int == 0 && dry.json["rejected"] as? Int == 2)
            let started = try await api.send(.post, "/imports?kind=purchases&createMissingCustomers=true", body: csv, contentType: "text/csv")
            #expect(started.status == .accepted && started.json["kind"] as? String == "purchases")
            let id = try #require(started.json["id"] as? String)
            var job: [String: Any] = [:]
            for _ in 0..<200 {
                job = try await api.call(.get, "/imports/\(id)").json
                if job["status"] as? String == "done" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(job["status"] as? String == "done" && job["created"] as? Int == 2)
            #expect(try await purchases(app).map(\.amount) == [1_000, 2_000])
        }
    }
}
