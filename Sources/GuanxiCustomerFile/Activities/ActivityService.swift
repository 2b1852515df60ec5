import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// What a client may send to create or change an activity: `nil` keeps a field; for
/// the optional times and links, `.some(nil)` clears it.
public struct ActivityInput: Sendable {
    public var kind: String?
    public var subject: String?
    public var description: String?
    public var startsAt: Date??
    public var endsAt: Date??
    public var dueAt: Date??
    public var status: String?
    public var priority: String?
    public var outcome: String?
    /// The customer, contact, lead or opportunity it is about.
    public var related: (kind: RecordKind, id: UUID)??
    public var ownerID: UUID??
    public var participants: [Participant]?
    /// Replaces the list; an entry with the id of an existing commitment keeps it.
    public var commitments: [Commitment]?
    public var remindAt: Date??
    /// Schedules a follow-up call at this time, in the same save.
    public var callBackAt: Date?
    /// Saves even when the time overlaps another planned activity of a participant.
    public var allowConflicts = false
    /// E-mail the customer's people taking part an invitation (an iCalendar REQUEST).
    public var sendInvitations = false
    /// Custom field values by key; a key left out keeps its value.
    public var customFields: [String: CustomInput]?
    public init() {}
}

/// Creating, changing and deleting activities: validation, the permission check on the
/// activity and on what it is about, the schedule check, and the audit entry.
public struct ActivityService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let writer: RecordWriter
    package let contacts: ContactService
    /// Finds the record an activity is about, whatever its kind.
    package let records: RecordKinds
    package let clock: any Clock
    package let custom: CustomValues

    /// Longest span of one activity; longer ones are almost always a mistyped date.
    package static let longest: TimeInterval = 31 * 86_400

    public func create(_ input: ActivityInput, by actor: Principal) async throws -> Activity {
        let new = try await prepare(input, by: actor)
        try await writer.create { tx in try await insert(new, by: actor, on: tx) }
        if input.sendInvitations { try await invite(new.activity, participants: new.participants, by: actor) }
        return new.activity
    }

    /// A new activity that passed every check, ready to be saved.
    package struct NewActivity: Sendable {
        package let activity: Activity
        package let participants: [Participant]
        package let commitments: [Commitment]
        package let custom: CustomValues.Checked
        package let snapshot: AuditSnapshot
        package let callBack: Activity?
        /// Colleagues to tell (added to a meeting, named in the text).
        package let notices: [Notifications.Note]
    }

    /// The permission check and validation of a new activity (and its schedule, unless
    /// conflicts are allowed); writes nothing.
    package func prepare(_ input: ActivityInput, by actor: Principal) async throws -> NewActivity {
        try permissions.require(actor, .create, on: .activities)
        guard let kind = input.kind else { throw GuanxiError.invalid("kind", "kind is required.").localized("msg.required", ["field": "kind"]) }
        guard input.subject != nil else { throw GuanxiError.invalid("subject", "subject is required.").localized("msg.required", ["field": "subject"]) }
        let a = Activity()
        a.id = RecordID.new()
        a.kind = try CustomerValidate.choice(kind, field: "kind", from: ActivityVocabulary.kinds) ?? "task"
        a.details = ""
        a.priority = "normal"
        a.status = ActivityVocabulary.recorded.contains(a.kind) ? "done" : "planned"
        a.ownerID = actor.channel == .console ? nil : actor.userID
        a.createdAt = clock.now()
        a.updatedAt = a.createdAt
        a.version = 1
        a.createdBy = actor.channel == .console ? nil : actor.userID
        if ActivityVocabulary.recorded.contains(a.kind), input.startsAt == nil { a.startsAt = a.createdAt }
        let participants = try await checkedParticipants(input.participants ?? [], by: actor)
        try await apply(input, to: a, by: actor)
        if a.status == "done" {
            a.completedAt = a.createdAt
            // Something logged as done without a time (a call just made) happened now.
            if a.startsAt == nil && a.dueAt == nil { a.startsAt = a.createdAt }
        }
        let commitments = try checkedCommitments(input.commitments ?? [], current: [])
        if !input.allowConflicts { try await checkSchedule(a, participants: participants, by: actor) }
        let callBack = try callBack(after: a, at: input.callBackAt, participants: participants)
        let values = try await custom.checked(.activities, sent: input.customFields, current: [:], isNew: true)
        let snapshot = Self.snapshot(a, participants, commitments, custom: values.values)
        let notices = try await notices(for: a, participants: participants, before: [], oldText: "", by: actor)
        return NewActivity(activity: a, participants: participants, commitments: commitments, custom: values, snapshot: snapshot, callBack: callBack,
                           notices: notices)
    }

    /// Saves a prepared activity, its audit entry and its call-back inside the caller's transaction.
    package func insert(_ new: NewActivity, by actor: Principal, on tx: any Database) async throws {
        let a = new.activity
        try await writer.insert(id: a.id!, custom: new.custom, entry: writer.createdEntry(id: a.id!, label: a.subject, snapshot: new.snapshot, by: actor), on: tx) { tx in
            try await a.insert(on: tx)
            try await Self.save(new.participants, new.commitments, of: a, on: tx)
        }
        if let callBack = new.callBack { try await insertCallBack(callBack, participants: new.participants, by: actor, on: tx) }
        try await touchRelated(a, on: tx)
        for note in new.notices { try await writer.notifications.add(note, on: tx) }
    }

    /// `alsoIn` runs inside the change's transaction (an import records its progress there).
    public func update(_ id: UUID, _ input: ActivityInput, expectedVersion: Int?, by actor: Principal,
                       alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Activity {
        let a = try await find(id, for: actor, action: .update)
        try writer.requireVersion(expectedVersion, current: a.version)
        let oldParticipants = try await participants(of: id)
        let oldCommitments = try await commitments(of: id)
        let oldCustom = try await custom.values(of: .activities, id: id)
        let before = Self.snapshot(a, oldParticipants, oldCommitments, custom: oldCustom)
        if let kind = input.kind { a.kind = try CustomerValidate.choice(kind, field: "kind", from: ActivityVocabulary.kinds) ?? a.kind }
        let wasOpen = a.isOpen
        let oldText = Self.text(of: a)
        var newParticipants = oldParticipants
        if let sent = input.participants { newParticipants = try await checkedParticipants(sent, by: actor) }
        try await apply(input, to: a, by: actor)
        if wasOpen && a.status == "done" { a.completedAt = clock.now() }
        if a.status == "planned" { a.completedAt = nil }
        var newCommitments = oldCommitments
        if let sent = input.commitments { newCommitments = try checkedCommitments(sent, current: oldCommitments) }
        let values = try await custom.checked(.activities, sent: input.customFields, current: oldCustom, isNew: false)
        let after = Self.snapshot(a, newParticipants, newCommitments, custom: values.values)
        let timeMoved = before["starts_at"] != after["starts_at"] || before["ends_at"] != after["ends_at"] || input.participants != nil
        if timeMoved && !input.allowConflicts { try await checkSchedule(a, participants: newParticipants, by: actor) }
        let callBack = try callBack(after: a, at: input.callBackAt, participants: newParticipants)
        let change = RecordWriter.Change(id: id, label: a.subject, version: a.version, before: before, after: after, custom: values, always: callBack != nil)
        let (people, promises) = (newParticipants, newCommitments)
        let notes = try await notices(for: a, participants: newParticipants, before: oldParticipants, oldText: oldText, by: actor)
        try await writer.update(change, expectedVersion: expectedVersion, by: actor, save: { tx, stamp in
            (a.version, a.updatedAt) = (stamp.version, stamp.at)
            try await a.update(on: tx)
            try await Self.save(people, promises, of: a, on: tx)
            if let callBack { try await insertCallBack(callBack, participants: people, by: actor, on: tx) }
            try await touchRelated(a, on: tx)
            for note in notes { try await writer.notifications.add(note, on: tx) }
            return nil
        }, alsoIn: alsoIn)
        if input.sendInvitations { try await invite(a, participants: newParticipants, by: actor) }
        return a
    }

    public func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let a = try await find(id, for: actor, action: .delete)
        let snapshot = Self.snapshot(a, try await participants(of: id), try await commitments(of: id), custom: try await custom.values(of: .activities, id: id))
        try await writer.delete(id, label: a.subject, version: a.version, expectedVersion: expectedVersion, snapshot: snapshot, by: actor) { tx in
            try await a.delete(on: tx)
        }
    }

    /// Stops showing the activity's reminder.
    public func dismissReminder(_ id: UUID, by actor: Principal) async throws {
        let a = try await find(id, for: actor, action: .update)
        guard a.remindAt != nil, a.reminderDismissedAt == nil else { return }
        a.reminderDismissedAt = clock.now()
        try await database.db.transaction { tx in
            try await a.update(on: tx)
            try await writer.audit.record(on: tx, actor: actor, action: .update, kind: .activities, id: id.uuidString, label: a.subject,
                                   changes: [FieldChange(field: "reminder_dismissed", old: nil, new: ISO8601DateFormatter().string(from: a.reminderDismissedAt!))])
        }
    }

    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Activity {
        guard let a = try await Activity.find(id, on: database.db) else { throw GuanxiError.notFound("Activity") }
        try await permissions.requireAccess(actor, action, on: .activities, owner: a.ownerID, notFound: .notFound("Activity"))
        return a
    }

    public func participants(of id: UUID) async throws -> [Participant] {
        try await database.sql.select().columns("participant_kind", "participant_id").from("activity_participants").where("activity_id", .equal, id)
            .all().compactMap { row in
                Participant.Kind(rawValue: try row.decode(column: "participant_kind", as: String.self))
                    .map { Participant($0, try! row.decode(column: "participant_id", as: UUID.self)) }
            }
    }

    public func commitments(of id: UUID) async throws -> [Commitment] {
        try await database.sql.select().columns("id", "description", "due_on", "status").from("commitments").where("activity_id", .equal, id)
            .orderBy("position").all().map { row in
                Commitment(id: try row.decode(column: "id", as: UUID.self), description: try row.decode(column: "description", as: String.self),
                           dueOn: try row.decode(column: "due_on", as: String?.self), status: try row.decode(column: "status", as: String.self))
            }
    }

    // MARK: - Checks

    private func apply(_ input: ActivityInput, to a: Activity, by actor: Principal) async throws {
        if let v = input.subject { a.subject = try Validate.requiredText(v, field: "subject", max: 200) }
        if let v = input.description { a.details = try Validate.text(v, field: "description", required: false, max: 5000) ?? "" }
        if let v = input.startsAt { a.startsAt = v }
        if let v = input.endsAt { a.endsAt = v }
        if let v = input.dueAt { a.dueAt = v }
        if let v = input.status { a.status = try CustomerValidate.choice(v, field: "status", from: ActivityVocabulary.statuses) ?? a.status }
        if let v = input.priority { a.priority = try CustomerValidate.choice(v, field: "priority", from: ActivityVocabulary.priorities) ?? a.priority }
        if let v = input.outcome { a.outcome = try Validate.text(v, field: "outcome", required: false, max: 2000) }
        if let v = input.remindAt { (a.remindAt, a.reminderDismissedAt) = (v, nil) }
        if let owner = input.ownerID {
            if let id = owner, try await User.find(id, on: database.db)?.isActive != true {
                throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
            }
            a.ownerID = owner
        }
        if let related = input.related {
            if let (kind, id) = related {
                a.customerID = try await customerOf(kind, id, by: actor)
                (a.relatedKind, a.relatedID) = (kind.rawValue, id)
            } else {
                (a.relatedKind, a.relatedID, a.customerID) = (nil, nil, nil)
            }
        }
        if ActivityVocabulary.timed.contains(a.kind), a.startsAt == nil || a.endsAt == nil {
            let field = a.startsAt == nil ? "startsAt" : "endsAt"
            throw GuanxiError.invalid(field, "A \(a.kind) needs a start and an end.").localized("msg.needs_times", ["field": field])
        }
        if let end = a.endsAt {
            guard let start = a.startsAt else {
                throw GuanxiError.invalid("startsAt", "An activity with an end needs a start.").localized("msg.needs_times", ["field": "startsAt"])
            }
            guard end > start else { throw GuanxiError.invalid("endsAt", "endsAt must be after startsAt.").localized("msg.end_before_start", [:]) }
            guard end.timeIntervalSince(start) <= Self.longest else {
                throw GuanxiError.invalid("endsAt", "An activity lasts at most 31 days.").localized("msg.too_long_span", [:])
            }
        }
    }

    /// The customer an activity about `kind`/`id` concerns; the record must be visible.
    private func customerOf(_ kind: RecordKind, _ id: UUID, by actor: Principal) async throws -> UUID? {
        guard records[kind]?.timeline == true else {
            let choices = records.kinds(where: \.timeline).map(\.rawValue).joined(separator: ", ")
            throw GuanxiError.invalid("relatedKind", "relatedKind must be one of \(choices).").localized("msg.choice", ["field": "relatedKind", "choices": choices])
        }
        do {
            return try await records.find(kind, id, for: actor).customerID
        } catch let error as GuanxiError where error.kind == .notFound {}
        throw GuanxiError.invalid("relatedId", "relatedId names a record that does not exist or that you may not see.")
            .localized("msg.unknown_reference", ["field": "relatedId"])
    }

    private func checkedParticipants(_ sent: [Participant], by actor: Principal) async throws -> [Participant] {
        let unique = Array(Set(sent))
        guard unique.count <= 50 else {
            throw GuanxiError.invalid("participants", "An activity has at most 50 participants.").localized("msg.too_many", ["field": "participants", "max": "50"])
        }
        for p in unique {
            switch p.kind {
            case .user:
                guard try await User.find(p.id, on: database.db)?.isActive == true else { throw unknownParticipant }
            case .contact:
                guard (try? await contacts.find(p.id, for: actor)) != nil else { throw unknownParticipant }
            }
        }
        return unique.sorted { ($0.kind.rawValue, $0.id.uuidString) < ($1.kind.rawValue, $1.id.uuidString) }
    }

    private var unknownParticipant: GuanxiError {
        GuanxiError.invalid("participants", "participants names a user or contact that does not exist or that you may not see.")
            .localized("msg.unknown_reference", ["field": "participants"])
    }

    private func checkedCommitments(_ sent: [Commitment], current: [Commitment]) throws -> [Commitment] {
        guard sent.count <= 20 else {
            throw GuanxiError.invalid("commitments", "An activity records at most 20 commitments.").localized("msg.too_many", ["field": "commitments", "max": "20"])
        }
        return try sent.enumerated().map { index, c in
            let at = "commitments[\(index)]"
            // The same commitment keeps its id: sent with it, or (from a form) with the same words.
            let kept = current.first { $0.id == c.id } ?? current.first { $0.description == c.description.trimmed }
            return Commitment(id: kept?.id ?? UUID(),
                              description: try Validate.requiredText(c.description, field: "\(at).description", max: 500),
                              dueOn: try CustomerValidate.date(c.dueOn, field: "\(at).dueOn"),
                              status: try CustomerValidate.choice(c.status, field: "\(at).status", from: ActivityVocabulary.commitmentStatuses) ?? "open")
        }
    }

    /// Refuses a planned call, meeting or visit whose time overlaps another planned one of
    /// any of its people — the owner, the users and the contacts taking part — unless the
    /// client says to go ahead. Activities the actor may not read show only as busy.
    private func checkSchedule(_ a: Activity, participants: [Participant], by actor: Principal) async throws {
        guard ActivityVocabulary.scheduled.contains(a.kind), a.isOpen, let start = a.startsAt, let end = a.endsAt else { return }
        let people = Set(participants.map(\.id) + [a.ownerID].compactMap { $0 })
        guard !people.isEmpty else { return }
        let rows = try await database.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("activities"))).from("activities")
            .where("status", .equal, "planned").where("starts_at", .lessThan, end).where("ends_at", .greaterThan, start)
            .where("id", .notEqual, a.id!)
            .where(SQLGroupExpression(SQLBinaryExpression(
                SQLBinaryExpression(SQLIdentifier("owner_id"), .in, SQLGroupExpression(people.map { SQLBind($0) as any SQLExpression })), .or,
                SQLQueryString("id IN (SELECT activity_id FROM activity_participants WHERE participant_id IN (\(SQLList(people.map { SQLBind($0) as any SQLExpression }))))"))))
            .orderBy("starts_at").limit(10).all()
        let clashes = try rows.map { try $0.decode(fluentModel: Activity.self) }
        guard !clashes.isEmpty else { return }
        let iso = ISO8601DateFormatter()
        var details: [[String: String]] = []
        for other in clashes {
            let visible = (try? await permissions.requireAccess(actor, .read, on: .activities, owner: other.ownerID, notFound: .notFound("Activity"))) != nil
            details.append(["id": visible ? other.id!.uuidString : "", "subject": visible ? other.subject : "",
                            "startsAt": other.startsAt.map(iso.string) ?? "", "endsAt": other.endsAt.map(iso.string) ?? ""])
        }
        var error = GuanxiError(.conflict, "The time overlaps \(clashes.count) other planned activit\(clashes.count == 1 ? "y" : "ies") of the people taking part. Send allowConflicts to save anyway.",
                                code: "schedule_conflict").localized("msg.schedule_conflict", ["count": String(clashes.count)])
        error.details = details
        throw error
    }

    // MARK: - Saving

    private func callBack(after a: Activity, at time: Date?, participants: [Participant]) throws -> Activity? {
        guard let time else { return nil }
        guard time > clock.now() else {
            throw GuanxiError.invalid("callBackAt", "callBackAt must be in the future.").localized("msg.future_only", ["field": "callBackAt"])
        }
        let c = Activity()
        c.id = UUID()
        (c.kind, c.subject, c.details, c.status, c.priority) = ("call", "↩ " + a.subject, "", "planned", a.priority)
        (c.startsAt, c.remindAt) = (time, time.addingTimeInterval(-15 * 60))
        (c.relatedKind, c.relatedID, c.customerID, c.ownerID, c.followUpOf) = (a.relatedKind, a.relatedID, a.customerID, a.ownerID, a.id)
        (c.version, c.createdAt, c.updatedAt) = (1, clock.now(), clock.now())
        return c
    }

    private func insertCallBack(_ c: Activity, participants: [Participant], by actor: Principal, on tx: any Database) async throws {
        c.createdBy = actor.channel == .console ? nil : actor.userID
        try await writer.insert(id: c.id!, custom: nil, entry: writer.createdEntry(id: c.id!, label: c.subject, snapshot: Self.snapshot(c, participants, []), by: actor),
                                on: tx) { tx in
            try await c.insert(on: tx)
            try await Self.save(participants, [], of: c, on: tx)
        }
    }

    /// Working with a customer, or a record of another kind kept in the shared pool
    /// (leads), counts as activity on it: the pool's "untouched for N days" clock starts again.
    private func touchRelated(_ a: Activity, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        if let customer = a.customerID { try await sql.update("customers").set("updated_at", to: a.updatedAt).where("id", .equal, customer).run() }
        if let kind = a.relatedKind, let related = records[RecordKind(rawValue: kind)], related.inSharedPool, let id = a.relatedID, id != a.customerID {
            try await sql.update(related.table).set("updated_at", to: a.updatedAt).where("id", .equal, id).run()
        }
    }

    package static func save(_ participants: [Participant], _ commitments: [Commitment], of a: Activity, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        try await sql.delete(from: "activity_participants").where("activity_id", .equal, a.id!).run()
        for p in participants {
            try await sql.insert(into: "activity_participants").columns("activity_id", "participant_kind", "participant_id")
                .values(SQLBind(a.id!), SQLBind(p.kind.rawValue), SQLBind(p.id)).run()
        }
        try await sql.delete(from: "commitments").where("activity_id", .equal, a.id!).run()
        for (position, c) in commitments.enumerated() {
            try await sql.insert(into: "commitments").columns("id", "activity_id", "customer_id", "position", "description", "due_on", "status")
                .values(SQLBind(c.id), SQLBind(a.id!), SQLBind(a.customerID), SQLBind(position), SQLBind(c.description), SQLBind(c.dueOn), SQLBind(c.status)).run()
        }
    }

    /// What the audit trail keeps of an activity: its fields, participants, commitments and custom values.
    package static func snapshot(_ a: Activity, _ participants: [Participant], _ commitments: [Commitment], custom: [String: CustomValue]) -> AuditSnapshot {
        RecordWriter.snapshot(snapshot(a, participants, commitments), custom: custom)
    }

    package static func snapshot(_ a: Activity, _ participants: [Participant], _ commitments: [Commitment]) -> AuditSnapshot {
        var out = a.auditSnapshot
        out["participants"] = participants.isEmpty ? nil : participants.map { "\($0.kind.rawValue)/\($0.id.uuidString)" }.joined(separator: ", ")
        out["commitments"] = commitments.isEmpty ? nil : commitments.map { "\($0.description)\($0.dueOn.map { " (\($0))" } ?? "") [\($0.status)]" }.joined(separator: "; ")
        return out
    }
}
