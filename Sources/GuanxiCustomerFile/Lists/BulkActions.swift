import Foundation
import GuanxiPlatform

/// One action on many records picked in a list: give them an owner, tag them, move them
/// to the shared pool, or delete them. Each record goes through the same service call
/// as a single edit — its own permission check, version bump and audit entry — so a
/// record the user may not change is reported, never silently skipped or forced.
public struct BulkActions: Sendable {
    package let services: CustomerFileServices

    public init(services: CustomerFileServices) { self.services = services }

    public typealias Action = BulkAction

    public struct Failure: Sendable, Equatable {
        public var id: UUID
        public var error: GuanxiError
        public static func == (a: Failure, b: Failure) -> Bool { a.id == b.id && a.error.message == b.error.message }
    }

    public struct Result: Sendable {
        public var succeeded: Int
        public var failed: [Failure]
    }

    /// What a kind's list offers, in the order the action menu lists them.
    package static func actions(for kind: RecordKind, in records: RecordKinds) -> [Action] {
        let offered = records[kind]?.bulkActions ?? [:]
        return Action.allCases.filter { offered[$0] != nil }
    }

    public static let most = 500

    public func run(_ action: Action, on kind: RecordKind, ids: [UUID], ownerID: UUID?, tag: String?, by actor: Principal) async throws -> Result {
        guard let apply = services.records[kind]?.bulkActions[action] else {
            let offered = Self.actions(for: kind, in: services.records)
            throw GuanxiError.invalid("action", "\(action.rawValue) is not offered for \(kind.rawValue).")
                .localized("msg.choice", ["field": "action", "choices": offered.map(\.rawValue).joined(separator: ", ")])
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
                try await apply(id, BulkAction.Arguments(ownerID: ownerID, tag: checkedTag), actor)
                result.succeeded += 1
            } catch let error as GuanxiError {
                result.failed.append(Failure(id: id, error: error))
            }
        }
        return result
    }
}
