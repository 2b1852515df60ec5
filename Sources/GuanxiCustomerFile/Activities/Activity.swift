import FluentKit
import Foundation
import GuanxiPlatform

/// An activity (活动): a call, meeting, visit, e-mail, fax, task or note, about one
/// customer, contact, lead or opportunity. `ownerID` is who does it; participants are
/// the other users and the customer's people taking part. `customerID` is the customer
/// it concerns (itself, a contact's or an opportunity's customer), so the customer's
/// timeline shows everything done with its people and deals.
public final class Activity: Model, @unchecked Sendable {
    public static let schema = "activities"

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: String
    @Field(key: "subject") public var subject: String
    @Field(key: "description") public var details: String
    @OptionalField(key: "starts_at") public var startsAt: Date?
    @OptionalField(key: "ends_at") public var endsAt: Date?
    @OptionalField(key: "due_at") public var dueAt: Date?
    @Field(key: "status") public var status: String
    @Field(key: "priority") public var priority: String
    @OptionalField(key: "related_kind") public var relatedKind: String?
    @OptionalField(key: "related_id") public var relatedID: UUID?
    @OptionalField(key: "customer_id") public var customerID: UUID?
    @OptionalField(key: "owner_id") public var ownerID: UUID?
    @OptionalField(key: "outcome") public var outcome: String?
    /// The activity this one follows up (a call-back scheduled from a call's outcome).
    @OptionalField(key: "follow_up_of") public var followUpOf: UUID?
    @OptionalField(key: "remind_at") public var remindAt: Date?
    @OptionalField(key: "reminder_dismissed_at") public var reminderDismissedAt: Date?
    @OptionalField(key: "completed_at") public var completedAt: Date?
    @Field(key: "version") public var version: Int
    @OptionalField(key: "created_by") public var createdBy: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    /// When it happens or is due, for ordering calendars, task lists and timelines.
    public var when: Date { startsAt ?? dueAt ?? createdAt }

    public var isOpen: Bool { status == "planned" }

    package var auditSnapshot: AuditSnapshot {
        let iso = ISO8601DateFormatter()
        return ["kind": kind, "subject": subject, "description": details.isEmpty ? nil : details, "starts_at": startsAt.map(iso.string),
                "ends_at": endsAt.map(iso.string), "due_at": dueAt.map(iso.string), "status": status, "priority": priority,
                "related": relatedKind.flatMap { kind in relatedID.map { "\(kind)/\($0.uuidString)" } }, "owner_id": ownerID?.uuidString,
                "outcome": outcome, "remind_at": remindAt.map(iso.string)]
    }
}

/// A promise made to the customer during an activity ("send the revised quote by Friday"),
/// followed until it is kept or broken.
public struct Commitment: Sendable, Equatable {
    public var id: UUID
    public var description: String
    /// YYYY-MM-DD.
    public var dueOn: String?
    public var status: String
    public init(id: UUID = UUID(), description: String, dueOn: String? = nil, status: String = "open") {
        (self.id, self.description, self.dueOn, self.status) = (id, description, dueOn, status)
    }
}

/// Someone taking part in an activity: a user or one of the customer's contacts.
public struct Participant: Sendable, Hashable {
    public enum Kind: String, Sendable { case user, contact }
    public var kind: Kind
    public var id: UUID
    public init(_ kind: Kind, _ id: UUID) { (self.kind, self.id) = (kind, id) }
}

public enum ActivityVocabulary {
    public static let kinds = ["call", "meeting", "visit", "email", "sms", "fax", "task", "note"]
    /// Kinds that occupy time in people's calendars and so are checked for overlaps.
    public static let scheduled: Set<String> = ["call", "meeting", "visit"]
    /// Kinds that need both a start and an end.
    public static let timed: Set<String> = ["meeting", "visit"]
    /// Kinds recorded after the fact: done unless said otherwise.
    public static let recorded: Set<String> = ["email", "sms", "fax", "note"]
    public static let statuses = ["planned", "done", "cancelled"]
    public static let priorities = ["low", "normal", "high"]
    public static let commitmentStatuses = ["open", "kept", "broken"]
}
