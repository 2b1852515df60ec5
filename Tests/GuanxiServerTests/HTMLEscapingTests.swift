import Foundation
import Mustache
import Testing
import GuanxiServer
@testable import GuanxiPlatform
@testable import GuanxiCustomerAnalytics

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
        let library = try withTemplates([
            "frame.mustache": "<main>{{$body}}{{/body}}</main>", "part.mustache": "<i>{{v}}</i>",
            "page.mustache": "{{<frame}}{{$body}}<b>{{v}}</b>{{> part}}{{{v}}}{{/body}}{{/frame}}", "notes.txt": "not a template",
        ]) { try WebRenderer.library(in: $0) }
        let sneaky = "'\u{301}<"
        let html = try #require(library.render(["v": sneaky], withTemplate: "page"))
        #expect(html == "<main><b>&#39;\u{301}&lt;</b><i>&#39;\u{301}&lt;</i>'\u{301}<</main>")
        #expect(library.getTemplate(named: "notes") == nil)
    }

    @Test("No template indents a partial: swift-mustache would count the characters of all the partial draws, a list's whole table, line by line")
    func partialsNotIndented() throws {
        let folder = try #require(Resources.url("Templates"))
        var indented: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.first?.isWhitespace == true && line.drop(while: \.isWhitespace).hasPrefix("{{>") {
                indented.append("\(file):\(n + 1)")
            }
        }
        #expect(indented.isEmpty, "Indented partials: \(indented.joined(separator: ", "))")
    }

    struct Row { let name: String; let note: String?; let count: Int; let flag: Bool; let boss: Row2?; let tags: [String]; let at: Date }
    struct Row2 { let name: String; let maybe: String?? }
    enum Mood { case calm }

    @Test("Page models become dictionaries once per render: fields as they are, an absent optional absent, Guanxi's structs nested, other values kept whole")
    func pageModelsAsDictionaries() throws {
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let tree = try #require(MustacheTree.make(Row(name: "王秀英", note: nil, count: 3, flag: false, boss: Row2(name: "李", maybe: .some(nil)),
                                                      tags: ["a", "b"], at: at)) as? [String: Any])
        #expect(Set(tree.keys) == ["name", "count", "flag", "boss", "tags", "at"])
        #expect(tree["name"] as? String == "王秀英" && tree["count"] as? Int == 3 && tree["flag"] as? Bool == false)
        #expect(tree["at"] as? Date == at && (tree["tags"] as? [Any])?.compactMap { $0 as? String } == ["a", "b"])
        let boss = try #require(tree["boss"] as? [String: Any])
        #expect(boss["name"] as? String == "李" && boss["maybe"] == nil && boss.count == 1)
        #expect(MustacheTree.make(Optional<String>.none) is Optional<String>)
        #expect(MustacheTree.make(Optional("x")) as? String == "x")
        #expect(MustacheTree.make(Mood.calm) as? Mood == .calm)
        // Rendered, the nil note and the absent inner value leave nothing.
        let template = try MustacheTemplate(string: "{{name}}|{{note}}|{{count}}|{{#flag}}y{{/flag}}|{{boss.name}}{{boss.maybe}}|{{#tags}}{{.}}{{/tags}}")
        #expect(template.render(MustacheTree.make(Row(name: "王", note: nil, count: 0, flag: true, boss: Row2(name: "李", maybe: nil), tags: ["x"], at: at))) == "王||0|y|李|x")
    }

    @Test("A locale's texts are written into the templates as rendering would show them; texts holding tags and sections over texts are left to be looked up")
    func textsWrittenIn() throws {
        let texts = ["a.b": "<甲> & 'b'", "a.plain": "Plain", "a.tagged": "{{x}} stays", "a.half": "ends }} here"]
        #expect(WebRenderer.writingIn(texts, to: "[{{t.a.b}}|{{{t.a.b}}}|{{&t.a.b}}|{{ t.a.plain }}|{{t.missing}}|{{t.a.tagged}}|{{t.a.half}}|{{#t.a}}{{plain}}{{/t.a}}|{{{t.a.b}}|{{v}}]")
                == "[&lt;甲&gt; &amp; &#39;b&#39;|<甲> & 'b'|<甲> & 'b'|Plain|{{t.missing}}|{{t.a.tagged}}|{{t.a.half}}|{{#t.a}}{{plain}}{{/t.a}}|{{{t.a.b}}|{{v}}]")
        #expect(WebRenderer.writingIn([:], to: "{{t.a.b}}") == "{{t.a.b}}")

        // Every page template renders the same, in both locales, with its texts written in
        // as with them looked up.
        let folder = try #require(Resources.url("Templates"))
        let localizer = try Localizer.load(from: Resources.url("Locales"))
        let lookedUp = try WebRenderer.library(in: folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(9)) }
        #expect(names.count > 50)
        for locale in Localizer.supported {
            let writtenIn = try WebRenderer.library(in: folder, texts: localizer.tables[locale] ?? [:])
            let layout = Layout(title: "标题", lang: locale, signedIn: true, userName: "王秀英", csrf: "token", isAdmin: true,
                                menu: [Layout.Group(title: "客户", links: [Layout.Link(href: "/customers", title: "客户")])],
                                creates: [Layout.Link(href: "/contacts/new", title: "联系人")], hasCreates: true, notice: "已保存",
                                otherLang: "en", otherLangLabel: "English", here: "/", unread: 2, hasUnread: true)
            let root = WebRenderer.Root(t: localizer.tree(locale), layout: layout, page: ["q": "秀", "isNew": true] as [String: Any])
            var differing: [String] = []
            for name in names where lookedUp.render(root, withTemplate: name) != writtenIn.render(root, withTemplate: name) { differing.append(name) }
            #expect(differing.isEmpty, "\(locale): \(differing)")
            // And the texts are in the page: the layout's sign-out button, in this locale.
            #expect(writtenIn.render(root, withTemplate: "home")?.contains(HTMLEscaping.escape(localizer.text("nav.logout", locale))) == true)
        }
    }

    @Test("A template that does not parse is named in the error")
    func badTemplateNamed() throws {
        #expect {
            try withTemplates(["broken.mustache": "{{#open}} never closed"]) { try WebRenderer.library(in: $0) }
        } throws: { "\($0)".contains("broken.mustache") }
    }

    /// `body` run on a temporary directory holding `files` (name → text), removed after.
    private func withTemplates<T>(_ files: [String: String], _ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guanxi-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try body(dir)
    }
}

