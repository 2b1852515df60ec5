import Foundation
import GuanxiPlatform

/// One search box across the kinds of record that offer it (`RecordKindDescriptor.search`),
/// each through its own permission check.
public struct GlobalSearch: Sendable {
    package let services: CustomerFileServices

    public init(services: CustomerFileServices) { self.services = services }

    public typealias Hit = SearchHit

    /// Up to `limit` hits of each kind the principal may read; kinds it may not read are skipped.
    public func search(_ term: String, for actor: Principal, limit: Int = 20) async throws -> [Hit] {
        let text = try Validate.requiredText(term, field: "q", max: 100)
        var hits: [Hit] = []
        for kind in services.records.all where actor.scope(for: .read, on: kind.kind) != nil {
            if let search = kind.search { hits += try await search(text, actor, limit) }
        }
        return hits
    }
}
