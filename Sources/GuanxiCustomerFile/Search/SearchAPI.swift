import Foundation
import GuanxiAPI
import GuanxiPlatform

/// The search box over the REST API.
extension CustomerFileAPI {
    private typealias Item = Operations.search.Output.Ok.Body.jsonPayload.itemsPayloadPayload

    package func search(_ input: Operations.search.Input) async throws -> Operations.search.Output {
        let principal = try RequestPrincipal.require()
        let hits = try await GlobalSearch(services: services).search(input.query.q, for: principal)
        // Kinds the API contract does not name yet are left out of its answer.
        return .ok(.init(body: .json(.init(items: hits.compactMap { hit in
            Item.kindPayload(rawValue: hit.kind.rawValue).map { Item(kind: $0, id: hit.id.uuidString, title: hit.title, detail: hit.detail) }
        }))))
    }
}
