import Foundation

/// Finds a customer, contact, lead or opportunity by kind and id through its own
/// service — and so through the permission check — for features that attach to any of
/// them: timelines, activities, attachments.
struct RecordDirectory: Sendable {
    let services: AppServices

    static let kinds: [RecordKind] = [.customers, .contacts, .leads, .opportunities]

    struct Found: Sendable { let kind: RecordKind; let id: UUID; let name: String; let customerID: UUID? }

    /// The record if the actor may do `action` on it; 404 otherwise (also for other kinds).
    func find(_ kind: RecordKind, _ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Found {
        switch kind {
        case .customers:
            let c = try await services.customers.find(id, for: actor, action: action)
            return Found(kind: kind, id: id, name: c.name, customerID: id)
        case .contacts:
            let c = try await services.contacts.find(id, for: actor, action: action)
            return Found(kind: kind, id: id, name: c.name, customerID: c.customerID)
        case .leads:
            let l = try await services.leads.find(id, for: actor, action: action)
            return Found(kind: kind, id: id, name: l.name, customerID: nil)
        case .opportunities:
            let o = try await services.opportunities.find(id, for: actor, action: action)
            return Found(kind: kind, id: id, name: o.name, customerID: o.customerID)
        default:
            throw GuanxiError.notFound("Record")
        }
    }
}
