import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Activities, the calendar, task lists, reminders and timelines over the REST API.
extension CustomerFileAPI {
    package func listActivities(_ input: Operations.listActivities.Input) async throws -> Operations.listActivities.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        var filter = ActivityFilter()
        filter.ownerID = try q.ownerId.map { try Self.id($0, field: "ownerId") }
        if let kind = q.relatedKind {
            guard let id = q.relatedId else { throw GuanxiError.invalid("relatedId", "relatedId goes with relatedKind.").localized("msg.required", ["field": "relatedId"]) }
            filter.about = (RecordKind(rawValue: kind.rawValue), try Self.id(id, field: "relatedId"))
        }
        filter.kind = q.kind?.rawValue
        filter.status = q.status?.rawValue
        filter.from = try q.from.map { try Validate.storable($0, field: "from") }
        filter.to = try q.to.map { try Validate.storable($0, field: "to") }
        filter.custom = try Self.customFilters(q.cf)
        filter.cursor = q.cursor
        filter.limit = try Self.limit(q.limit)
        let page = try await services.activityQuery.list(filter, for: principal)
        return .ok(.init(body: .json(.init(items: try await apiActivities(page.activities), nextCursor: page.next))))
    }

    package func createActivity(_ input: Operations.createActivity.Input) async throws -> Operations.createActivity.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let a = try await services.activities.create(try Self.activityInput(body), by: principal)
        try await ContactWays(services: services).noteCallOutcome(a, by: principal)
        return .created(.init(headers: .init(ETag: Self.etag(version: a.version)), body: .json(try await apiActivities([a])[0])))
    }

    package func getActivity(_ input: Operations.getActivity.Input) async throws -> Operations.getActivity.Output {
        let principal = try RequestPrincipal.require()
        let a = try await services.activities.find(try Self.id(input.path.activityId, field: "activityId"), for: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: a.version)), body: .json(try await apiActivities([a])[0])))
    }

    package func updateActivity(_ input: Operations.updateActivity.Input) async throws -> Operations.updateActivity.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.activityId, field: "activityId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let a = try await Self.precondition { try await services.activities.update(id, try Self.activityInput(body), expectedVersion: expected, by: principal) }
        try await ContactWays(services: services).noteCallOutcome(a, by: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: a.version)), body: .json(try await apiActivities([a])[0])))
    }

    package func deleteActivity(_ input: Operations.deleteActivity.Input) async throws -> Operations.deleteActivity.Output {
        let principal = try RequestPrincipal.require()
        let id = try Self.id(input.path.activityId, field: "activityId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        try await Self.precondition { try await services.activities.delete(id, expectedVersion: expected, by: principal) }
        return .noContent(.init())
    }

    package func dismissReminder(_ input: Operations.dismissReminder.Input) async throws -> Operations.dismissReminder.Output {
        let principal = try RequestPrincipal.require()
        try await services.activities.dismissReminder(try Self.id(input.path.activityId, field: "activityId"), by: principal)
        return .noContent(.init())
    }

    package func getCalendar(_ input: Operations.getCalendar.Input) async throws -> Operations.getCalendar.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        _ = try (Validate.storable(q.from, field: "from"), Validate.storable(q.to, field: "to"))
        guard q.to > q.from, q.to.timeIntervalSince(q.from) <= 62 * 86_400 else {
            throw GuanxiError.invalid("to", "to must be after from and at most 62 days later.").localized("msg.calendar_range", [:])
        }
        let people = try await CalendarPeople(services: services).people(q.who.flatMap { CalendarPeople.Who(rawValue: $0.rawValue) } ?? .me, of: principal)
        let items = try await services.activityQuery.calendar(from: q.from, to: q.to, people: people, for: principal)
        return .ok(.init(body: .json(.init(items: try await apiActivities(items)))))
    }

    package func getTasks(_ input: Operations.getTasks.Input) async throws -> Operations.getTasks.Output {
        let principal = try RequestPrincipal.require()
        let list = input.query.list.flatMap { ActivityQuery.TaskList(rawValue: $0.rawValue) } ?? .mine
        let items = try await services.activityQuery.tasks(list, of: principal.userID, now: services.clock.now(),
                                                           timeZone: TimeZone(identifier: principal.timeZone) ?? .current, for: principal)
        return .ok(.init(body: .json(.init(items: try await apiActivities(items)))))
    }

    package func getReminders(_ input: Operations.getReminders.Input) async throws -> Operations.getReminders.Output {
        let principal = try RequestPrincipal.require()
        let items = try await services.activityQuery.reminders(of: principal.userID, now: services.clock.now(), for: principal)
        return .ok(.init(body: .json(.init(items: try await apiActivities(items)))))
    }

    package func getTimeline(_ input: Operations.getTimeline.Input) async throws -> Operations.getTimeline.Output {
        let principal = try RequestPrincipal.require()
        let items = try await Timeline(services: services).items(of: RecordKind(rawValue: input.query.kind.rawValue),
                                                                 id: try Self.id(input.query.id, field: "id"), for: principal)
        let activities = try await apiActivities(try await activitiesByID(items.compactMap { $0.activity?.id }, for: principal))
        let byID = Dictionary(uniqueKeysWithValues: activities.map { ($0.id, $0) })
        return .ok(.init(body: .json(.init(items: items.map { item in
            .init(_type: .init(rawValue: item.kind.rawValue) ?? .change, at: item.at, actor: item.actor, title: item.title,
                  activity: item.activity.flatMap { byID[$0.id.uuidString] }, message: item.message.map { Self.apiOutboxMessage($0) },
                  changes: item.change.map { $0.changes.map { .init(field: $0.field, old: $0.old, new: $0.new) } })
        }))))
    }

    private func activitiesByID(_ ids: [UUID], for principal: Principal) async throws -> [Activity] {
        var out: [Activity] = []
        for id in ids { out.append(try await services.activities.find(id, for: principal)) }
        return out
    }

    /// Activities as the API shows them, with participants and commitments.
    package func apiActivities(_ list: [Activity]) async throws -> [Components.Schemas.Activity] {
        let commitments = try await services.activityQuery.commitments(of: list.map { $0.id! })
        let custom = try await services.customValues.values(of: .activities, ids: list.map { $0.id! })
        var out: [Components.Schemas.Activity] = []
        for a in list {
            let people = try await services.activities.participants(of: a.id!)
            out.append(.init(
                id: a.id!.uuidString, kind: .init(rawValue: a.kind) ?? .task, subject: a.subject, description: a.details, startsAt: a.startsAt, endsAt: a.endsAt,
                dueAt: a.dueAt, status: .init(rawValue: a.status) ?? .planned, priority: .init(rawValue: a.priority) ?? .normal,
                relatedKind: a.relatedKind.flatMap { .init(rawValue: $0) }, relatedId: a.relatedID?.uuidString, customerId: a.customerID?.uuidString,
                ownerId: a.ownerID?.uuidString, outcome: a.outcome, followUpOf: a.followUpOf?.uuidString, remindAt: a.remindAt, completedAt: a.completedAt,
                participants: people.map { .init(kind: .init(rawValue: $0.kind.rawValue) ?? .user, id: $0.id.uuidString) },
                commitments: (commitments[a.id!] ?? []).map { .init(id: $0.id.uuidString, description: $0.description, dueOn: $0.dueOn, status: .init(rawValue: $0.status) ?? .open) },
                version: a.version, createdAt: a.createdAt, updatedAt: a.updatedAt, customFields: Self.apiCustomValues(custom[a.id!] ?? [:])))
        }
        return out
    }

    /// Reads an ISO 8601 time with its offset; empty clears.
    package static func time(_ text: String?, field: String) throws -> Date?? {
        guard let text else { return nil }
        if text.isEmpty { return .some(nil) }
        guard let date = Validate.isoTime(text) else {
            throw GuanxiError.invalid(field, "\(field) must be a time like 2026-12-01T09:30:00+08:00.").localized("msg.time", ["field": field])
        }
        return .some(try Validate.storable(date, field: field))
    }

    package static func activityInput(_ body: Components.Schemas.ActivityWrite) throws -> ActivityInput {
        var input = ActivityInput()
        (input.kind, input.subject, input.description, input.status, input.priority, input.outcome) =
            (body.kind, body.subject, body.description, body.status, body.priority, body.outcome)
        input.startsAt = try time(body.startsAt, field: "startsAt")
        input.endsAt = try time(body.endsAt, field: "endsAt")
        input.dueAt = try time(body.dueAt, field: "dueAt")
        input.remindAt = try time(body.remindAt, field: "remindAt")
        input.callBackAt = try time(body.callBackAt, field: "callBackAt") ?? nil
        input.ownerID = try clearable(body.ownerId, field: "ownerId")
        input.allowConflicts = body.allowConflicts ?? false
        input.sendInvitations = body.sendInvitations ?? false
        input.customFields = try customInputs(body.customFields)
        switch (body.relatedKind, body.relatedId) {
        case (nil, nil): break
        case ("", _), (_, ""): input.related = .some(nil)
        case (let kind?, let id?):
            // Whether the kind has a timeline the activity service checks, naming the kinds that do.
            input.related = .some((RecordKind(rawValue: kind), try Self.id(id, field: "relatedId")))
        default:
            let missing = body.relatedKind == nil ? "relatedKind" : "relatedId"
            throw GuanxiError.invalid(missing, "relatedKind and relatedId go together.").localized("msg.required", ["field": missing])
        }
        input.participants = try body.participants?.enumerated().map { index, p in
            Participant(p.kind == .contact ? .contact : .user, try Self.id(p.id, field: "participants[\(index)].id"))
        }
        input.commitments = try body.commitments?.enumerated().map { index, c in
            Commitment(id: try c.id.map { try Self.id($0, field: "commitments[\(index)].id") } ?? UUID(), description: c.description,
                       dueOn: c.dueOn, status: c.status ?? "open")
        }
        return input
    }
}
