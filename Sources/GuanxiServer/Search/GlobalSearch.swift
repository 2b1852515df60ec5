import Foundation

/// One search box across the customer file: customers, contacts, leads and
/// opportunities, each list through its own permission check.
public struct GlobalSearch: Sendable {
    let services: AppServices

    public init(services: AppServices) { self.services = services }

    public struct Hit: Sendable, Equatable {
        public var kind: RecordKind
        public var id: UUID
        public var title: String
        public var detail: String
    }

    /// Up to `limit` hits of each kind the principal may read; kinds it may not read are skipped.
    public func search(_ term: String, for actor: Principal, limit: Int = 20) async throws -> [Hit] {
        let text = try Validate.requiredText(term, field: "q", max: 100)
        var hits: [Hit] = []
        if actor.scope(for: .read, on: .customers) != nil {
            var filter = CustomerFilter()
            filter.search = text
            filter.limit = limit
            hits += try await services.customerQuery.list(filter, for: actor).customers.map {
                Hit(kind: .customers, id: $0.id!, title: $0.name, detail: [$0.city, $0.phone].compactMap { $0 }.joined(separator: " · "))
            }
        }
        if actor.scope(for: .read, on: .contacts) != nil {
            var filter = ContactFilter()
            filter.search = text
            filter.limit = limit
            let found = try await services.contactQuery.list(filter, for: actor).contacts
            let names = try await customerNames(found.compactMap(\.customerID), for: actor)
            hits += found.map {
                Hit(kind: .contacts, id: $0.id!, title: $0.name,
                    detail: [$0.title, $0.customerID.flatMap { names[$0] }].compactMap { $0 }.joined(separator: " · "))
            }
        }
        if actor.scope(for: .read, on: .leads) != nil {
            var filter = LeadFilter()
            filter.search = text
            filter.limit = limit
            // By name, like every kind here: a short term is matched on names by scanning the
            // name index, which stops as soon as a page is full.
            filter.sort = .name
            hits += try await services.leadQuery.list(filter, for: actor).leads.map {
                Hit(kind: .leads, id: $0.id!, title: $0.name, detail: [$0.company, $0.phone].compactMap { $0 }.joined(separator: " · "))
            }
        }
        if actor.scope(for: .read, on: .opportunities) != nil {
            var filter = OpportunityFilter()
            filter.search = text
            filter.limit = limit
            filter.sort = .name
            let found = try await services.opportunityQuery.list(filter, for: actor).opportunities
            let names = try await customerNames(found.map(\.customerID), for: actor)
            hits += found.map {
                Hit(kind: .opportunities, id: $0.id!, title: $0.name,
                    detail: [names[$0.customerID], "\($0.amount.display) \($0.currency)"].compactMap { $0 }.joined(separator: " · "))
            }
        }
        return hits
    }

    /// Names of the customers the actor may see, for showing where a record belongs.
    private func customerNames(_ ids: [UUID], for actor: Principal) async throws -> [UUID: String] {
        guard !ids.isEmpty, actor.scope(for: .read, on: .customers) != nil else { return [:] }
        var out: [UUID: String] = [:]
        for id in Set(ids) {
            if let customer = try? await services.customers.find(id, for: actor) { out[id] = customer.name }
        }
        return out
    }
}
