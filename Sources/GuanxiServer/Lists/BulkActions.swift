import Foundation

/// One action on many records picked in a list: give them an owner, tag them, move them
/// to the shared pool, or delete them. Each record goes through the same service call
/// as a single edit — its own permission check, version bump and audit entry — so a
/// record the user may not change is reported, never silently skipped or forced.
public struct BulkActions: Sendable {
    let services: AppServices

    public init(services: AppServices) { self.services = services }

    public enum Action: String, Sendable, CaseIterable { case assign, tag, pool, delete }

    public struct Failure: Sendable, Equatable {
        public var id: UUID
        public var error: GuanxiError
        public static func == (a: Failure, b: Failure) -> Bool { a.id == b.id && a.error.message == b.error.message }
    }

    public struct Result: Sendable {
        public var succeeded: Int
        public var failed: [Failure]
    }

    /// What each list offers.
    public static func actions(for kind: RecordKind) -> [Action] {
        switch kind {
        case .customers: [.assign, .tag, .pool, .delete]
        case .leads: [.assign, .pool, .delete]
        case .opportunities, .contacts: [.assign, .delete]
        default: []
        }
    }

    public static let most = 500

    public func run(_ action: Action, on kind: RecordKind, ids: [UUID], ownerID: UUID?, tag: String?, by actor: Principal) async throws -> Result {
        guard Self.actions(for: kind).contains(action) else {
            throw GuanxiError.invalid("action", "\(action.rawValue) is not offered for \(kind.rawValue).")
                .localized("msg.choice", ["field": "action", "choices": Self.actions(for: kind).map(\.rawValue).joined(separator: ", ")])
        }
        let unique = Array(NSOrderedSet(array: ids).array as! [UUID])
        guard (1...Self.most).contains(unique.count) else {
            throw GuanxiError.invalid("ids", "Pick 1 to \(Self.most) records.").localized("msg.bulk_count", ["max": String(Self.most)])
        }
        var checkedTag: String?
        if action == .tag {
            checkedTag = try Validate.requiredText(tag, field: "tag", max: 30)
        }
        if action == .assign {
            guard let ownerID, try await User.find(ownerID, on: services.database.db)?.isActive == true else {
                throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
            }
        }
        var result = Result(succeeded: 0, failed: [])
        for id in unique {
            do {
                try await apply(action, to: id, kind: kind, ownerID: ownerID, tag: checkedTag, by: actor)
                result.succeeded += 1
            } catch let error as GuanxiError {
                result.failed.append(Failure(id: id, error: error))
            }
        }
        return result
    }

    private func apply(_ action: Action, to id: UUID, kind: RecordKind, ownerID: UUID?, tag: String?, by actor: Principal) async throws {
        switch (kind, action) {
        case (.customers, .assign):
            var input = CustomerInput()
            input.ownerID = .some(ownerID)
            _ = try await services.customers.update(id, input, expectedVersion: nil, by: actor)
        case (.customers, .tag):
            var input = CustomerInput()
            input.tags = try await services.customers.tags(of: try await services.customers.find(id, for: actor, action: .update).id!) + [tag!]
            _ = try await services.customers.update(id, input, expectedVersion: nil, by: actor)
        case (.customers, .pool): _ = try await services.customerPool.release(id, by: actor)
        case (.customers, .delete): try await services.customers.delete(id, expectedVersion: nil, by: actor)
        case (.leads, .assign):
            var input = LeadInput()
            input.assignment = .owner(ownerID)
            _ = try await services.leads.update(id, input, expectedVersion: nil, by: actor)
        case (.leads, .pool): _ = try await services.leadPool.release(id, by: actor)
        case (.leads, .delete): try await services.leads.delete(id, expectedVersion: nil, by: actor)
        case (.opportunities, .assign):
            var input = OpportunityInput()
            input.ownerID = .some(ownerID)
            _ = try await services.opportunities.update(id, input, expectedVersion: nil, by: actor)
        case (.opportunities, .delete): try await services.opportunities.delete(id, expectedVersion: nil, by: actor)
        case (.contacts, .assign):
            var input = ContactInput()
            input.ownerID = .some(ownerID)
            _ = try await services.contacts.update(id, input, expectedVersion: nil, by: actor)
        case (.contacts, .delete): try await services.contacts.delete(id, expectedVersion: nil, by: actor)
        default: throw GuanxiError.invalid("action", "\(action.rawValue) is not offered for \(kind.rawValue).")
        }
    }
}
