import Foundation
import Hummingbird
import GuanxiPlatform

/// Activities on the web: the activity page (complete it, schedule the call-back, keep
/// its commitments), the task lists with due reminders, and the calendar.
package struct ActivityPages {
    /// Where these pages are; links and redirects build on them.
    package static let tasks = SiteURL("/tasks")
    package static let url = SiteURL("/activities")

    package static let menu = MenuEntry("/tasks", titleKey: "nav.tasks", readers: .activities)

    package let services: CustomerFileServices

    /// One activity in a list: task lists, the calendar, the home page.
    package struct Row {
        package let id: String; let kind: String; let subject: String; let when: String; let time: String; let status: String; let priority: String
        package let high: Bool; let about: String; let aboutHref: String; let version: Int
        /// Still planned and past its due time (or start).
        package let overdue: Bool
        /// Where "done" returns: `tasks`, `home`, or the record page it was pressed on (`kind:id`).
        package let back: String
    }
    package struct CommitmentRow { package let description: String; package let dueOn: String; package let status: String }
    package struct DetailPage {
        package let id: String; let subject: String; let version: Int; let header: RecordHeader; let groups: [WebFieldGroup]; let description: String; let hasDescription: Bool
        package let commitments: [CommitmentRow]; let isOpen: Bool; let canEdit: Bool; let canDelete: Bool; let reminderDue: Bool
        package let history: [AuditEntryRow]; let notice: String?
    }
    package struct TasksPage { package let lists: [WebChoice]; package let rows: [Row]; package let reminders: [Row]; package let canCreate: Bool }

    package static func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Activity"))
    }

    /// "customers:UUID" → the record an activity is about. Whether the kind has a
    /// timeline, and the record exists for the reader, the activity service checks.
    package static func about(_ text: String) -> (kind: RecordKind, id: UUID)? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "_") }),
              let id = UUID(uuidString: parts[1]) else { return nil }
        return (RecordKind(rawValue: parts[0]), id)
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        // The address of the calendar download before all exports moved to `/activities/export?format=`.
        web.get("/activities/ical") { request, _ in
            WebRenderer.redirect(Self.url.appending("export").with("format", "ical").with(rawQuery: request.uri.query))
        }
        web.get("/activities/:id") { request, context in
            try await detail(try Self.id(context), context: context,
                             notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/activities/:id/complete") { request, context in
            let principal = context.principal
            let activityID = try Self.id(context)
            let form = try await request.form(context: context)
            var input = ActivityInput()
            input.status = form["status"] ?? "done"
            input.outcome = form["outcome"]
            input.callBackAt = try Validate.localTime(form["call_back_at"], field: "callBackAt", timeZone: principal.timeZone) ?? nil
            do {
                _ = try await services.activities.update(activityID, input, expectedVersion: Int(form["version"] ?? ""), by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await detail(activityID, context: context, notice: services.localizer.message(for: error, context.locale), status: error.kind == .validation ? .badRequest : .conflict)
            }
            return WebRenderer.redirect(returning(to: form["back"], from: activityID))
        }
        web.post("/activities/:id/dismiss") { request, context in
            let form = try await request.form(context: context)
            try await services.activities.dismissReminder(try Self.id(context), by: context.principal)
            return WebRenderer.redirect(form["back"] == "home" ? HomePages.url : Self.tasks)
        }
        DeletionQuestion(services: services).register(.activities, on: web)
        web.post("/activities/:id/delete") { request, context in
            let form = try await request.form(context: context)
            try await services.activities.delete(try Self.id(context), expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            return WebRenderer.redirect(Self.tasks)
        }
        web.get("/tasks") { request, context in
            let principal = context.principal
            try services.permissions.require(principal, .read, on: .activities)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let list = request.uri.queryParameters["list"].flatMap { ActivityQuery.TaskList(rawValue: String($0)) } ?? .mine
            let now = services.clock.now()
            let tasks = try await services.activityQuery.tasks(list, of: principal.userID, now: now, timeZone: TimeZone(identifier: principal.timeZone) ?? .current, for: principal)
            let reminders = try await services.activityQuery.reminders(of: principal.userID, now: now, for: principal)
            let page = TasksPage(
                lists: ActivityQuery.TaskList.allCases.map { WebChoice(value: $0.rawValue, label: t("tasks.\($0.rawValue)"), selected: $0 == list) },
                rows: try await rows(tasks, principal: principal, locale: context.locale), reminders: try await rows(reminders, principal: principal, locale: context.locale),
                canCreate: principal.scope(for: .create, on: .activities) != nil)
            return services.renderer.render("tasks", titleKey: "tasks.title", page: page, context: context)
        }
        ActivityForm(services: services).register(on: web)
        CalendarPage(services: services).register(on: web)
    }

    /// Where a "done" button returns: the task list, or the record page it stood on
    /// (`kind:id`, a kind with a timeline only — never an address taken from the form).
    func returning(to back: String?, from activityID: UUID) -> SiteURL {
        if back == "tasks" { return Self.tasks }
        if back == "home" { return HomePages.url }
        if let back, let (kind, id) = Self.about(back), services.records[kind]?.timeline == true {
            return services.records.url(kind, id).notice("saved")
        }
        return Self.url.appending(activityID).notice("saved")
    }

    /// How a record an activity is about is named on a page: "客户 · 北京星辰科技".
    package func label(of kind: RecordKind, _ id: UUID, principal: Principal, locale: String) async throws -> String {
        guard let descriptor = services.records[kind], descriptor.timeline,
              let name = try? await services.records.find(kind, id, for: principal).name else { return "" }
        return "\(services.localizer.text(descriptor.nameKey, locale)) · \(name)"
    }

    package func rows(_ activities: [Activity], principal: Principal, locale: String, back: String = "tasks") async throws -> [Row] {
        let now = services.clock.now()
        let t = { (key: String) in services.localizer.text(key, locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: locale)
        var labels: [UUID: String] = [:]
        for a in activities {
            if let kind = a.relatedKind.map(RecordKind.init(rawValue:)), let id = a.relatedID, labels[id] == nil {
                labels[id] = try await label(of: kind, id, principal: principal, locale: locale)
            }
        }
        return activities.map { a in
            Row(id: a.id!.uuidString, kind: t("activity_kinds.\(a.kind)"), subject: a.subject, when: format.dateTime(a.when), time: format.time(a.when),
                status: t("activity_statuses.\(a.status)"), priority: t("priorities.\(a.priority)"), high: a.priority == "high",
                about: a.relatedID.flatMap { labels[$0] } ?? "", aboutHref: a.relatedKind.flatMap { k in a.relatedID.map { "/\(k)/\($0.uuidString)" } } ?? "",
                version: a.version, overdue: a.isOpen && (a.dueAt ?? a.startsAt).map { $0 < now } == true, back: back)
        }
    }

    package func detail(_ id: UUID, context: SignedInContext, notice: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let a = try await services.activities.find(id, for: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let people = try await services.activities.participants(of: id)
        let users = try await services.users.names(of: people.filter { $0.kind == .user }.map(\.id) + [a.ownerID].compactMap { $0 })
        var names = people.filter { $0.kind == .user }.compactMap { users[$0.id] }
        for p in people where p.kind == .contact { if let c = try? await services.contacts.find(p.id, for: principal) { names.append(c.name) } }
        var about = ""
        var aboutHref: String?
        if let kind = a.relatedKind, let relatedID = a.relatedID {
            about = try await label(of: RecordKind(rawValue: kind), relatedID, principal: principal, locale: context.locale)
            if !about.isEmpty { aboutHref = services.records.url(RecordKind(rawValue: kind), relatedID).description }
        }
        let fields = [
            WebField(label: t("activity_fields.kind"), value: t("activity_kinds.\(a.kind)")),
            WebField(label: t("activity_fields.status"), value: t("activity_statuses.\(a.status)")),
            WebField(label: t("activity_fields.priority"), value: t("priorities.\(a.priority)")),
            WebField(label: t("activity_fields.about"), value: about, href: aboutHref),
            WebField(label: t("activity_fields.starts_at"), value: a.startsAt.map(format.dateTime) ?? ""),
            WebField(label: t("activity_fields.ends_at"), value: a.endsAt.map(format.dateTime) ?? ""),
            WebField(label: t("activity_fields.due_at"), value: a.dueAt.map(format.dateTime) ?? ""),
            WebField(label: t("customer_fields.owner"), value: a.ownerID.flatMap { users[$0] } ?? ""),
            WebField(label: t("activity_fields.participants"), value: names.joined(separator: "、")),
            WebField(label: t("activity_fields.outcome"), value: a.outcome ?? ""),
            WebField(label: t("activity_fields.remind_at"), value: a.remindAt.map(format.dateTime) ?? ""),
            WebField(label: t("activity_fields.completed_at"), value: a.completedAt.map(format.dateTime) ?? ""),
        ]
        let commitments = try await services.activities.commitments(of: id).map {
            CommitmentRow(description: $0.description, dueOn: $0.dueOn ?? "", status: t("commitment_statuses.\($0.status)"))
        }
        let may = { (action: PermissionAction) async -> Bool in
            (try? await services.permissions.requireAccess(principal, action, on: .activities, owner: a.ownerID, notFound: .notFound("Activity"))) != nil
        }
        let history = try await services.auditQuery.history(kind: .activities, id: id.uuidString, limit: 100)
        let custom = try await CustomFieldForm(services: services).display(.activities, values: try await services.customValues.values(of: .activities, id: id), locale: context.locale)
        // Activities have no list of their own: a task is found among the tasks, a meeting in the calendar.
        var crumbs = a.kind == "task" ? [RecordHeader.Crumb(label: t("nav.tasks"), href: "/tasks")] : [RecordHeader.Crumb(label: t("nav.calendar"), href: "/calendar")]
        if let aboutHref { crumbs.append(.init(label: about, href: aboutHref)) }
        let header = RecordHeader(crumbs: crumbs, title: a.subject, badges: [fields[0].value, fields[1].value],
                                  facts: [fields[3], fields[4], fields[6], fields[7], fields[2]], sections: [])
        let page = DetailPage(
            id: id.uuidString, subject: a.subject, version: a.version, header: header,
            groups: [WebFieldGroup.shown("", fields + custom)].compactMap { $0 }, description: a.details,
            hasDescription: !a.details.isEmpty, commitments: commitments, isOpen: a.isOpen, canEdit: await may(.update), canDelete: await may(.delete),
            reminderDue: a.remindAt.map { $0 <= services.clock.now() } == true && a.reminderDismissedAt == nil && a.isOpen,
            history: try await ReadableHistory(services: services, reader: principal, locale: context.locale).rows(history), notice: notice)
        return services.renderer.render("activity", titleKey: "activities.title", page: page, context: context, status: status)
    }

    package init(services: CustomerFileServices) { self.services = services }
}
