import Foundation
import GuanxiPlatform

extension RecordKindDescriptor {
    /// Users: their roles and language read by name in their history.
    package static var users: RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .users)
        d.historyFields = ["roles": .name(table: "roles", column: "name"), "locale": .label("language")]
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
