import Foundation
import GuanxiAPI

/// The search box over the REST API.
extension APIHandlers {
    func search(_ input: Operations.search.Input) async throws -> Operations.search.Output {
        let principal = try RequestPrincipal.require()
        let hits = try await GlobalSearch(services: services).search(input.query.q, for: principal)
        return .ok(.init(body: .json(.init(items: hits.map {
            .init(kind: .init(rawValue: $0.kind.rawValue) ?? .customers, id: $0.id.uuidString, title: $0.title, detail: $0.detail)
        }))))
    }
}
