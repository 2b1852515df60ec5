import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import GuanxiPlatform
import Testing

/// The main menu is what the areas registered, filtered by what each user may open.
@Suite("The main menu")
struct MenuTests {
    /// The menu's links on a page, in order.
    static func links(_ html: String) -> [String] {
        guard let start = html.range(of: "<nav class=\"nav\""), let end = html.range(of: "</nav>", range: start.upperBound..<html.endIndex) else { return [] }
        return html[start.upperBound..<end.lowerBound].matches(of: /<a href="([^"]+)"/).map { String($0.1) }
    }

    @Test("Each user sees the entries their roles open, in the registered order, in their language")
    func entriesFollowPermissions() async throws {
        try await TestApp.run { app, client in
            let contactsOnly = try await app.makeRole("contacts-only", [.contacts: Grant(actions: [.read], scope: .own)])
            _ = try await app.makeUser("rep.zhao", roles: [contactsOnly.id!])
            let importer = try await app.makeRole("importer", [.customers: Grant(actions: [.read, .import], scope: .all), .teams: Grant(actions: [.read], scope: .all)])
            _ = try await app.makeUser("clerk.sun", roles: [importer.id!])
            _ = try await app.makeUser("boss", admin: true)

            var rep = Browser(client)
            try await rep.signIn("rep.zhao", "Secret-pass-42")
            // One page under its heading is a plain link; no quick-create without anything to create.
            let repPage = try await rep.get("/").text
            #expect(Self.links(repPage) == ["/", "/contacts", "/notifications", "/profile"])
            #expect(!repPage.contains("quick-create"))

            var clerk = Browser(client)
            try await clerk.signIn("clerk.sun", "Secret-pass-42")
            #expect(Self.links(try await clerk.get("/").text) == ["/", "/customers", "/analytics", "/imports", "/data-quality",
                                                                  "/admin/departments", "/admin/teams", "/admin/roles", "/notifications", "/profile"])

            var boss = Browser(client)
            try await boss.signIn("boss", "Secret-pass-42")
            let page = try await boss.get("/").text
            let registered = app.services.menu.entries(for: try await app.principal("boss")).map(\.path)
            #expect(registered.count == 23)
            let creates = ["/customers/new", "/leads/new", "/opportunities/new", "/activities/new"]
            #expect(Self.links(page) == ["/"] + registered + creates + ["/notifications", "/profile"])
            #expect(page.contains(">客户</a>") && page.contains(">系统状态</a>"))
            // Pages stand under their headings, the new-record actions under "New".
            #expect(page.contains(#"<details class="menu-group"><summary>销售</summary><div class="menu-panel"><a href="/leads">线索</a><a href="/opportunities">商机</a></div></details>"#))
            #expect(page.contains(#"<summary>营销</summary><div class="menu-panel"><a href="/templates">消息模板</a><a href="/mail-merges">邮件合并</a></div>"#))
            #expect(page.contains(#"<summary>管理</summary>"#))
            #expect(page.contains(#"<summary>＋ 新建</summary><div class="menu-panel"><a href="/customers/new">新建客户</a>"#))
        }
    }

    @Test("Every page's frame names the page, its language, the user, the way back after switching language and the session's token; home cards add no second menu")
    func frame() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "frame.user")
            try await app.services.database.sql.update("users").set("display_name", to: "框架测试").where("username", .equal, "frame.user").run()
            let page = try await browser.get("/customers?q=%E5%8D%8E").text
            #expect(page.contains(#"<html lang="zh-Hans">"#))
            #expect(page.contains("<title>客户 · "))
            #expect(page.contains(#"<a href="/profile">框架测试</a>"#))
            let token = try #require(page.firstMatch(of: /action="\/logout" class="inline"><input type="hidden" name="_csrf" value="([^"]+)"/)?.1)
            #expect(token.count >= 16)
            #expect(page.contains(#"<input type="hidden" name="lang" value="en"><input type="hidden" name="back" value="/customers?q=%E5%8D%8E"><button type="submit" class="link">English</button>"#))
            // Home cards are rendered on their own and placed into the page: one menu, one bell.
            let home = try await browser.get("/").text
            #expect(home.components(separatedBy: #"<nav class="nav""#).count == 2)
            #expect(home.components(separatedBy: #"id="bell""#).count == 2)
        }
    }
}
