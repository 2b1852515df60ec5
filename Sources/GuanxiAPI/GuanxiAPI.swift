import Foundation

/// The REST API contract: types and the server protocol generated from `openapi.yaml`
/// at build time. The same file is served at `/api/openapi.yaml`.
public enum GuanxiAPIContract {
    /// The OpenAPI document as shipped with this build.
    public static var document: String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return "" }
        return text
    }
}
