import Foundation
import Hummingbird
import Mustache

/// The chrome every page shares: who is signed in, the menu entries they see, the CSRF token.
public struct Layout: Sendable {
    public var title: String
    public var lang: String
    public var signedIn: Bool
    public var userName: String
    public var csrf: String
    public var isAdmin: Bool
    /// The main menu as this user sees it (`Menu`): groups of links.
    public var menu: [Group]
    /// The quick-create menu: the new records this user may make.
    public var creates: [Link]
    /// Stored, not computed: templates see a layout's stored fields only (`MustacheTree`).
    public var hasCreates: Bool
    public var notice: String?
    public var otherLang: String
    public var otherLangLabel: String
    /// This page's address, where the language switch comes back to.
    public var here: String
    /// Unread notifications: the bell's number, shown when there are any.
    public var unread: Int
    public var hasUnread: Bool

    /// A heading of the menu with its links; a heading with one link is drawn as that link.
    /// Every name is answered, so Mustache never looks one up in the layout instead.
    public struct Group: Sendable, MustacheParent {
        public let title: String
        public let links: [Link]
        public func child(named name: String) -> Any? {
            switch name {
            case "title": title
            case "links": links
            case "single": links.count == 1
            case "href": links.first?.href ?? ""
            case "linkTitle": links.first?.title ?? ""
            default: nil
            }
        }
    }

    /// A menu entry, read by name like `WebChoice`.
    public struct Link: Sendable, MustacheParent {
        public let href: String
        public let title: String
        public func child(named name: String) -> Any? {
            switch name {
            case "href": href
            case "title": title
            default: nil
            }
        }
    }
}

/// Renders Mustache templates from `Resources/Templates`. Templates escape every value
/// by default; page data comes from typed view models (`page`), texts from the locale
/// files (`t`) and the shared chrome from `layout`.
public struct WebRenderer: Sendable {
    /// The templates once per locale, each with that locale's texts written in
    /// (`writingIn`), so a page looks up only its own data.
    package let libraries: [String: MustacheLibrary]
    package let localizer: Localizer
    /// The main menu, whose entries the areas register.
    package let menu: Menu

    /// Reads the templates in `templates` (a directory of `.mustache` files).
    public static func load(templates: URL?, localizer: Localizer, menu: Menu = Menu()) async throws -> WebRenderer {
        guard let dir = templates else { throw GuanxiError(.internal, "The page templates are missing from the resources.") }
        var libraries: [String: MustacheLibrary] = [:]
        for locale in Localizer.supported { libraries[locale] = try library(in: dir, texts: localizer.tables[locale] ?? [:]) }
        return WebRenderer(libraries: libraries, localizer: localizer, menu: menu)
    }

    /// The templates for `locale` (English's for one not supported).
    package func library(_ locale: String) -> MustacheLibrary? { libraries[locale] ?? libraries["en"] }

