import Foundation
import Testing
import GuanxiPlatform

/// The platform is the ground floor: it knows nothing of customers, deals or imports.
/// What it needs to know of features, they register with it at start-up.
@Suite("Layering: the platform")
struct PlatformRuleTests {
    /// Types declared at the top level of each file (not nested ones, whose names repeat).
    static func declarations(in files: [SourceTree.File]) -> [String: String] {
        var out: [String: String] = [:]
        let pattern = /^(?:public |package |final |indirect )*(?:struct|class|enum|protocol|actor|typealias) ([A-Z]\w*)/.anchorsMatchLineEndings()
        for file in files {
            for match in SourceTree.code(file.text).matches(of: pattern) where out[String(match.1)] == nil { out[String(match.1)] = file.path }
        }
        return out
    }

    /// The names from `names` that `text` uses, as whole words of code.
    static func uses(_ text: String, of names: Set<String>) -> Set<String> {
        var words = Set<String>(), word = ""
        for ch in SourceTree.code(text) + " " {
            if ch.isLetter || ch.isNumber || ch == "_" { word.append(ch) } else if !word.isEmpty { words.insert(word); word = "" }
        }
        return words.intersection(names)
    }

    @Test("The rule sees a feature type a platform file uses, and not one a comment or string names")
    func ruleSeesUses() {
        let names: Set<String> = ["Customer", "CustomerService"]
        #expect(Self.uses("let c: Customer // CustomerService\nlet s = \"CustomerService\"", of: names) == ["Customer"])
        let declared = Self.declarations(in: [SourceTree.File(path: "A/B.swift", text: "public struct Customer {\n    struct Nested {}\n}\nfinal class CustomerService {}")])
        #expect(declared == ["Customer": "A/B.swift", "CustomerService": "A/B.swift"])
    }

    /// The compiler holds the platform target to this already (it cannot import the
    /// features); the scan also catches a name in a platform file that only a later
    /// layer would give meaning to, and says which file declares it.
    @Test("No platform file names a type of a feature")
    func platformNamesNoFeature() throws {
        let platform = try SourceTree.files(under: "GuanxiPlatform")
        #expect(platform.count > 40)
        let features = try SourceTree.featureFiles()
        let platformTypes = Self.declarations(in: platform)
        let featureTypes = Self.declarations(in: features).filter { name, _ in platformTypes[name] == nil }
        #expect(featureTypes["CustomerService"] != nil)
        var offences: [String] = []
        for file in platform {
            for name in Self.uses(file.text, of: Set(featureTypes.keys)).sorted() {
                offences.append("\(file.path) uses \(name) (\(featureTypes[name]!))")
            }
        }
        #expect(offences.isEmpty, "The platform must not know features; let them register instead:\n\(offences.joined(separator: "\n"))")
    }

    @Test("The platform declares only its own kinds of record; features declare theirs in their folders")
    func platformKindsAreItsOwn() throws {
        let pattern = /static let (\w+) = RecordKind\(rawValue:/
        let declared = try SourceTree.files(under: "GuanxiPlatform").flatMap { file in SourceTree.code(file.text).matches(of: pattern).map { String($0.1) } }
        #expect(Set(declared) == ["users", "departments", "teams", "roles", "audit", "settings", "outbox", "inbox", "templates"])
    }
}
