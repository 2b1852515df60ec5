import FluentKit
import FluentSQL
import Foundation
import SQLKit
import GuanxiPlatform

/// Filters of an activity list.
public struct ActivityFilter: Sendable {
    public var ownerID: UUID?
    /// Activities about this record (for a customer: also about its contacts and deals).
    public var about: (kind: RecordKind, id: UUID)?
    public var kind: String?
    public var status: String?
    /// Starts (or, without a start, is due) from / before.
    public var from: Date?
    public var to: Date?
    /// Filters on custom fields, all of which must hold.
    public var custom: [CustomFilter] = []
    public var cursor: String?
    public var limit = 50
    public init() {}
}

/// Reads activities through the permission check: lists, the calendar, task lists,
/// reminders and what a record's timeline shows.
public struct ActivityQuery: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let custom: CustomValues
    /// Says which column of an activity names a record of each kind.
    package let records: RecordKinds

    /// The time an activity is placed at: its start, else its due time, else its creation.
    package static let when = SQLRaw("COALESCE(starts_at, due_at, created_at)")

    public func list(_ filter: ActivityFilter, for actor: Principal) async throws -> (activities: [Activity], next: String?) {
        let limit = max(1, min(filter.limit, 500))
        var query = try await base(for: actor)
        if let owner = filter.ownerID { query = query.where("owner_id", .equal, owner) }
        if let about = filter.about {
            query = query.where(SQLIdentifier(records[about.kind]?.activityColumn ?? "related_id"), .equal, about.id)
        }
        if let kind = filter.kind { query = query.where("kind", .equal, kind) }
        if let status = filter.status { query = query.where("status", .equal, status) }
        if let from = filter.from { query = query.where(Self.when, .greaterThanOrEqual, SQLBind(from)) }
        if let to = filter.to { query = query.where(Self.when, .lessThan, SQLBind(to)) }
        query = try await custom.constrain(query, table: "activities", kind: .activities, filters: filter.custom)
        let page = try await Keyset.time("created_at").page(query, as: Activity.self, cursor: filter.cursor, limit: limit) { a, _ in .time(a.createdAt) }
        return (page.items, page.next)
    }

    /// What `people` have on between `from` and `to` — as owner or as participant —
    /// in time order.
    public func calendar(from: Date, to: Date, people: [UUID], for actor: Principal) async throws -> [Activity] {
        guard !people.isEmpty else { return [] }
        let who = SQLList(people.map { SQLBind($0) as any SQLExpression })
        return try await base(for: actor)
            .where(Self.when, .greaterThanOrEqual, SQLBind(from)).where(Self.when, .lessThan, SQLBind(to))
            .where(SQLQueryString("(owner_id IN (\(who)) OR id IN (SELECT activity_id FROM activity_participants WHERE participant_id IN (\(who))))"))
            .where("status", .notEqual, "cancelled")
            .orderBy(Self.when).limit(2000).all().map { try $0.decode(fluentModel: Activity.self) }
    }

    public enum TaskList: String, Sendable, CaseIterable { case mine, today, overdue }

    /// The user's open activities: all of them, today's, or those past their time.
    public func tasks(_ list: TaskList, of userID: UUID, now: Date, timeZone: TimeZone, for actor: Principal) async throws -> [Activity] {
        var query = try await base(for: actor).where("owner_id", .equal, userID).where("status", .equal, "planned")
        let due = SQLRaw("COALESCE(due_at, starts_at)")
        switch list {
        case .mine: break
        case .today:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let start = calendar.startOfDay(for: now)
            query = query.where(due, .greaterThanOrEqual, SQLBind(start)).where(due, .lessThan, SQLBind(start.addingTimeInterval(86_400)))
        case .overdue:
            query = query.where(due, .lessThan, SQLBind(now))
        }
        return try await query.orderBy(Self.when).limit(500).all().map { try $0.decode(fluentModel: Activity.self) }
    }

    /// What is still to do about a record (for a customer: also about its contacts and
    /// deals), soonest first — the record page's "open activities"; at most `limit`.
    public func open(about kind: RecordKind, _ id: UUID, for actor: Principal, limit: Int) async throws -> [Activity] {
        try await base(for: actor).where(SQLIdentifier(records[kind]?.activityColumn ?? "related_id"), .equal, id).where("status", .equal, "planned")
            .orderBy(SQLRaw("COALESCE(due_at, starts_at, created_at)")).orderBy("id").limit(limit)
            .all().map { try $0.decode(fluentModel: Activity.self) }
    }

    /// Reminders that are due for the user and not dismissed.
    public func reminders(of userID: UUID, now: Date, for actor: Principal) async throws -> [Activity] {
        try await base(for: actor).where("owner_id", .equal, userID).where("status", .equal, "planned")
            .where("remind_at", .lessThanOrEqual, now).where("reminder_dismissed_at", .is, SQLLiteral.null)
            .orderBy("remind_at").limit(100).all().map { try $0.decode(fluentModel: Activity.self) }
    }

    /// Commitments made in the given activities, by activity.
    public func commitments(of ids: [UUID]) async throws -> [UUID: [Commitment]] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: [Commitment]] = [:]
        for row in try await database.sql.select().columns("id", "activity_id", "description", "due_on", "status").from("commitments")
            .where("activity_id", .in, ids).orderBy("position").all() {
            out[try row.decode(column: "activity_id", as: UUID.self), default: []].append(Commitment(
                id: try row.decode(column: "id", as: UUID.self), description: try row.decode(column: "description", as: String.self),
                dueOn: try row.decode(column: "due_on", as: String?.self), status: try row.decode(column: "status", as: String.self)))
        }
        return out
    }

    /// Activities done since `since`, by owner, among those the reader may see: what a
    /// manager's team did this week.
    public func doneByOwner(since: Date, for actor: Principal) async throws -> [(owner: UUID, count: Int)] {
        let owners = try await permissions.ownerFilter(actor, .read, on: .activities)
        var query = database.sql.select().column("owner_id").column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("activities").where("status", .equal, "done").where("completed_at", .greaterThanOrEqual, SQLBind(since))
            .where("owner_id", .isNot, SQLLiteral.null)
        if let reachable = owners.condition() { query = query.where(reachable) }
        return try await query.groupBy("owner_id").orderBy("n", .descending).limit(50).all()
            .map { (try $0.decode(column: "owner_id", as: UUID.self), try $0.decode(column: "n", as: Int.self)) }
    }

    private func base(for actor: Principal) async throws -> SQLSelectBuilder {
        let owners = try await permissions.ownerFilter(actor, .read, on: .activities)
        var query = database.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("activities"))).from("activities")
        if let reachable = owners.condition() { query = query.where(reachable) }
        return query
    }
}
