import Foundation
import GuanxiServer
import SQLKit
import Testing
import GuanxiPlatform

/// Loading purchase histories from CSV files as shop systems, Excel and WPS write them.
@Suite("Purchase import")
struct PurchaseImportTests {
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
            let report = try await PurchaseImport(services: app.services).run(data, createMissingCustomers: false, dryRun: false, by: try await app.admin)
            #expect(report.rows == 3 && report.imported == 3 && report.problems.isEmpty, "\(report.problems)")
            let rows = try await purchases(app)
            #expect(rows.map(\.customer) == [mei, shop, byID])
            #expect(rows.map(\.amount) == [129_950, -5_000, 8_800])
            #expect(rows[0].items == "蛋糕\n花束")
            #expect(rows[2].items == "茶叶\n茶具")
            let entry = try #require(try await app.auditEntries(action: "create", kind: .customers, id: "import").first)
            #expect(entry.changes.contains { $0.field == "purchases" && $0.new == "3" })
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
            let dry = try await PurchaseImport(services: app.services).run(Data(csv.utf8), createMissingCustomers: false, dryRun: true, by: admin)
            #expect(dry.dryRun && dry.imported == 1 && dry.problems.count == 7)
            #expect(try await purchases(app).isEmpty)
            let report = try await PurchaseImport(services: app.services).run(Data(csv.utf8), createMissingCustomers: false, dryRun: false, by: admin)
            #expect(report.imported == 1)
            #expect(report.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
            #expect(report.problems.map(\.column) == ["date", "customer", "amount", "margin", "order id", "", "customer"])
            #expect(report.problems[1].message.contains("--create-missing-customers"))
            #expect(report.rejectedCSV.contains("13800138000,2026-13-01,10,,B-2"))
            // Loading the same file again adds nothing: its order numbers are on file.
            let again = try await PurchaseImport(services: app.services).run(Data(csv.utf8), createMissingCustomers: false, dryRun: false, by: admin)
            #expect(again.imported == 0)
            #expect(again.problems.contains { $0.line == 2 && $0.message.contains("recorded already") })
            #expect(try await purchases(app).count == 1)
        }
    }

    @Test("Unknown references become customers on request")
    func createMissing() async throws {
        try await TestApp.run { app, _ in
            let csv = "email,date,amount\nnew@shop.cn,2026-01-05,10\nnew@shop.cn,2026-02-05,12\n13912345678,2026-02-06,8\n"
            let report = try await PurchaseImport(services: app.services).run(Data(csv.utf8), createMissingCustomers: true, dryRun: false, by: try await app.admin)
            #expect(report.imported == 3 && report.customersCreated == 2)
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
            let report = try await PurchaseImport(services: app.services).run(Data(first.utf8), createMissingCustomers: true, dryRun: false, by: admin)
            #expect(report.imported == 2 && report.customersCreated == 2)
            let next = "会员号,日期,金额,订单号\nC-10023,2026-02-05,11,O-3\n"
            let again = try await PurchaseImport(services: app.services).run(Data(next.utf8), createMissingCustomers: true, dryRun: false, by: admin)
            #expect(again.imported == 1 && again.customersCreated == 0)
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
            let importer = PurchaseImport(services: app.services)
            for (data, words) in [(Data(), "empty"), (Data("name,when\nx,y\n".utf8), "No customer column"),
                                  (Data("customer,date,amount\n\"x,2026-01-01,1\n".utf8), "Line 2"),
                                  (Data([0xFF, 0xFE, 0x00, 0xD8, 0x81]), "neither UTF-8 nor GB18030")] {
                await #expect(throws: GuanxiError.self, "\(words)") { _ = try await importer.run(data, createMissingCustomers: false, dryRun: false, by: admin) }
                do { _ = try await importer.run(data, createMissingCustomers: false, dryRun: false, by: admin) } catch let error as GuanxiError {
                    #expect(error.message.contains(words), "\(error.message)")
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
}
