import Foundation
import Testing

/// The layers are SwiftPM targets, so the compiler refuses an import that points the
/// wrong way — as long as `Package.swift` does not allow it. This holds the manifest to
/// the layering: platform ← customer file ← business areas ← app.
@Suite("Layering: the targets")
struct LayerRuleTests {
    /// Each target of `Package.swift` with the targets (not products) it depends on.
    static func targets(_ manifest: String) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        let blocks = manifest.components(separatedBy: "name: \"").dropFirst()
        for block in blocks {
            let name = String(block.prefix { $0 != "\"" })
            guard let deps = block.range(of: "dependencies: [") else { continue }
            let list = block[deps.upperBound...].prefix { $0 != "]" }
            // Products are `.product(name: …)`; targets are plain strings on their own.
            let names = list.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.hasPrefix("\"") }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\",")) }
            if out[name] == nil { out[name] = Set(names) }
        }
        return out
    }

    static let areas: Set = ["GuanxiSales", "GuanxiCustomerAnalytics", "GuanxiDataExchange"]

    @Test("The reading of the manifest finds targets and their target dependencies")
    func readsManifest() {
        let sample = """
            .target(
                name: "A",
                dependencies: [
                    "B",
                    .product(name: "X", package: "x"),
                ]
            ),
            .target(name: "B", dependencies: ["C"])
            """
        #expect(Self.targets(sample)["A"] == ["B"])
    }

    @Test("The platform depends on no layer above it, the customer file on no business area, and no area on another")
    func layersPointDown() throws {
        let manifest = try String(contentsOf: SourceTree.root.deletingLastPathComponent().appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = Self.targets(manifest)
        let above: Set = ["GuanxiCustomerFile", "GuanxiServer", "guanxi"]
        #expect(targets["GuanxiPlatform"]?.isDisjoint(with: above.union(Self.areas)) == true)
        #expect(targets["GuanxiCustomerFile"]?.isDisjoint(with: Self.areas.union(["GuanxiServer"])) == true)
        #expect(targets["GuanxiCustomerFile"]?.contains("GuanxiPlatform") == true)
        for area in Self.areas {
            let deps = try #require(targets[area], "\(area) is a target")
            #expect(deps.contains("GuanxiCustomerFile"), "\(area) stands on the customer file")
            #expect(deps.isDisjoint(with: Self.areas.subtracting([area]).union(["GuanxiServer"])), "\(area) reaches sideways or up: \(deps)")
        }
    }
}
