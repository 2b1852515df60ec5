import Foundation

/// One search box across the customer file: customers and contacts (leads and
/// opportunities join as they arrive), each list through its own permission check.
public struct GlobalSearch: Sendable {
    let customers: CustomerQuery
    let contacts: ContactQuery

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
            hits += try await customers.list(filter, for: actor).customers.map {
                Hit(kind: .customers, id: $0.id!, title: $0.name, detail: [$0.city, $0.phone].compactMap { $0 }.joined(separator: " · "))
            }
        }
        if actor.scope(for: .read, on: .contacts) != nil {
            var filter = ContactFilter()
            filter.search = text
            filter.limit = limit
            let found = try await contacts.list(filter, for: actor).contacts
            let names = try await customerNames(found.compactMap(\.customerID), for: actor)
            hits += found.map {
                Hit(kind: .contacts, id: $0.id!, title: $0.name,
                    detail: [$0.title, $0.customerID.flatMap { names[$0] }].compactMap { $0 }.joined(separator: " · "))
            }
        }
        return hits
    }

    /// Names of the customers the actor may see, for showing where a contact works.
    private func customerNames(_ ids: [UUID], for actor: Principal) async throws -> [UUID: String] {
        guard !ids.isEmpty, actor.scope(for: .read, on: .customers) != nil else { return [:] }
        var out: [UUID: String] = [:]
        for id in Set(ids) {
            if let customer = try? await Customer.find(id, on: customers.database.db),
               (try? await customers.permissions.requireAccess(actor, .read, on: .customers, owner: customer.ownerID, notFound: .notFound("Customer"))) != nil {
                out[id] = customer.name
            }
        }
        return out
    }
}
