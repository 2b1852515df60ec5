/// A kind of record that roles grant permissions on. Each kind registers what it offers
/// with the record-kind registry (`RecordKinds`), which drives the role editor, the
/// validation of role grants and every feature shared between kinds.
public struct RecordKind: Hashable, Sendable, Codable, RawRepresentable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
    public var description: String { rawValue }

    // The platform's own kinds. Each feature declares its kinds in its folder
    // (`Customers/Customer+RecordKind.swift`) and registers them (`RecordKinds`).

    public static let users = RecordKind(rawValue: "users")
    public static let departments = RecordKind(rawValue: "departments")
    public static let teams = RecordKind(rawValue: "teams")
    public static let roles = RecordKind(rawValue: "roles")
    public static let audit = RecordKind(rawValue: "audit")
    /// Organisation settings; changed by administrators, recorded in the audit log.
    public static let settings = RecordKind(rawValue: "settings")
    /// Messages waiting, sent or failed (`Outbox`); reading it shows who was written to.
    public static let outbox = RecordKind(rawValue: "outbox")
    /// Mail received (`Inbox`), before and after it is filed on records' timelines.
    public static let inbox = RecordKind(rawValue: "inbox")
    /// Message templates for e-mail, SMS and letters (`MessageTemplates`).
    public static let templates = RecordKind(rawValue: "templates")

}

/// What a user may do with a kind of record.
public enum PermissionAction: String, Sendable, Codable, CaseIterable, Comparable {
    case read, create, update, delete
    case `import`, export

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which records of a kind a grant reaches, from narrowest to widest. Ownership is the
/// record's owner (for user records, the user itself).
public enum DataScope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Records the user owns.
    case own
    /// Records of the user and of everyone who reports to them, directly or not.
    case subordinates
    /// Records owned by anyone in the user's department.
    case department
    /// Records owned by anyone in the user's department or its sub-departments.
    case departmentTree = "department_tree"
    /// Every record.
    case all

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A role's permission on one kind of record.
public struct Grant: Codable, Sendable, Equatable {
    public var actions: [PermissionAction]
    public var scope: DataScope
    public init(actions: [PermissionAction], scope: DataScope) {
        self.actions = actions.sorted()
        self.scope = scope
    }
}
