import Foundation
import Mustache
import Testing
import GuanxiPlatform

/// Pages escape values with Guanxi's own byte-wise escaping (`HTMLEscaping`), which must
/// escape everything swift-mustache's own does, in every template and every partial.
@Suite struct HTMLEscapingTests {
    @Test("The escaping agrees with swift-mustache's on ordinary text and is stricter on a quote with a combining mark")
    func agreesWithMustache() throws {
        let plain = try MustacheTemplate(string: "{{v}}")
        let samples = ["", "Emma Smith", "王秀英", "<script>alert('x')</script>", "a & b", "\"quoted\"", "it's",
                       "&amp; already", "混合 <b>粗体</b> & 'Ø' \"😀\"", "<<>>&&''\"\"", "line\nbreak\ttab"]
        for sample in samples {
            #expect(HTMLEscaping.escape(sample) == plain.render(["v": sample]), "\(sample)")
        }
        // One grapheme to swift-mustache's character lookup, so it stays unescaped there.
        let sneaky = "'\u{301} onmouseover=x"
        #expect(plain.render(["v": sneaky]).utf8.first == UInt8(ascii: "'"))
        #expect(HTMLEscaping.escape(sneaky) == "&#39;\u{301} onmouseover=x")
        // Text needing nothing comes back as it was.
        #expect(HTMLEscaping.escape("王秀英 Smith") == "王秀英 Smith")
    }

    @Test("Templates loaded by the renderer escape this way, in partials and inherited blocks too")
    func everyTemplateEscapes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "<main>{{$body}}{{/body}}</main>".write(to: dir.appendingPathComponent("frame.mustache"), atomically: true, encoding: .utf8)
        try "<i>{{v}}</i>".write(to: dir.appendingPathComponent("part.mustache"), atomically: true, encoding: .utf8)
        try "{{<frame}}{{$body}}<b>{{v}}</b>{{> part}}{{{v}}}{{/body}}{{/frame}}".write(to: dir.appendingPathComponent("page.mustache"), atomically: true, encoding: .utf8)
        try "not a template".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let library = try WebRenderer.library(in: dir)
        let sneaky = "'\u{301}<"
        let html = try #require(library.render(["v": sneaky], withTemplate: "page"))
        #expect(html == "<main><b>&#39;\u{301}&lt;</b><i>&#39;\u{301}&lt;</i>'\u{301}<</main>")
        #expect(library.getTemplate(named: "notes") == nil)
    }

    @Test("A template that does not parse is named in the error")
    func badTemplateNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "{{#open}} never closed".write(to: dir.appendingPathComponent("broken.mustache"), atomically: true, encoding: .utf8)
        #expect { try WebRenderer.library(in: dir) } throws: { "\($0)".contains("broken.mustache") }
    }
}