    /// Every `.mustache` file in `dir`, by its name without the extension, each escaping
    /// values with `HTMLEscaping` (the pragma goes on a line of its own, which Mustache
    /// drops as a standalone tag: the output is the template's own; a parse error's line
    /// number counts it). A partial's tag starts its line (`{{> record-list}}`, not indented):
    /// swift-mustache indents an indented partial's lines by counting the characters of all
    /// it draws, a list's whole table.
    /// `texts` (a locale's, by dotted key) are written into the templates (`writingIn`).
    package static func library(in dir: URL, texts: [String: String] = [:]) throws -> MustacheLibrary {
        HTMLEscaping.register()
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "mustache" }
        for file in files {
            do {
                let template = writingIn(texts, to: try String(contentsOf: file, encoding: .utf8))
                try library.register(HTMLEscaping.pragma + "\n" + template, named: file.deletingPathExtension().lastPathComponent)
            } catch {
                throw GuanxiError(.internal, "The page template \(file.lastPathComponent) does not parse: \(error)")
            }
        }
        return library
    }

    /// `template` with each tag that shows a text of the locale files (`{{t.nav.users}}`,
    /// escaped; `{{{t.…}}}` or `{{&t.…}}`, as it is) replaced by that text, as rendering
    /// it would show it. A page's data never changes a text, and swift-mustache finds a
    /// dotted name anew on every render — splitting it, then testing every object the
    /// section stack holds, by a cast, for the first part: a list page's texts took a
    /// third of its template work. A text that itself holds `{{` or `}}` is left to be
    /// looked up as before, as is a tag opening a section.
    package static func writingIn(_ texts: [String: String], to template: String) -> String {
        guard !texts.isEmpty else { return template }
        let range = NSRange(template.startIndex..., in: template)
        var out = ""
        var last = template.startIndex
        for match in textTag.matches(in: template, range: range) {
            guard let whole = Range(match.range, in: template), let keyRange = Range(match.range(at: 2), in: template) else { continue }
            let opening = Range(match.range(at: 1), in: template).map { String(template[$0]) } ?? ""
            let closing = Range(match.range(at: 3), in: template).map { String(template[$0]) } ?? ""
            // `{{{` must close with `}}}`; `{{&` and `{{` with `}}`.
            guard (opening == "{") == (closing == "}"), let text = texts[String(template[keyRange])], !text.contains("{{"), !text.contains("}}") else { continue }
            out += template[last..<whole.lowerBound]
            out += opening.isEmpty ? HTMLEscaping.escape(text) : text
            last = whole.upperBound
        }
        return out + template[last...]
    }

    private static let textTag = try! NSRegularExpression(pattern: #"\{\{([{&])?\s*t\.([A-Za-z0-9_.]+)\s*(\})?\}\}"#)

    /// What a template sees: the texts (`t`), the layout (`layout`) and the page (`page`).
    package struct Root: MustacheParent {
        package let t: [String: Any]
        package let layout: Any
        package let page: Any

        package init(t: [String: Any], layout: Layout, page: Any) {
            (self.t, self.layout, self.page) = (t, MustacheTree.make(layout), MustacheTree.make(page))
        }

        package func child(named name: String) -> Any? {
            switch name {
            case "t": t
            case "layout": layout
            case "page": page
            default: nil
            }
        }
    }

    /// The chrome of a page; `menus` false leaves out the main and quick-create menus, which
    /// only the layout template draws (a `fragment` has no use for them).
    public func layout(_ context: some PageContext, titleKey: String, notice: String? = nil, menus: Bool = true) -> Layout {
        let p = context.viewer
        let locale = context.locale
        let shown = menus ? p : nil
        let creates = shown.map { p in menu.creates(for: p).map { Layout.Link(href: $0.path, title: localizer.text($0.titleKey, locale)) } } ?? []
        return Layout(
            title: localizer.text(titleKey, locale), lang: locale, signedIn: p != nil && context.session?.awaitingSecondFactor != true,
            userName: p?.displayName ?? "", csrf: context.session?.csrfToken ?? "",
            isAdmin: p?.isAdmin ?? false,
            menu: shown.map { p in menu.groups(for: p).map { group in
                Layout.Group(title: localizer.text(group.group.titleKey, locale),
                             links: group.entries.map { Layout.Link(href: $0.path, title: localizer.text($0.titleKey, locale)) })
            } } ?? [],
            creates: creates, hasCreates: !creates.isEmpty,
            notice: notice,
            otherLang: locale == "en" ? "zh-Hans" : "en",
            otherLangLabel: locale == "en" ? "简体中文" : "English",
            here: context.here, unread: context.unreadNotifications, hasUnread: context.unreadNotifications > 0)
    }

    /// Renders `template` with a page view model; `csrfOverride` supplies the token on
    /// pages shown before sign-in.
    public func render(_ template: String, titleKey: String, page: Any, context: some PageContext, status: HTTPResponse.Status = .ok,
                       notice: String? = nil, csrfOverride: String? = nil) -> Response {
        var layout = layout(context, titleKey: titleKey, notice: notice)
        if let csrfOverride { layout.csrf = csrfOverride }
        let html = library(context.locale)?.render(Root(t: localizer.tree(context.locale), layout: layout, page: page), withTemplate: template)
            ?? "<!doctype html><title>Guanxi</title><p>Template \(template) is missing.</p>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A part of a page (a template without the layout), escaped like a page, to be
    /// placed into another page as it is (`{{{html}}}`).
    public func fragment(_ template: String, page: Any, context: some PageContext) -> String {
        library(context.locale)?.render(Root(t: localizer.tree(context.locale), layout: layout(context, titleKey: "app.name", menus: false), page: page), withTemplate: template) ?? ""
    }

    /// See-other to a page of this site.
    public static func redirect(_ url: SiteURL) -> Response { redirect(url.description) }

    /// A small JSON answer for the pages' own scripts (a moved card, a field saved in place, a picker's hits).
    package static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    /// Whether a page's script asked for JSON rather than a page.
    package static func wantsJSON(_ request: Request) -> Bool { request.headers[.accept]?.contains("application/json") == true }

    private static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }
}
