import Foundation
import GuanxiAPI
import Hummingbird
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Serves the OpenAPI document and a readable reference page generated from it.
struct APIDocsRoutes {
    let services: AppServices

    static let document = GuanxiAPIContract.document

    func register(on router: Router<AppRequestContext>) {
        router.get("/api/openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.document)))
        }
        router.get("/api/docs") { _, context in
            services.renderer.render("api-docs", titleKey: "api_docs.title", page: APIReference.parse(Self.document), context: context)
        }
    }
}
