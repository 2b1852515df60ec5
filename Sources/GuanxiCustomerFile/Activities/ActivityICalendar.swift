import Foundation
import Hummingbird
import GuanxiPlatform

/// Activities as iCalendar: meetings, calls and visits with a time as events, tasks with a
/// due time as to-dos — for a downloaded `.ics` file and for a user's calendar feed.
package enum ActivityICalendar {
    /// One VEVENT or VTODO; nil for an activity with neither a start nor a due time.
    package static func component(_ a: Activity, customer: String?, kindLabel: String, zone: TimeZone?) -> String? {
        var lines: [String]
        if let start = a.startsAt {
            lines = ["BEGIN:VEVENT", ICalendar.time("DTSTART", start, zone: zone), ICalendar.time("DTEND", a.endsAt ?? start.addingTimeInterval(1800), zone: zone),
                     "STATUS:\(a.status == "cancelled" ? "CANCELLED" : "CONFIRMED")"]
        } else if let due = a.dueAt {
            lines = ["BEGIN:VTODO", ICalendar.time("DUE", due, zone: zone),
                     "STATUS:\(["done": "COMPLETED", "cancelled": "CANCELLED"][a.status] ?? "NEEDS-ACTION")"]
            if let completed = a.completedAt { lines.append("COMPLETED:\(ICalendar.utc(completed))") }
        } else {
            return nil
        }
        lines += ["UID:\(a.id!.uuidString.lowercased())@guanxi", "DTSTAMP:\(ICalendar.utc(a.updatedAt))", "CREATED:\(ICalendar.utc(a.createdAt))",
                  "LAST-MODIFIED:\(ICalendar.utc(a.updatedAt))", "SUMMARY:\(VCard.escape(a.subject))", "CATEGORIES:\(VCard.escape(kindLabel))",
                  "PRIORITY:\(["high": 1, "normal": 5, "low": 9][a.priority] ?? 5)"]
        let description = [customer, a.details.isEmpty ? nil : a.details, a.outcome].compactMap { $0 }.joined(separator: "\n")
        if !description.isEmpty { lines.append("DESCRIPTION:\(VCard.escape(description))") }
        if let remind = a.remindAt, remind < (a.startsAt ?? a.dueAt ?? remind) {
            let minutes = Int(((a.startsAt ?? a.dueAt)!.timeIntervalSince(remind)) / 60)
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:\(VCard.escape(a.subject))", "TRIGGER:-PT\(minutes)M", "END:VALARM"]
        }
        lines.append(a.startsAt != nil ? "END:VEVENT" : "END:VTODO")
        return lines.map(VCard.line).joined()
    }

    /// A whole calendar of `activities`, times in the viewer's zone when it has a fixed offset.
    package static func calendar(_ activities: [Activity], name: String, timeZone: String, customers: [UUID: String], kindLabel: (String) -> String, now: Date) -> String {
        let zone = ICalendar.fixedZone(timeZone, around: now)
        let parts = activities.compactMap { component($0, customer: $0.customerID.flatMap { customers[$0] }, kindLabel: kindLabel($0.kind), zone: zone) }
        return ICalendar.calendar(name: name, zone: zone, components: parts)
    }
}

/// Downloads of activity lists as `.ics` files: the permission check, the audit entry,
/// then the calendar a page of activities at a time.
package struct ActivityCalendarExport: Sendable {
    package let services: CustomerFileServices

    package func start(query: Parameters, by actor: Principal) async throws {
        _ = try services.permissions.require(actor, .export, on: .activities)
        _ = try ActivityList(services: services).filter(query, timeZone: actor.timeZone)
        let filters = ListTable.savedQuery(query)
        try await services.database.db.transaction { tx in
            try await services.audit.record(on: tx, actor: actor, action: .export, kind: .activities, id: "export", label: "activities",
                                            changes: [FieldChange(field: "filters", old: nil, new: filters.isEmpty ? nil : filters),
                                                      FieldChange(field: "format", old: nil, new: "iCalendar")])
        }
    }

    package func write(query: Parameters, by actor: Principal, locale: String, to out: (String) async throws -> Void) async throws -> Int {
        try await out(header(for: actor))
        var cursor: String?, count = 0
        repeat {
            let page = try await chunk(query: query, after: cursor, by: actor, locale: locale)
            if !page.text.isEmpty { try await out(page.text) }
            (count, cursor) = (count + page.rows, page.next)
        } while cursor != nil
        try await out(Self.footer)
        return count
    }

    package func header(for actor: Principal) -> String {
        let zone = ICalendar.fixedZone(actor.timeZone, around: services.clock.now())
        return ICalendar.calendar(name: "Guanxi", zone: zone, components: []).replacingOccurrences(of: Self.footer, with: "")
    }

    package static let footer = VCard.line("END:VCALENDAR")

    /// One page of events and to-dos, and the cursor of the next page (nil after the last).
    package func chunk(query: Parameters, after cursor: String?, by actor: Principal, locale: String) async throws -> (text: String, rows: Int, next: String?) {
        let exportable = try await services.permissions.ownerFilter(actor, .export, on: .activities)
        let zone = ICalendar.fixedZone(actor.timeZone, around: services.clock.now())
        let page = try await ActivityList(services: services).page(query, cursor: cursor, limit: ActivityList.exportPageSize, for: actor)
        let activities = page.records.filter { exportable.allows($0.ownerID) }
        let customers = try await services.customerQuery.names(of: activities.compactMap(\.customerID), for: actor)
        let parts = activities.compactMap {
            ActivityICalendar.component($0, customer: $0.customerID.flatMap { customers[$0] }, kindLabel: services.localizer.text("activity_kinds.\($0.kind)", locale), zone: zone)
        }
        return (parts.joined(), parts.count, page.next)
    }
}
