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
