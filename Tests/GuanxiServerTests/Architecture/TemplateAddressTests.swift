import Foundation
import Hummingbird
import Testing
import GuanxiServer
import GuanxiPlatform

/// Templates write the addresses they link and post to as text (`href="/customers/{{id}}"`).
/// The code builds its addresses with `SiteURL`; this test keeps the templates honest: every
/// address in a template must be a route the app serves, with that method, so a renamed or
/// removed page cannot leave a link behind.
@Suite("Layering: addresses in templates")
struct TemplateAddressTests {
    /// One address a template uses: the method it is used with and its path segments, a
    /// mustache tag standing for any one segment (nil).
    struct Use: Hashable { let method: String; let segments: [String?]; let template: String }

    /// Addresses in `text`: `href`s are followed with GET, forms send their `method`.
    static func uses(in text: String, template: String) -> Set<Use> {
        var out = Set<Use>()
        for match in text.matches(of: /<(a|form|link)\b[^>]*?\b(href|action)="(\/[^"]*)"[^>]*>/) {
            let tag = String(match.0)
            let method = match.1 == "form" && tag.lowercased().contains("method=\"post\"") ? "POST" : "GET"
            // A mustache section may add a part of the address (`/competitors{{#editing}}/{{id}}{{/editing}}`): with and without it.
            let address = String(match.3)
            let variants = [address.replacing(/\{\{[#^\/][^}]*\}\}/, with: ""), address.replacing(/\{\{#[^}]*\}\}.*?\{\{\/[^}]*\}\}/, with: "")]
            for variant in variants {
                let path = variant.prefix { $0 != "?" && $0 != "#" }
                guard !path.hasPrefix("//") else { continue }
                let segments = path.split(separator: "/").map { $0.contains("{{") ? nil : String($0) }
                out.insert(Use(method: method, segments: segments, template: template))
            }
        }
        return out
    }

    /// Whether route `pattern` (`/customers/{id}`, `/api/**`) answers `segments`.
    static func matches(_ pattern: [String], _ segments: [String?]) -> Bool {
        if pattern.last == "**" { return segments.count >= pattern.count - 1 && matches(Array(pattern.dropLast()), Array(segments.prefix(pattern.count - 1))) }
        guard pattern.count == segments.count else { return false }
        return zip(pattern, segments).allSatisfy { p, s in p.hasPrefix("{") || p == "*" || s == nil || p == s }
    }

    @Test("The reading of templates finds links and forms with their methods, through mustache sections")
    func readsTemplates() {
        let text = """
            <a href="/customers/{{id}}/edit">e</a> <form method="post" action="/competitors{{#editing}}/{{id}}{{/editing}}"></form>
            <a class="x" href="/tasks?mine=1">t</a> <a href="https://example.com/">x</a>
            """
        let found = Set(Self.uses(in: text, template: "t").map { "\($0.method) /" + $0.segments.map { $0 ?? "{}" }.joined(separator: "/") })
        #expect(found == ["GET /customers/{}/edit", "POST /competitors/{}", "POST /competitors", "GET /tasks"])
        #expect(Self.matches(["customers", "{id}", "edit"], ["customers", nil, "edit"]))
        #expect(!Self.matches(["customers", "{id}"], ["customers", nil, "edit"]))
        #expect(!Self.matches(["leads", "{id}"], ["customers", nil]))
    }

    @Test("Every address a template links or posts to is a route the app serves, with that method")
    func everyAddressIsServed() async throws {
        try await TestApp.run { app, _ in
            let router = GuanxiApp.makeRouter(app.services)
            try router.validate()
            let routes = router.routes.map { (method: $0.method.rawValue, pattern: $0.path.description.split(separator: "/").map(String.init)) }
            let folder = try #require(Resources.url("Templates"))
            var uses = Set<Use>()
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
                uses.formUnion(Self.uses(in: try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8), template: file))
            }
            #expect(uses.count > 100)
            // Static files (styles, scripts, the icon) are served from `Public/`, not by routes.
            let publicFiles = Set(try FileManager.default.contentsOfDirectory(atPath: try #require(Resources.url("Public")).path))
            let unserved = uses.filter { use in
                !(use.segments.count == 1 && use.segments[0].map(publicFiles.contains) == true)
                    && !routes.contains { $0.method == use.method && Self.matches($0.pattern, use.segments) }
            }.map { "\($0.template): \($0.method) /" + $0.segments.map { $0 ?? "{{…}}" }.joined(separator: "/") }.sorted()
            #expect(unserved.isEmpty, "No route serves:\n\(unserved.joined(separator: "\n"))")
        }
    }
}
