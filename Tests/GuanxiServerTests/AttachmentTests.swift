import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Logging
import SQLKit
import Testing
import GuanxiPlatform

@Suite("Attachments")
struct AttachmentTests {
    @Test("Files are attached over the API, listed, downloaded byte for byte and removed; the record's history notes each; permissions apply")
    func overTheAPI() async throws {
        try await TestApp.run(configure: { $0.maxUploadBytes = 4096 }) { app, client in
            let token = try await app.token(for: "admin")
            let api = APIClient(client: client, token: token)
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"附件客户"}"#).json["id"] as? String)
            let bytes = Data((0..<1000).map { UInt8($0 % 251) })
            func upload(_ data: Data, name: String, as tokenValue: String = token) async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(tokenValue)"
                headers[.contentType] = "application/octet-stream"
                let query = "kind=customers&id=\(customer)&filename=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                return try await client.execute(uri: "/api/v1/attachments?\(query)", method: .post, headers: headers, body: ByteBuffer(bytes: data))
            }
            let added = try await upload(bytes, name: "合同 v2.pdf")
            #expect(added.status == .created)
            let id = try #require(added.json["id"] as? String)
            #expect(added.json["size"] as? Int == 1000)
            #expect(added.json["filename"] as? String == "合同 v2.pdf")
            let listed = try #require(try await api.call(.get, "/attachments?kind=customers&id=\(customer)").json["items"] as? [[String: Any]])
            #expect(listed.map { $0["id"] as? String } == [id])
            let download = try await api.call(.get, "/attachments/\(id)")
            #expect(Data(buffer: download.body) == bytes)
            #expect(download.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(try await upload(Data(count: 5000), name: "big.bin").status == .contentTooLarge)
            #expect(try await upload(Data(), name: "empty.txt").status == .badRequest)
            #expect(try await app.auditEntries(action: "update", kind: .customers, id: customer).first?.changes == [FieldChange(field: "attachments", old: nil, new: "合同 v2.pdf (1000 B)")])
            // A reader downloads but cannot attach or remove; a stranger sees nothing.
            let reader = try await app.makeRole("reader", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("reader", roles: [reader.id!])
            let readerToken = try await app.token(for: "reader")
            let readerAPI = APIClient(client: client, token: readerToken)
            #expect(try await readerAPI.call(.get, "/attachments/\(id)").status == .ok)
            #expect(try await upload(bytes, name: "x.txt", as: readerToken).status == .forbidden)
            #expect(try await readerAPI.call(.delete, "/attachments/\(id)").status == .notFound)
            try await app.makeUser("stranger")
            let stranger = APIClient(client: client, token: try await app.token(for: "stranger"))
            #expect(try await stranger.call(.get, "/attachments/\(id)").status == .notFound)
            #expect(try await api.call(.delete, "/attachments/\(id)").status == .noContent)
            #expect((try await api.call(.get, "/attachments?kind=customers&id=\(customer)").json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("The record page uploads with a multipart form carrying its CSRF token, and lists the file")
    func onTheWeb() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            var input = LeadInput()
            input.name = "带附件的线索"
            let lead = try await app.services.sales.leads.create(input, by: try await app.principal("chief"))
            let page = try await browser.get("/leads/\(lead.id!.uuidString)")
            #expect(page.text.contains("enctype=\"multipart/form-data\""))
            let boundary = "----guanxi\(UUID().uuidString)"
            func part(_ name: String, _ value: String) -> String { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
            let body = part("_csrf", browser.lastCSRF ?? "") + part("kind", "leads") + part("id", lead.id!.uuidString)
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名片.txt\"\r\nContent-Type: text/plain\r\n\r\n王小明 138 0013 8000\r\n--\(boundary)--\r\n"
            var headers = HTTPFields()
            headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
            headers[.cookie] = browser.cookieHeader
            let posted = try await client.execute(uri: "/attachments", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(posted.status == .seeOther)
            let after = try await browser.get("/leads/\(lead.id!.uuidString)")
            #expect(after.text.contains("名片.txt"))
            let files = try await AttachmentService(services: app.services.customerFile).list(.leads, lead.id!, for: try await app.principal("chief"))
            let (_, data) = try await AttachmentService(services: app.services.customerFile).download(files[0].id, for: try await app.principal("chief"))
            #expect(String(decoding: data, as: UTF8.self) == "王小明 138 0013 8000")
            // Downloads name the file as RFC 6266 has it, on the page and through the API alike.
            let disposition = #"attachment; filename="__.txt"; filename*=UTF-8''%E5%90%8D%E7%89%87.txt"#
            #expect(try await browser.get("/attachments/\(files[0].id.uuidString)").headers[.contentDisposition] == disposition)
            let api = APIClient(client: client, token: try await app.token(for: "chief"))
            #expect(try await api.call(.get, "/attachments/\(files[0].id.uuidString)").headers[.contentDisposition] == disposition)
            // Without the token the upload is refused.
            let forged = body.replacingOccurrences(of: browser.lastCSRF ?? "", with: "forged")
            #expect(try await client.execute(uri: "/attachments", method: .post, headers: headers, body: ByteBuffer(string: forged)).status == .forbidden)
        }
    }

    @Test("Deleting a customer takes its deals' files and custom values with it at the next upkeep")
    func leftoversPurged() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("opportunities", "nickname", "代号", "text")
            _ = try await app.services.customFields.create(field, by: admin)
            var customer = CustomerInput()
            customer.name = "将被删除"
            let c = try await app.services.customers.create(customer, by: admin)
            var deal = OpportunityInput()
            (deal.name, deal.customerID, deal.customFields) = ("项目", .some(c.id), ["nickname": .text("青龙")])
            let o = try await app.services.sales.opportunities.create(deal, by: admin)
            _ = try await AttachmentService(services: app.services.customerFile).add(to: .opportunities, o.id!, filename: "a.txt", contentType: "text/plain", data: Data("x".utf8), by: admin)
            try await app.services.customers.delete(c.id!, expectedVersion: nil, by: admin)
            let worker = JobWorker(queue: app.services.jobs, handlers: app.services.jobHandlers(), pollInterval: 1, clock: app.clock, logger: .init(label: "t"))
            try await worker.scheduleHousekeeping()
            #expect(try await worker.runOne())
            for table in ["custom_values", "attachments"] {
                #expect(try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decodingColumn: "n", as: Int.self) == 0)
            }
        }
    }
}
