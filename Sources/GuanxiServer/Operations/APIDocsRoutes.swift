import Foundation
import GuanxiAPI
import Hummingbird
import Ink
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Serves the OpenAPI document and a readable reference page generated from it.
struct APIDocsRoutes {
    let services: AppServices

    static let document = GuanxiAPIContract.document

    /// The document itself, for clients and generators; open to anyone.
    func register(on router: Router<AppRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.document)))
        }
    }

    /// The reference page, in the site's frame (with the reader's menu when signed in).
    func registerPage(on web: RouterGroup<AppRequestContext>) {
        web.get("/api/docs") { _, context in
            services.renderer.render("api-docs", titleKey: "api_docs.title", page: Self.page, context: context)
        }
    }

    struct Page { let reference: APIReference; let descriptionHTML: String }

    /// Built once: the document is part of the binary.
    static let page = Page(reference: APIReference.parse(document), descriptionHTML: html(fromMarkdown: APIReference.parse(document).description))

    /// The document's Markdown as HTML. The text is the project's own, but it is escaped
    /// before Markdown reads it all the same, so no markup in it can reach the page raw.
    static func html(fromMarkdown markdown: String) -> String {
        let escaped = markdown.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return MarkdownParser().html(from: escaped)
    }
}
