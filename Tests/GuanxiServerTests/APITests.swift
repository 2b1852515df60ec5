import Foundation
import HTTPTypes
@testable import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HummingbirdTesting
import SQLKit
import Testing
import Yams
import GuanxiPlatform

@Suite("REST API")
struct APITests {
    @Test("The done-means walk-through: department, role, user, token, API call, audit")
    func walkThrough() async throws {
        try await TestApp.run { app, client in
            let admin = APIClient(client: client, token: try await app.token(for: "admin"))
            let dept = try await admin.call(.post, "/departments", json: #"{"name":"华北销售部"}"#)
            #expect(dept.status == .created)
            let deptID = try #require(dept.json["id"] as? String)
            let role = try await admin.call(.post, "/roles", json: #"{"name":"Sales manager","grants":{"users":{"actions":["read"],"scope":"department"}}}"#)
            #expect(role.status == .created)
            let roleID = try #require(role.json["id"] as? String)
            let user = try await admin.call(.post, "/users", json: """
                {"username":"zhang.wei","displayName":"张伟","password":"Zhang-wei-2026","departmentId":"\(deptID)","roleIds":["\(roleID)"]}
                """)
            #expect(user.status == .created)
            #expect(user.json["mustChangePassword"] as? Bool == true)
            #expect(user.json["roleIds"] as? [String] == [roleID])

            let userToken = try await app.token(for: "zhang.wei")
            let me = try await APIClient(client: client, token: userToken).call(.get, "/me")
            #expect(me.status == .ok)
            let permissions = me.json["permissions"] as? [String: [String: String]]
            #expect(permissions?["users"]?["read"] == "department")
            #expect(me.headers[HTTPField.Name("X-RateLimit-Limit")!] == "600")

            let log = try await admin.call(.get, "/audit?limit=200")
            let actions = ((log.json["items"] as? [[String: Any]]) ?? []).map { "\($0["recordKind"]!):\($0["action"]!)" }
            #expect(actions.contains("departments:create"))
            #expect(actions.contains("roles:create"))
            #expect(actions.contains("users:create"))
            #expect(actions.contains("users:token_issue"))
        }
    }

    @Test("Bad input answers 400 naming the field, and writes nothing")
    func badInput() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let malformed = try await api.call(.post, "/departments", json: #"{"name": "#)
            #expect(malformed.status == .badRequest)
            let unknown = try await api.call(.post, "/departments", json: #"{"name":"A","colour":"red"}"#)
            #expect(unknown.status == .badRequest)
            #expect((unknown.errorBody["message"] as? String)?.contains("colour") == true)
            let wrongType = try await api.call(.post, "/departments", json: #"{"name":42}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.errorBody["field"] as? String == "name")
            let long = try await api.call(.post, "/departments", json: "{\"name\":\"\(String(repeating: "长", count: 101))\"}")
            #expect(long.status == .badRequest)
            #expect(long.errorBody["field"] as? String == "name")
            let email = try await api.call(.post, "/users", json: #"{"username":"ok.name","password":"Good-pass-123","email":"not-an-email"}"#)
            #expect(email.errorBody["field"] as? String == "email")
            let weak = try await api.call(.post, "/users", json: #"{"username":"ok.name","password":"weak"}"#)
            #expect(weak.errorBody["field"] as? String == "password")
            let grants = try await api.call(.post, "/roles", json: #"{"name":"x","grants":{"spaceships":{"actions":["read"],"scope":"all"}}}"#)
            #expect(grants.errorBody["field"] as? String == "grants.spaceships")
            let badScope = try await api.call(.post, "/roles", json: #"{"name":"x","grants":{"users":{"actions":["read"],"scope":"galaxy"}}}"#)
            #expect(badScope.status == .badRequest)
            let badID = try await api.call(.get, "/users/not-a-uuid")
            #expect(badID.status == .badRequest)
            #expect(badID.errorBody["field"] as? String == "userId")
            #expect(try await app.services.departments.list(for: try await app.admin).isEmpty)
            #expect(try await app.services.users.find(username: "ok.name") == nil)
        }
    }

    @Test("Bodies over the configured limit answer 413")
    func bodyLimit() async throws {
        try await TestApp.run(configure: { $0.maxBodySize = 2048 }) { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let big = try await api.call(.post, "/departments", json: "{\"name\":\"\(String(repeating: "x", count: 5000))\"}")
            #expect(big.status == .contentTooLarge)
            #expect(big.errorBody["code"] as? String == "payload_too_large")
        }
    }

    @Test("Revoked, expired and unknown tokens, and tokens of disabled users, answer 401")
    func tokenLifecycle() async throws {
        try await TestApp.run { app, client in
            let user = try await app.makeUser("fang")
            let fang = try await app.principal("fang")
            let short = try await app.services.tokens.issue(for: user.id!, name: "short", expiresInDays: 1, by: fang)
            #expect(try await APIClient(client: client, token: short.token).call(.get, "/me").status == .ok)
            app.clock.advance(by: 86_401)
            #expect(try await APIClient(client: client, token: short.token).call(.get, "/me").status == .unauthorized)

            let revocable = try await app.services.tokens.issue(for: user.id!, name: "revocable", expiresInDays: nil, by: fang)
            let api = APIClient(client: client, token: revocable.token)
            let listed = try await api.call(.get, "/tokens")
            let items = (listed.json["items"] as? [[String: Any]]) ?? []
            #expect(items.count == 2)
            #expect(!listed.text.contains(revocable.token))
            #expect(try await api.call(.delete, "/tokens/\(revocable.info.id.uuidString)").status == .noContent)
            let after = try await api.call(.get, "/me")
            #expect(after.status == .unauthorized)
            #expect(after.errorBody["code"] as? String == "token_invalid")

            let third = try await app.token(for: "fang")
            var changes = UserService.UserChanges()
            changes.isActive = false
            _ = try await app.services.users.update(user.id!, changes, by: try await app.admin)
            #expect(try await APIClient(client: client, token: third).call(.get, "/me").status == .unauthorized)
            #expect(try await APIClient(client: client, token: "gx_made_up").call(.get, "/me").status == .unauthorized)
            #expect(try await APIClient(client: client, token: nil).call(.get, "/me").errorBody["code"] as? String == "token_missing")
        }
    }

    @Test("A token keeps working while its user must choose a new password: it is a credential of its own, with its own expiry and revocation")
    func tokensWhilePasswordChangeIsPending() async throws {
        try await TestApp.run { app, client in
            let user = try await app.makeUser("bot")
            let token = try await app.token(for: "bot")
            try await app.services.users.resetPassword(user.id!, to: "Temporary-pass-9", by: try await app.admin)
            let me = try await APIClient(client: client, token: token).call(.get, "/me")
            #expect(me.status == .ok)
            let shown = me.json["user"] as? [String: Any]
            #expect(shown?["username"] as? String == "bot")
            #expect(shown?["mustChangePassword"] as? Bool == true)
            // The browser, by contrast, goes nowhere but the password form.
            var browser = Browser(client)
            try await browser.signIn("bot", "Temporary-pass-9")
            #expect(try await browser.get("/customers").location == "/password")
        }
    }

    @Test("Tokens are stored hashed")
    func tokensHashed() async throws {
        try await TestApp.run { app, _ in
            let token = try await app.token(for: "admin")
            let stored = try await app.services.database.sql.select().column("token_hash").from("api_tokens").all(decodingColumn: "token_hash", as: String.self)
            #expect(stored == [Secrets.sha256Hex(token)])
        }
    }

    @Test("Each token is rate limited per minute with Retry-After")
    func rateLimit() async throws {
        try await TestApp.run(configure: { $0.apiRequestsPerMinute = 3 }) { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            for _ in 0..<3 { #expect(try await api.call(.get, "/me").status == .ok) }
            let limited = try await api.call(.get, "/me")
            #expect(limited.status == .tooManyRequests)
            let retry = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect((1...60).contains(retry))
            app.clock.advance(by: 61)
            #expect(try await api.call(.get, "/me").status == .ok)
        }
    }

    @Test("Two server processes share a token's request count: each sees the other's within a second, exactly near the limit")
    func rateLimitAcrossProcesses() async throws {
        try await TestApp.run { app, _ in
            // Two limiters on one database stand for two `guanxi serve` processes.
            let first = RateLimiter(database: app.services.database, clock: app.clock)
            let second = RateLimiter(database: app.services.database, clock: app.clock)
            func hit(_ limiter: RateLimiter) async throws -> RateLimiter.Outcome {
                try await limiter.hitBatched("api:shared", limit: 10, window: 60)
            }
            app.clock.advance(by: 60 - Double(Int(app.clock.now().timeIntervalSince1970) % 60))  // start of a window
            for expected in 1...4 { #expect(try await hit(first).count == expected) }   // writes the first, counts the rest here
            #expect(try await hit(second).count == 2)                                   // sees the first process's written hit
            app.clock.advance(by: 1)
            #expect(try await hit(first).count == 6)                                    // a second later: writes 4, learns of the other's
            #expect(try await hit(second).count == 7)
            for expected in 7...9 { #expect(try await hit(first).count == expected) }        // within the second: counted here only
            let reaching = try await hit(first)                                          // may reach the limit: checked against the database
            #expect(reaching.count == 11)
            #expect(!reaching.allowed)
            app.clock.advance(by: 1)
            #expect(try await !hit(second).allowed)
            let stored = try await app.services.database.sql.select().column("count").from("rate_limits")
                .where("key", .equal, "api:shared").first(decodingColumn: "count", as: Int.self)
            #expect(stored == 12)
        }
    }

    @Test("A token revoked or a custom field removed by another process stops working within two seconds")
    func cachedDefinitionsExpire() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            _ = try await api.call(.post, "/custom-fields", json: #"{"recordKind":"customers","key":"region","label":"Region","type":"text"}"#)
            #expect(try await api.call(.post, "/customers", json: #"{"name":"甲","customFields":{"region":"华东"}}"#).status == .created)
            // Another server process (or the shell) changes the database directly: no audit entry reaches this process.
            try await app.services.database.sql.update("api_tokens").set("revoked_at", to: app.clock.now()).run()
            try await app.services.database.sql.delete(from: "custom_fields").where("key", .equal, "region").run()
            // Within the cache's lifetime the old token still works; the value for the vanished field is dropped, the customer saved.
            let meanwhile = try await api.call(.post, "/customers", json: #"{"name":"乙","customFields":{"region":"华北"}}"#)
            #expect(meanwhile.status == .created)
            let saved = try #require(meanwhile.json["id"] as? String)
            #expect(try await app.services.database.sql.select().column("value").from("custom_values")
                .where("record_id", .equal, UUID(uuidString: saved)!).all().isEmpty)
            app.clock.advance(by: DefinitionCaches.lifetime)
            #expect(try await api.call(.get, "/me").status == .unauthorized)
            let fresh = APIClient(client: client, token: try await app.token(for: "admin"))
            let refused = try await fresh.call(.post, "/customers", json: #"{"name":"丙","customFields":{"region":"华南"}}"#)
            #expect(refused.status == .badRequest)
            #expect(refused.errorBody["field"] as? String == "customFields.region")
        }
    }

    @Test("Unknown routes answer 404 as JSON under /api and as a page elsewhere")
    func notFound() async throws {
        try await TestApp.run { app, client in
            let api = try await client.execute(uri: "/api/v1/nothing", method: .get)
            #expect(api.status == .notFound)
            #expect(api.errorBody["code"] as? String == "not_found")
            let page = try await client.execute(uri: "/nothing-here", method: .get)
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test("The OpenAPI document parses and every operation in it is served")
    func everyOperationServed() async throws {
        try await TestApp.run { app, client in
            let response = try await client.execute(uri: "/api/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            let root = try #require(try Yams.load(yaml: response.text) as? [String: Any])
            #expect(root["openapi"] as? String == "3.1.0")
            let paths = try #require(root["paths"] as? [String: [String: Any]])
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            var checked = 0
            for (path, item) in paths {
                for method in ["get", "post", "patch", "delete"] where item[method] != nil {
                    let concrete = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: UUID().uuidString, options: .regularExpression)
                    let result = try await api.call(HTTPRequest.Method(rawValue: method.uppercased())!, concrete, json: method == "get" || method == "delete" ? nil : "{}")
                    // Served means the route exists: a 404 here must come from a missing record, not a missing route.
                    let message = result.errorBody["message"] as? String ?? ""
                    if result.status == .notFound { #expect(message.contains("was not found"), "\(method) \(path)") }
                    #expect(result.status != .methodNotAllowed, "\(method) \(path)")
                    checked += 1
                }
            }
            #expect(checked >= 20)
            let docs = try await client.execute(uri: "/api/docs", method: .get)
            #expect(docs.text.contains("listAuditEntries"))
            #expect(docs.text.contains("/api/v1/users/{userId}"))
            // The description is Markdown rendered, not shown raw.
            #expect(docs.text.contains("<strong>Authentication.</strong>"))
            #expect(docs.text.contains("<code>Authorization: Bearer gx_…</code>"))
            #expect(!docs.text.contains("**Authentication.**"))
            // Signed in, the page keeps the site's menu.
            var browser = try await app.signedInBrowser(client, as: "reader")
            #expect(try await browser.get("/api/docs").text.contains(#"<form method="post" action="/logout""#))
            #expect(APIDocsRoutes.html(fromMarkdown: "a <script>x</script> & `<b>`") .contains("&lt;script"))
            #expect(!APIDocsRoutes.html(fromMarkdown: "a <script>x</script>").contains("<script>"))
        }
    }
}
