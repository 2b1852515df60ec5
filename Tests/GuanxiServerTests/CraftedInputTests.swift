import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import GuanxiPlatform

/// Values a careless or hostile client sends that no form would: cursors made by hand,
/// times outside any calendar, bodies without a length. Each gets a clear 4xx naming what
/// is wrong, and the server goes on answering. Run on both engines: on PostgreSQL some of
/// these used to stop the whole process inside its driver.
@Suite("Crafted input")
struct CraftedInputTests {
    static func cursor(_ value: String, id: String = UUID().uuidString) -> String {
        Data("\(value)\u{1F}\(id)".utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test("Cursors carrying impossible times or numbers are refused on every list, and the server keeps answering")
    func craftedCursors() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"游标公司"}"#).json["id"] as? String)
            _ = try await api.call(.post, "/custom-fields", json: #"{"recordKind":"customers","key":"staff","label":"员工数","type":"number"}"#)
            let timeSorted = ["/customers?sort=updated", "/customers?sort=created", "/contacts?sort=updated", "/leads?sort=updated",
                              "/opportunities?sort=updated", "/activities?limit=5"]
            for list in timeSorted {
                for value in ["1e20", "-1e20", "inf", "-inf", "nan", "1e308", "253402300800", "abc"] {
                    let answer = try await api.call(.get, "\(list)&cursor=\(Self.cursor(value))")
                    #expect(answer.status == .badRequest, "\(list) \(value): \(answer.text)")
                    #expect(answer.errorBody["field"] as? String == "cursor", "\(list) \(value)")
                }
            }
            for value in ["inf", "-inf", "nan"] {
                #expect(try await api.call(.get, "/customers?sortField=staff&cursor=\(Self.cursor(value))").status == .badRequest, "\(value)")
            }
            #expect(try await api.call(.get, "/customers?sortField=staff&cursor=\(Self.cursor("1e20"))").status == .ok)
            // Text of a size or kind no sort column holds.
            for value in [String(repeating: "长", count: 3_000), "a\u{0}b"] {
                let answer = try await api.call(.get, "/customers?sort=name&cursor=\(Self.cursor(value))")
                #expect(answer.status == .badRequest, "\(answer.text)")
            }
            // A cursor a page really returned still works, and the server is alive.
            let first = try await api.call(.get, "/customers?sort=updated&limit=1")
            #expect(first.status == .ok)
            #expect((first.json["items"] as? [Any])?.count == 1)
        }
    }

    @Test("Times outside the years 1–9999 are refused in filters, bodies and pages, naming the field")
    func timesOutOfRange() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"时间公司"}"#).json["id"] as? String)
            let meeting = try await api.call(.post, "/activities", json: """
                {"kind":"meeting","subject":"远古会议","startsAt":"99999-01-01T09:00:00+08:00","endsAt":"99999-01-01T10:00:00+08:00","relatedKind":"customers","relatedId":"\(customer)"}
                """)
            #expect(meeting.status == .badRequest)
            #expect(meeting.errorBody["field"] as? String == "startsAt")
            let calendar = try await api.call(.get, "/calendar?from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z")
            #expect(calendar.status == .badRequest, "\(calendar.text)")

            var browser = try await app.signedInBrowser(client, as: "lin")
            let day = try await browser.get("/calendar?date=292278994-01-01")
            #expect(day.status == .badRequest)
            let audit = try await browser.get("/admin/audit?from=292278994-01-01")
            #expect(audit.status == .badRequest)
            #expect(audit.text.contains("from"))
            #expect(try await browser.get("/admin/audit?from=2026-01-01").status == .ok)
        }
    }

    @Test("A bad query parameter is named in the error, in words a client can act on")
    func badQueryParameter() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let cases = [("/customers?limit=lots", "limit"), ("/customers?limit=9999", "limit"), ("/customers?sort=sideways", "sort"),
                         ("/activities?from=yesterday", "from"), ("/activities?from=99999-01-01T00:00:00Z", "from"), ("/activities?relatedId=xyz", "relatedId"),
                         ("/exports/customers?bom=perhaps", "bom")]
            for (path, parameter) in cases {
                let query = path
                let answer = try await api.call(.get, path)
                #expect(answer.status == .badRequest, "\(query)")
                #expect(answer.errorBody["field"] as? String == parameter, "\(query): \(answer.text)")
                let message = answer.errorBody["message"] as? String ?? ""
                #expect(message.contains(parameter), "\(message)")
                #expect(!message.contains("JSON") && !message.contains("Operations.") && !message.contains("Components."), "\(message)")
            }
        }
    }

    @Test("Bodies sent in chunks with no length are cut off at the limit with 413, on the API, web forms and sign-in")
    func chunkedBodiesOverTheLimit() async throws {
        try await TestApp.run(configure: { $0.maxBodySize = 64 * 1024 }, live: true) { app, client in
            let port = try #require(client.port)
            let token = try await app.token(for: "admin")
            let head = { (path: String, type: String, extra: String) in
                "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(type)\r\nTransfer-Encoding: chunked\r\n\(extra)Connection: close\r\n\r\n"
            }
            // 4 MB, far past the 64 KB limit: refused without being held whole.
            let api = try await RawHTTP.chunked(port: port, head: head("/api/v1/customers", "application/json", "Authorization: Bearer \(token)\r\n"),
                                          chunks: 256, chunkSize: 16_384)
            #expect(api.hasPrefix("HTTP/1.1 413"), "\(api.prefix(300))")
            #expect(api.contains("payload_too_large"))
            let login = try await RawHTTP.chunked(port: port, head: head("/login", "application/x-www-form-urlencoded", ""), chunks: 256, chunkSize: 16_384)
            #expect(login.hasPrefix("HTTP/1.1 413"), "\(login.prefix(300))")
            let upload = try await RawHTTP.chunked(port: port, head: head("/api/v1/imports?kind=customers", "text/csv", "Authorization: Bearer \(token)\r\n"),
                                             chunks: 4, chunkSize: 16_384)
            // An import may be larger than other requests: this one is within its limit, and is read.
            #expect(!upload.hasPrefix("HTTP/1.1 413") && !upload.hasPrefix("HTTP/1.1 500"), "\(upload.prefix(300))")
            // A small chunked body is read as usual.
            let small = try await RawHTTP.chunked(port: port, head: head("/api/v1/customers", "application/json", "Authorization: Bearer \(token)\r\n"),
                                            chunks: 0, chunkSize: 0)
            #expect(small.hasPrefix("HTTP/1.1 400"), "\(small.prefix(300))")
            let alive = try await client.execute(uri: "/health", method: .get)
            #expect(alive.status == .ok)
        }
    }
}
