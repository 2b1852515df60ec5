import Foundation
import Testing
import GuanxiPlatform

/// A new kind of record must be its folder plus one registration line: so no code outside
/// a kind's own folder may branch on that kind by name — it asks the registry instead.
@Suite("Layering: record kinds")
struct RecordKindRuleTests {
    /// The kinds declared anywhere (`static let customers = RecordKind(rawValue: …)`): the
    /// platform's own, and those each feature declares in its folder.
    static func kindNames() throws -> [String] {
        let pattern = try NSRegularExpression(pattern: #"static let (\w+) = RecordKind\(rawValue:"#)
        return try (SourceTree.files(under: "GuanxiPlatform") + SourceTree.featureFiles()).flatMap { file in
            pattern.matches(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)).map { String(file.text[Range($0.range(at: 1), in: file.text)!]) }
        }
    }

    /// The folder whose `…+RecordKind.swift` file describes each kind.
    static func homes(_ files: [SourceTree.File]) -> [String: String] {
        var out: [String: String] = [:]
        for file in files where file.path.hasSuffix("+RecordKind.swift") {
            for match in file.text.matches(of: /RecordKindDescriptor\(kind: \.(\w+)/) {
                out[String(match.1)] = (file.path as NSString).deletingLastPathComponent
            }
        }
        return out
    }

    /// Lines of `text` that branch on one of `kinds` by name: a `case` naming it, or a comparison with it.
    static func branches(in text: String, on kinds: [String]) -> [(line: Int, kind: String)] {
        let names = kinds.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        let pattern = try! NSRegularExpression(pattern: #"^\s*case\b[^:\n]*\.(\#(names))\b|[!=]=\s*\.(\#(names))\b|\.(\#(names))\s*[!=]="#, options: .anchorsMatchLines)
        let code = SourceTree.code(text)
        let lineStarts = code.utf16.indices.filter { $0 == code.utf16.startIndex || code.utf16[code.utf16.index(before: $0)] == 10 }
        return pattern.matches(in: code, range: NSRange(code.startIndex..., in: code)).map { match in
            let group = (1...3).first { match.range(at: $0).location != NSNotFound }!
            let at = Range(match.range, in: code)!.lowerBound
            let line = lineStarts.lastIndex { $0 <= at }! + 1
            return (line, String(code[Range(match.range(at: group), in: code)!]))
        }
    }

    @Test("The rule sees a case and a comparison that name a kind, and nothing in comments or strings")
    func ruleSeesBranches() {
        let sample = """
            switch kind {
            case .customers: break
            case .users, .roles: break
            }
            if kind == .leads { }
            // case .contacts: a comment
            let text = "case .contacts:"
            if kind == .other { }
            """
        #expect(Self.branches(in: sample, on: ["customers", "contacts", "leads", "roles"]).map(\.line) == [2, 3, 5])
    }

    @Test("No code branches on a kind of record by name outside that kind's own folder")
    func noSwitchOverKinds() throws {
        let kinds = try Self.kindNames()
        #expect(kinds.contains("customers") && kinds.contains("users") && kinds.contains("purchases"))
        let files = try SourceTree.files(under: "GuanxiPlatform") + SourceTree.featureFiles()
        let homes = Self.homes(files)
        #expect(homes["customers"] == "GuanxiCustomerFile/Customers" && homes["leads"] == "GuanxiSales/Leads")
        var offences: [String] = []
        for file in files where !file.path.hasPrefix("GuanxiServer/Migrations/") {
            let folder = (file.path as NSString).deletingLastPathComponent
            for hit in Self.branches(in: file.text, on: kinds) where homes[hit.kind] != folder {
                offences.append("\(file.path):\(hit.line) branches on .\(hit.kind)")
            }
        }
        #expect(offences.isEmpty, "Ask the record-kind registry instead:\n\(offences.joined(separator: "\n"))")
    }
}
