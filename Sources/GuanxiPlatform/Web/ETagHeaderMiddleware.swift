import Foundation
import Hummingbird

/// The OpenAPI runtime percent-encodes header values, which turns the quotes of an
/// entity tag (`"v3"`) into `%22v3%22`. HTTP wants them as they are, so this puts them back.
package struct ETagHeaderMiddleware: RouterMiddleware {
    package init() {  }
    package typealias Context = AppRequestContext

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if let tag = response.headers[.eTag], tag.contains("%") {
            response.headers[.eTag] = tag.removingPercentEncoding ?? tag
        }
        return response
    }
}
