import Foundation
import GuanxiPlatform

/// The project's Swift sources as text, for tests that hold the code to its layering rules.
struct SourceTree {
    struct File { let path: String; let text: String }

    /// `Sources/` of this package, found from this file's own path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The targets above the platform, from the customer file up to the app and its command line.
    static let featureTargets = ["GuanxiCustomerFile", "GuanxiSales", "GuanxiCustomerAnalytics", "GuanxiDataExchange", "GuanxiServer", "guanxi"]

    /// Every file of every target above the platform.
    static func featureFiles() throws -> [File] { try featureTargets.flatMap { try files(under: $0) } }

    /// Every `.swift` file under `folder` (relative to `Sources/`), with paths relative to `Sources/`.
    static func files(under folder: String) throws -> [File] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var out: [File] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            out.append(File(path: relative, text: try String(contentsOf: url, encoding: .utf8)))
        }
        return out.sorted { $0.path < $1.path }
    }

    /// The text without comments and string literals' contents, so a rule sees only code.
    static func code(_ text: String) -> String {
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var kept = ""
            var inString = false, previous: Character = " "
            for ch in line {
                if !inString && ch == "/" && previous == "/" { kept.removeLast(); break }
                if ch == "\"" && previous != "\\" { inString.toggle(); kept.append(ch) } else if !inString { kept.append(ch) }
                previous = ch
            }
            out += kept + "\n"
        }
        return out
    }
}