@Suite("Record fields that lead somewhere")
struct RecordFieldLinkTests {
    @Test("Phones dial, e-mail addresses write, websites open over http(s) only; anything else stays text")
    func links() {
        #expect(WebField.phone(label: "电话", value: "+86 (10) 6543-2100").href == "tel:+861065432100")
        #expect(WebField.phone(label: "电话", value: "转 8").href == nil)
        #expect(WebField.email(label: "邮箱", value: "li@xingchen.cn").href == "mailto:li@xingchen.cn")
        #expect(WebField.email(label: "邮箱", value: "not an address").href == nil)
        #expect(WebField.website(label: "网址", value: "www.xingchen.cn").href == "https://www.xingchen.cn")
        #expect(WebField.website(label: "网址", value: "http://xingchen.cn/about").href == "http://xingchen.cn/about")
        #expect(WebField.website(label: "网址", value: "javascript:alert(1)").href == nil)
        #expect(WebField.website(label: "网址", value: "").href == nil)
        #expect(WebField.website(label: "网址", value: "https://x.cn").child(named: "external") as? Bool == true)
    }
}

@Suite("Charts")
struct ChartTests {
    @Test("A time series is a line: history solid, forecast dashed inside its band, labels escaped")
    func line() {
        let svg = SVGChart.line(history: [("2026-01", 10), ("2026-02", 20), ("2026-03", 30)], forecast: [("2026-04 <预测>", 25, 20, 30)],
                                title: "收入 & 预测") { String(Int($0)) }
        #expect(svg.contains(#"class="history""#) && svg.contains(#"class="forecast""#) && svg.contains(#"class="band""#))
        #expect(svg.contains("<title>收入 &amp; 预测</title>"))
        #expect(svg.contains("2026-04 &lt;预测&gt;") && !svg.contains("<预测>"))
        #expect(SVGChart.line(history: [("2026-01", 1)], forecast: [], title: "x") { _ in "" } == "")
        // A bar can open the list it counts.
        let bars = SVGChart.bars([SVGChart.Bar(label: "忠诚客户", value: 3, text: "3", href: "/customers?segment=loyal&tier=vip")], title: "细分")
        #expect(bars.contains(#"<a href="/customers?segment=loyal&amp;tier=vip">"#))
    }
}
