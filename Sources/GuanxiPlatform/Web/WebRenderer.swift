import Foundation
import Hummingbird
import Mustache

/// The chrome every page shares: who is signed in, what they may open, the CSRF token.
public struct Layout: Sendable {
    public var title: String
    public var lang: String
    public var signedIn: Bool
    public var userName: String
    public var csrf: String
    public var isAdmin: Bool
    public var canSeeCustomers: Bool
    public var canSeeContacts: Bool
    public var canSeeLeads: Bool
    public var canSeeOpportunities: Bool
    public var canSeeActivities: Bool
    public var canSeeUsers: Bool
    public var canSeeOrganisation: Bool
    public var canSeeAudit: Bool
    public var canImport: Bool
    public var notice: String?
    public var otherLang: String
    public var otherLangLabel: String
}

/// Renders Mustache templates from `Resources/Templates`. Templates escape every value
/// by default; page data comes from typed view models (`page`), texts from the locale
/// files (`t`) and the shared chrome from `layout`.
public struct WebRenderer: Sendable {
    package let library: MustacheLibrary
    package let localizer: Localizer
    /// The kinds of record a file can be imported into, for the Import menu entry.
    package let importable: @Sendable () -> [RecordKind]

    /// Reads the templates in `templates` (a directory of `.mustache` files).
    public static func load(templates: URL?, localizer: Localizer, importable: @escaping @Sendable () -> [RecordKind] = { [] }) async throws -> WebRenderer {
        guard let dir = templates else { throw GuanxiError(.internal, "The page templates are missing from the resources.") }
        return WebRenderer(library: try await MustacheLibrary(directory: dir.path), localizer: localizer, importable: importable)
    }

    package struct Root {
        package let t: [String: Any]
        package let layout: Layout
        package let page: Any
    }

    public func layout(_ context: some PageContext, titleKey: String, notice: String? = nil) -> Layout {
        let p = context.viewer
        let locale = context.locale
        return Layout(
            title: localizer.text(titleKey, locale), lang: locale, signedIn: p != nil && context.session?.awaitingSecondFactor != true,
            userName: p?.displayName ?? "", csrf: context.session?.csrfToken ?? "",
            isAdmin: p?.isAdmin ?? false,
            canSeeCustomers: p?.scope(for: .read, on: .customers) != nil,
            canSeeContacts: p?.scope(for: .read, on: .contacts) != nil,
            canSeeLeads: p?.scope(for: .read, on: .leads) != nil,
            canSeeOpportunities: p?.scope(for: .read, on: .opportunities) != nil,
            canSeeActivities: p?.scope(for: .read, on: .activities) != nil,
            canSeeUsers: p?.scope(for: .read, on: .users) != nil,
            canSeeOrganisation: p?.scope(for: .read, on: .departments) != nil || p?.scope(for: .read, on: .roles) != nil || p?.scope(for: .read, on: .teams) != nil,
            canSeeAudit: p?.scope(for: .read, on: .audit) != nil,
            canImport: importable().contains { p?.scope(for: .import, on: $0) != nil },
            notice: notice,
            otherLang: locale == "en" ? "zh-Hans" : "en",
            otherLangLabel: locale == "en" ? "简体中文" : "English")
    }

    /// Renders `template` with a page view model; `csrfOverride` supplies the token on
    /// pages shown before sign-in.
    public func render(_ template: String, titleKey: String, page: Any, context: some PageContext, status: HTTPResponse.Status = .ok,
                       notice: String? = nil, csrfOverride: String? = nil) -> Response {
        var layout = layout(context, titleKey: titleKey, notice: notice)
        if let csrfOverride { layout.csrf = csrfOverride }
        let html = library.render(Root(t: localizer.tree(context.locale), layout: layout, page: page), withTemplate: template)
            ?? "<!doctype html><title>Guanxi</title><p>Template \(template) is missing.</p>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A part of a page (a template without the layout), escaped like a page, to be
    /// placed into another page as it is (`{{{html}}}`).
    public func fragment(_ template: String, page: Any, context: some PageContext) -> String {
        library.render(Root(t: localizer.tree(context.locale), layout: layout(context, titleKey: "app.name"), page: page), withTemplate: template) ?? ""
    }

    public static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }
}
