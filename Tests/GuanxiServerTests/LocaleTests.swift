import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import Testing
@testable import GuanxiPlatform

@Suite("Interface languages")
struct LocaleTests {
    @Test("Simplified Chinese and English define exactly the same texts, none empty")
    func sameKeys() throws {
        let localizer = try Localizer.load()
        let zh = try #require(localizer.tables["zh-Hans"])
        let en = try #require(localizer.tables["en"])
        #expect(Set(zh.keys) == Set(en.keys))
        #expect(zh.values.allSatisfy { !$0.isEmpty })
        #expect(en.values.allSatisfy { !$0.isEmpty })
    }

    @Test("Every text a template uses exists in the locale files")
    func templatesCovered() throws {
        let localizer = try Localizer.load()
        let folder = try #require(Resources.url("Templates"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }
        #expect(files.count > 10)
        let pattern = try NSRegularExpression(pattern: #"\{\{[#^/]?t\.([a-z_.]+)\}\}"#)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let key = String(text[Range(match.range(at: 1), in: text)!])
                #expect(localizer.tables["en"]?[key] != nil, "\(file) uses t.\(key)")
            }
        }
    }

    @Test("Every record kind, action and scope has a label in both languages")
    func permissionLabels() async throws {
        let localizer = try Localizer.load()
        try await TestApp.run { app, _ in
            #expect(app.services.records.all.count >= 10)
            for locale in Localizer.supported {
                for kind in app.services.records.all { #expect(localizer.known(kind.nameKey, locale) != nil, "\(kind.kind.rawValue) in \(locale)") }
            }
        }
        for locale in Localizer.supported {
            for action in PermissionAction.allCases { #expect(localizer.known("actions.\(action.rawValue)", locale) != nil) }
            for scope in DataScope.allCases { #expect(localizer.known("scopes.\(scope.rawValue)", locale) != nil) }
            for action in AuditAction.allCases { #expect(localizer.known("audit_actions.\(action.rawValue)", locale) != nil) }
        }
    }

    @Test("Every message key the code uses exists in both languages")
    func messageKeys() throws {
        let localizer = try Localizer.load()
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources").standardized
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        let pattern = try NSRegularExpression(pattern: #"localized\("([a-z_.]+)""#)
        var keys: Set<String> = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                keys.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        #expect(keys.count > 20)
        for key in keys {
            for locale in Localizer.supported { #expect(localizer.known(key, locale) != nil, "\(key) in \(locale)") }
        }
    }

    @Test("Error messages are shown in the reader's language with the field's label")
    func localizedMessages() throws {
        let localizer = try Localizer.load()
        let error = GuanxiError.invalid("displayName", "displayName must be at most 100 characters.").localized("msg.too_long", ["field": "displayName", "max": "100"])
        #expect(localizer.message(for: error, "zh-Hans") == "显示名称最多 100 个字符。")
        #expect(localizer.message(for: error, "en") == "Display name must be at most 100 characters.")
        #expect(localizer.message(for: GuanxiError(.validation, "plain"), "zh-Hans") == "plain")
    }

    @Test("The browser's language decides until the user chooses")
    func negotiation() throws {
        let localizer = try Localizer.load()
        #expect(localizer.negotiate("en-US,en;q=0.9", fallback: "zh-Hans") == "en")
        #expect(localizer.negotiate("zh-CN,zh;q=0.9,en;q=0.5", fallback: "en") == "zh-Hans")
        #expect(localizer.negotiate("fr-FR", fallback: "zh-Hans") == "zh-Hans")
        #expect(localizer.negotiate(nil, fallback: "en") == "en")
    }
}

@Suite("A user's language")
struct UserLanguageTests {
    @Test("The language switch saves the profile's language, which decides from sign-in on, on every device, and comes back to the page")
    func switchSavesProfile() async throws {
        try await TestApp.run { app, client in
            let lili = try await app.makeUser("lili", admin: true)
            var laptop = Browser(client)
            try await laptop.signIn("lili", "Secret-pass-42")
            #expect(try await laptop.get("/customers?q=abc").text.contains(#"<input type="hidden" name="back" value="/customers?q=abc">"#))
            let switched = try await laptop.post("/language", ["lang": "en", "back": "/customers?q=abc"])
            #expect(switched.location == "/customers?q=abc")
            #expect(try await app.services.users.find(username: "lili")?.locale == "en")
            let audited = try await app.auditEntries(action: "update", kind: .users, id: lili.id!.uuidString)
            #expect(audited.contains { $0.changes.contains { $0.field == "locale" && $0.old == "zh-Hans" && $0.new == "en" } })
            #expect(try await laptop.get("/customers").text.contains(#"<html lang="en">"#))

            // Another device, whose sign-in page was last shown in Chinese: the profile wins.
            var phone = Browser(client)
            phone.cookies["guanxi_lang"] = "zh-Hans"
            #expect(try await phone.get("/login").text.contains(#"<html lang="zh-Hans">"#))
            try await phone.signIn("lili", "Secret-pass-42")
            #expect(try await phone.get("/").text.contains(#"<html lang="en">"#))

            // The way back stays on this site; a language it does not speak is refused by name.
            #expect(try await laptop.post("/language", ["lang": "zh-Hans", "back": "//evil.example/x"]).location == "/")
            #expect(try await laptop.post("/language", ["lang": "zh-Hans", "back": "https://evil.example/"]).location == "/")
            let unknown = try await laptop.post("/language", ["lang": "fr", "back": "/"])
            #expect(unknown.status == .badRequest)
            #expect(unknown.text.contains("请选择简体中文或 English"))
            #expect(try await app.services.users.find(username: "lili")?.locale == "zh-Hans")

            // Before sign-in only the browser remembers the choice, and the sign-in page follows it.
            var visitor = Browser(client)
            _ = try await visitor.get("/login")
            let chosen = try await visitor.post("/language", ["lang": "en", "back": "/login"])
            #expect(chosen.location == "/login")
            #expect(try await visitor.get("/login").text.contains(#"<html lang="en">"#))
        }
    }

    @Test("An administrator sets a new colleague's language and time zone, and changes them; a time zone that does not exist is refused")
    func administratorSetsLanguage() async throws {
        try await TestApp.run { app, client in
            var admin = try await app.signedInBrowser(client, as: "boss")
            let form = try await admin.get("/admin/users/new")
            #expect(form.text.contains(#"<select name="locale">"#))
            #expect(form.text.contains(#"list="time-zones""#))
            let created = try await admin.post("/admin/users/new", ["username": "emma", "display_name": "Emma", "password": "Given-pass-2026",
                                                                    "locale": "en", "time_zone": "Europe/London"])
            #expect(created.status == .seeOther)
            let emma = try #require(try await app.services.users.find(username: "emma"))
            #expect(emma.locale == "en")
            #expect(emma.timeZone == "Europe/London")
            let path = "/admin/users/\(emma.id!.uuidString)"
            #expect(try await admin.get(path).text.contains(#"<option value="en" selected>"#))
            let bad = try await admin.post(path, ["display_name": "Emma", "locale": "zh-Hans", "time_zone": "Mars/Olympus_Mons", "is_active": "on"])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("时区"))
            #expect(try await app.services.users.find(username: "emma")?.locale == "en")
            #expect(try await admin.post(path, ["display_name": "Emma", "locale": "zh-Hans", "time_zone": "Asia/Shanghai", "is_active": "on"]).status == .seeOther)
            let changed = try #require(try await app.services.users.find(username: "emma"))
            #expect((changed.locale, changed.timeZone) == ("zh-Hans", "Asia/Shanghai"))
        }
    }

    @Test("Running text uses the reader's punctuation: full-width colons and enumeration commas in Chinese")
    func punctuation() async throws {
        try await TestApp.run { app, client in
            var admin = try await app.signedInBrowser(client, as: "boss")
            let chinese = try await admin.get("/admin/status").text
            #expect(chinese.contains("排队中：0、运行中：0、已完成："))
            #expect(chinese.contains("SQLite（内置）") || chinese.contains(">PostgreSQL<"))
            #expect(!chinese.contains("queued:"))
            _ = try await admin.post("/language", ["lang": "en", "back": "/admin/status"])
            let english = try await admin.get("/admin/status").text
            #expect(english.contains("Queued: 0, Running: 0, Done: "))
            #expect(app.services.localizer.list(["甲", "乙"], "zh-Hans") == "甲、乙")
            #expect(app.services.localizer.labelled("手机", "138", "zh-Hans") == "手机：138")
        }
    }
}
