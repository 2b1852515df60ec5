import Foundation
import HTTPTypes
import GuanxiServer
import HummingbirdTesting
import Testing

@Suite("Signing in")
struct SignInTests {
    @Test("The first admin must change the one-time password before anything else")
    func firstAdminMustChangePassword() async throws {
        try await TestApp.run { app, client in
            var browser = Browser(client)
            let signIn = try await browser.signIn("admin", TestApp.adminPassword)
            #expect(signIn.status == .seeOther)
            #expect(signIn.location == "/")
            #expect(browser.cookies["guanxi_session"] != nil)
            let home = try await browser.get("/")
            #expect(home.location == "/password")
            _ = try await browser.get("/password")
            let weak = try await browser.post("/password", ["current_password": TestApp.adminPassword, "new_password": "short", "confirm_password": "short"])
            #expect(weak.status == .badRequest)
            #expect(weak.text.contains("密码至少需要 10 个字符"))
            let changed = try await browser.post("/password", ["current_password": TestApp.adminPassword, "new_password": "New-admin-pass-1", "confirm_password": "New-admin-pass-1"])
            #expect(changed.location == "/?notice=password_changed")
            let nowHome = try await browser.get("/")
            #expect(nowHome.status == .ok)
            #expect(nowHome.text.contains("Administrator"))
            #expect(try await app.auditEntries(action: "password_change").count == 1)
        }
    }

    @Test("A wrong password is refused with a clear message and audited")
    func wrongPassword() async throws {
        try await TestApp.run { app, client in
            var browser = Browser(client)
            let response = try await browser.signIn("admin", "not-the-password-1")
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("用户名或密码不正确"))
            #expect(browser.cookies["guanxi_session"] == nil)
            let failures = try await app.auditEntries(action: "login_failed")
            #expect(failures.count == 1)
            #expect(failures.first?.recordLabel == "admin")
        }
    }

    @Test("An account locks after the configured number of failures, even for the right password")
    func accountLockout() async throws {
        try await TestApp.run(configure: { $0.loginFailuresPerAccount = 3 }) { app, client in
            try await app.makeUser("mei")
            var browser = Browser(client)
            for _ in 0..<3 { _ = try await browser.signIn("mei", "wrong-password-9") }
            let locked = try await browser.signIn("mei", "Secret-pass-42")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.text.contains("锁定"))
            app.clock.advance(by: 16 * 60)
            let later = try await browser.signIn("mei", "Secret-pass-42")
            #expect(later.status == .seeOther)
        }
    }

    @Test("Failures from one network address are throttled across accounts")
    func addressThrottle() async throws {
        try await TestApp.run(configure: { $0.loginFailuresPerAddress = 4; $0.trustProxy = true }) { app, client in
            var browser = Browser(client, forwardedFor: "203.0.113.9")
            for name in ["a1x", "b2x", "c3x", "d4x"] { _ = try await browser.signIn(name, "whatever-123") }
            // Attempts on names that do not exist are logged with where they came from.
            let attempts = try await app.auditEntries(action: "login_failed")
            #expect(attempts.count == 4)
            #expect(attempts.allSatisfy { $0.address == "203.0.113.9" && $0.actorName == "system" })
            let blocked = try await browser.signIn("admin", TestApp.adminPassword)
            #expect(blocked.status == .tooManyRequests)
            var other = Browser(client, forwardedFor: "198.51.100.7")
            #expect(try await other.signIn("admin", TestApp.adminPassword).status == .seeOther)
        }
    }

    @Test("Sessions end after the idle timeout and after the absolute timeout")
    func sessionExpiry() async throws {
        try await TestApp.run(configure: { $0.sessionIdleTimeout = 600; $0.sessionAbsoluteTimeout = 3600 }) { app, client in
            try await app.makeUser("lili")
            var browser = Browser(client)
            try await browser.signIn("lili", "Secret-pass-42")
            #expect(try await browser.get("/").status == .ok)
            app.clock.advance(by: 601)
            #expect(try await browser.get("/").location == "/login")

            try await browser.signIn("lili", "Secret-pass-42")
            for _ in 0..<8 {
                app.clock.advance(by: 500)
                _ = try await browser.get("/")
            }
            #expect(try await browser.get("/").location == "/login")
        }
    }

    @Test("Sign-out ends the session on the server")
    func signOut() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("wang")
            var browser = Browser(client)
            try await browser.signIn("wang", "Secret-pass-42")
            let cookie = try #require(browser.cookies["guanxi_session"])
            _ = try await browser.get("/")
            _ = try await browser.post("/logout", [:])
            browser.cookies["guanxi_session"] = cookie
            #expect(try await browser.get("/").location == "/login")
            #expect(try await app.auditEntries(action: "logout").count == 1)
        }
    }

    @Test("Two-factor sign-in asks for the current TOTP code")
    func totp() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("zhao")
            let zhao = try await app.principal("zhao")
            let setup = try await app.services.twoFactor.begin(for: zhao)
            #expect(setup.url.hasPrefix("otpauth://totp/"))
            let user = try #require(try await app.services.users.find(username: "zhao"))
            let secret = try #require(try await app.services.database.sql.select().column("totp_secret").from("users")
                .where("id", .equal, user.id!).first(decodingColumn: "totp_secret", as: String.self))
            #expect(TwoFactor.base32(secret) == setup.secret)
            await #expect(throws: GuanxiError.self) { try await app.services.twoFactor.confirm(for: zhao, code: "000000") }
            try await app.services.twoFactor.confirm(for: zhao, code: TwoFactor.code(secret: secret, at: app.clock.now()))

            var browser = Browser(client)
            let step1 = try await browser.signIn("zhao", "Secret-pass-42")
            #expect(step1.location == "/login/totp")
            #expect(try await browser.get("/").location == "/login/totp")
            _ = try await browser.get("/login/totp")
            let bad = try await browser.post("/login/totp", ["code": "123456" == TwoFactor.code(secret: secret, at: app.clock.now()) ? "654321" : "123456"])
            #expect(bad.status == .badRequest)
            // The code used to confirm set-up cannot be used again; the next step's code can.
            let replay = try await browser.post("/login/totp", ["code": TwoFactor.code(secret: secret, at: app.clock.now())])
            #expect(replay.status == .badRequest)
            app.clock.advance(by: 30)
            let good = try await browser.post("/login/totp", ["code": TwoFactor.code(secret: secret, at: app.clock.now())])
            #expect(good.location == "/")
            #expect(try await browser.get("/").status == .ok)
        }
    }

    @Test("RFC 6238 test vector: SHA-1 at 59 s gives 94287082 (8 digits), so 287082 in six")
    func totpVector() {
        #expect(TwoFactor.code(secret: "12345678901234567890", at: Date(timeIntervalSince1970: 59)) == "287082")
        #expect(TwoFactor.verify(code: "287082", secret: "12345678901234567890", at: Date(timeIntervalSince1970: 59)))
        #expect(TwoFactor.base32("12345678901234567890") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }

    @Test("A form without the CSRF token is rejected and changes nothing")
    func csrf() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("sun", admin: true)
            var browser = Browser(client)
            try await browser.signIn("sun", "Secret-pass-42")
            _ = try await browser.get("/admin/departments")
            let forged = try await browser.post("/admin/departments", ["name": "Forged"], csrf: "not-the-token")
            #expect(forged.status == .forbidden)
            let ok = try await browser.post("/admin/departments", ["name": "Sales"])
            #expect(ok.status == .seeOther)
            let names = try await app.services.departments.list(for: try await app.admin).map(\.name)
            #expect(names == ["Sales"])
        }
    }
}
