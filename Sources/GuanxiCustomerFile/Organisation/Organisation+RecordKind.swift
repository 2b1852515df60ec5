import Foundation
import GuanxiPlatform

extension RecordKindDescriptor {
    /// Users: their roles and language read by name in their history. Owner pickers find
    /// them among the people the reader may pick — their teammates at least
    /// (`UserService.pickable(matching:)`); they are not in the global search.
    package static func users(_ services: CustomerFileServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .users)
        d.historyFields = ["roles": .name(table: "roles", column: "name"), "locale": .label("language")]
        d.pick = { term, actor, limit in
            try await services.users.pickable(matching: term, for: actor, limit: limit).map {
                SearchHit(kind: .users, id: $0.id!, title: $0.displayName, detail: $0.username)
            }
        }
        return d
    }

    /// Departments: the department above read by name.
    package static var departments: RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .departments)
        d.historyFields = ["parent_id": .name(table: "departments", column: "name")]
        return d
    }

    /// Teams: their members read by name.
    package static var teams: RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .teams)
        d.historyFields = ["members": .name(table: "users", column: "display_name")]
        return d
    }
}
