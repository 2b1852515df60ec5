import Foundation
import HTTPTypes
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Web pages")
struct WebPagesTests {
    func signedInAdmin(_ app: TestApp, _ client: any TestClientProtocol) async throws -> Browser {
        try await app.signedInBrowser(client, as: "boss")
    }

    @Test("An admin sets up a department, a role with department scope and a user through the forms")
    func setUpOrganisation() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedInAdmin(app, client)
            _ = try await browser.get("/admin/departments")
            #expect(try await browser.post("/admin/departments", ["name": "华南大区"]).status == .seeOther)
            let dept = try #require(try await app.services.departments.list(for: try await app.admin).first)

            _ = try await browser.get("/admin/roles/new")
            let roleForm = ["name": "区域经理", "description": "sees the region",
                            "grant.users.read": "on", "scope.users": "department", "grant.audit.read": "on", "scope.audit": "department"]
            #expect(try await browser.post("/admin/roles/new", roleForm).status == .seeOther)
            let role = try #require(try await app.services.roles.list(for: try await app.admin).first { $0.name == "区域经理" })
            #expect(role.grants[.users] == Grant(actions: [.read], scope: .department))

            _ = try await browser.get("/admin/users/new")
            let created = try await browser.post("/admin/users/new", ["username": "chen.jing", "display_name": "陈静", "password": "Chen-jing-2026",
                                                                       "department_id": dept.id!.uuidString, "role_ids": role.id!.uuidString])
            #expect(created.status == .seeOther)
            let user = try #require(try await app.services.users.find(username: "chen.jing"))
            #expect(user.departmentID == dept.id)
            let page = try await browser.get(try #require(created.location))
            #expect(page.text.contains("chen.jing"))
            #expect(page.text.contains("区域经理"))

            let audit = try await browser.get("/admin/audit")
            #expect(audit.text.contains("华南大区"))
            #expect(audit.text.contains("chen.jing"))
        }
    }

    @Test("A rejected form keeps the page and explains the problem in Chinese")
    func chineseValidation() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedInAdmin(app, client)
            _ = try await browser.get("/admin/departments")
            let response = try await browser.post("/admin/departments", ["name": String(repeating: "部", count: 101)])
            #expect(response.status == .badRequest)
            #expect(response.text.contains("名称最多 100 个字符。"))
            #expect(try await app.services.departments.list(for: try await app.admin).isEmpty)
        }
    }

    @Test("A user without rights gets 403 pages and no admin links")
    func forbidden() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("clerk")
            var browser = Browser(client)
            try await browser.signIn("clerk", "Secret-pass-42")
            let home = try await browser.get("/")
            #expect(!home.text.contains("/admin/users"))
            #expect(try await browser.get("/admin/users").status == .forbidden)
            #expect(try await browser.get("/admin/status").status == .forbidden)
        }
    }

    @Test("Pages switch between Chinese and English, and the choice sticks")
    func languages() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedInAdmin(app, client)
            #expect(try await browser.get("/admin/users").text.contains("用户"))
            _ = try await browser.post("/language", ["lang": "en"])
            let english = try await browser.get("/admin/users")
            #expect(english.text.contains("<h1>Users</h1>"))
            #expect(english.text.contains("lang=\"en\""))
        }
    }

    @Test("Markup typed into a field is stored as typed and shown escaped")
    func escaping() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedInAdmin(app, client)
            _ = try await browser.get("/admin/departments")
            _ = try await browser.post("/admin/departments", ["name": "<script>alert(1)</script>"])
            #expect(try await app.services.departments.list(for: try await app.admin).first?.name == "<script>alert(1)</script>")
            let page = try await browser.get("/admin/departments")
            #expect(!page.text.contains("<script>alert(1)</script>"))
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test("The profile issues an API token shown once, and revokes it")
    func profileTokens() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedInAdmin(app, client)
            _ = try await browser.get("/profile")
            let badDays = try await browser.post("/profile/tokens", ["name": "x", "expires_in_days": "soon"])
            #expect(badDays.status == .badRequest)
            #expect(badDays.text.contains("请输入整数。"))
            #expect(try await app.services.tokens.list(userID: nil).isEmpty)
            let issued = try await browser.post("/profile/tokens", ["name": "手机", "expires_in_days": "30"])
            let token = try #require(issued.text.range(of: #"gx_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(issued.text[$0]) })
            #expect(try await APIClient(client: client, token: token).call(.get, "/me").status == .ok)
            let again = try await browser.get("/profile")
            #expect(!again.text.contains(token))
            let id = try #require(try await app.services.tokens.list(userID: nil).first { $0.name == "手机" }?.id)
            _ = try await browser.post("/profile/tokens/\(id.uuidString)/revoke", [:])
            #expect(try await APIClient(client: client, token: token).call(.get, "/me").status == .unauthorized)
        }
    }

    @Test("An admin sees a user's tokens on the user's page and can revoke one")
    func adminRevokesToken() async throws {
        try await TestApp.run { app, client in
            var browser = try await signedInAdmin(app, client)
            let user = try await app.makeUser("xu.li")
            let token = try await app.token(for: "xu.li")
            let page = try await browser.get("/admin/users/\(user.id!.uuidString)")
            let info = try #require(try await app.services.tokens.list(userID: user.id!).first)
            #expect(page.text.contains(info.prefix))
            #expect(!page.text.contains(token))
            _ = try await browser.post("/admin/users/\(user.id!.uuidString)/tokens/\(info.id.uuidString)/revoke", [:])
            #expect(try await APIClient(client: client, token: token).call(.get, "/me").status == .unauthorized)
            let revoked = try #require(try await app.auditEntries(action: "token_revoke").first)
            #expect(revoked.actorName == "boss")
            #expect(revoked.recordLabel == "xu.li")
        }
    }

    @Test("The static assets are served and the layout loads no inline script")
    func assets() async throws {
        try await TestApp.run { app, client in
            #expect(try await client.execute(uri: "/app.css", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/app.js", method: .get).status == .ok)
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(!login.text.contains("<script>"))
            #expect(login.text.contains("<script src=\"/app.js\""))
        }
    }
}
