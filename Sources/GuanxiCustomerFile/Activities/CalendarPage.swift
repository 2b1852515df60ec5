import Foundation
import Hummingbird
import GuanxiPlatform

/// The calendar: a month, a week or a day of one's own activities, or also those of
/// one's teams' members, in the viewer's time zone.
package struct CalendarPage {
    package static let menu = MenuEntry("/calendar", titleKey: "nav.calendar", readers: .activities)

    package let services: CustomerFileServices

    package enum View: String, CaseIterable { case month, week, day }

    package struct Item { package let id: String; package let time: String; package let subject: String; package let kind: String; package let done: Bool }
    package struct Day { package let date: String; package let number: String; package let weekday: String; package let inMonth: Bool; package let today: Bool; package let items: [Item] }
    package struct Week { package let days: [Day] }
    package struct Page {
        package let title: String; let views: [WebChoice]; let whos: [WebChoice]; let view: String; let who: String; let date: String
        package let previous: String; let next: String; let today: String; let weeks: [Week]; let isMonth: Bool; let weekdays: [String]
        package let days: [Day]; let canCreate: Bool
        /// The week or day as a time grid (`CalendarGrid`), drawn.
        package let grid: String
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/calendar") { request, context in
            let principal = context.principal
            try services.permissions.require(principal, .read, on: .activities)
            let q = request.uri.queryParameters
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let view = q["view"].flatMap { View(rawValue: String($0)) } ?? .week
            let who = q["who"].flatMap { CalendarPeople.Who(rawValue: String($0)) } ?? .me
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = TimeZone(identifier: principal.timeZone) ?? TimeZone(identifier: "Asia/Shanghai")!
            let now = services.clock.now()
            let dayFormat = DateFormatter()
            (dayFormat.calendar, dayFormat.timeZone, dayFormat.locale, dayFormat.dateFormat) = (calendar, calendar.timeZone, Locale(identifier: "en_US_POSIX"), "yyyy-MM-dd")
            let anchor = try q["date"].map { text -> Date in
                guard let day = dayFormat.date(from: String(text)) else {
                    throw GuanxiError.invalid("date", "date must be written YYYY-MM-DD.").localized("msg.date", ["field": "date"])
                }
                return try Validate.storable(day, field: "date")
            } ?? calendar.startOfDay(for: now)
            let (start, end, step): (Date, Date, DateComponents) = switch view {
            case .day: (calendar.startOfDay(for: anchor), calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: anchor))!, DateComponents(day: 1))
            case .week:
                (calendar.dateInterval(of: .weekOfYear, for: anchor)!.start, calendar.dateInterval(of: .weekOfYear, for: anchor)!.end, DateComponents(day: 7))
            case .month:
                // Whole weeks around the month, Monday first.
                (calendar.dateInterval(of: .weekOfYear, for: calendar.dateInterval(of: .month, for: anchor)!.start)!.start,
                 calendar.dateInterval(of: .weekOfYear, for: calendar.dateInterval(of: .month, for: anchor)!.end.addingTimeInterval(-1))!.end,
                 DateComponents(month: 1))
            }
            let people = try await CalendarPeople(services: services).people(who, of: principal)
            let activities = try await services.activityQuery.calendar(from: start, to: end, people: people, for: principal)
            let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
            let month = calendar.component(.month, from: anchor)
            var days: [Day] = []
            var columns: [CalendarGrid.Column] = []
            var day = start
            while day < end {
                let next = calendar.date(byAdding: .day, value: 1, to: day)!
                let items = activities.filter { $0.when >= day && $0.when < next }.map {
                    Item(id: $0.id!.uuidString, time: format.time($0.when), subject: $0.subject, kind: t("activity_kinds.\($0.kind)"), done: $0.status == "done")
                }
                let weekday = calendar.component(.weekday, from: day)
                if view != .month {
                    let minutes = { (date: Date) in Int(date.timeIntervalSince(day) / 60) }
                    columns.append(CalendarGrid.Column(
                        heading: "\(t("weekdays.\(weekday)")) \(calendar.component(.month, from: day))/\(calendar.component(.day, from: day))",
                        today: calendar.isDate(day, inSameDayAs: now),
                        events: activities.filter { $0.when >= day && $0.when < next }.map { a in
                            let start = minutes(a.when)
                            let end = a.endsAt.map { min(24 * 60, max(start + 15, minutes($0))) } ?? start + 30
                            return CalendarGrid.Event(id: a.id!.uuidString, start: start, end: end,
                                                      label: "\(format.time(a.when)) \(a.subject)", done: a.status == "done")
                        }))
                }
                days.append(Day(date: dayFormat.string(from: day), number: String(calendar.component(.day, from: day)),
                                weekday: t("weekdays.\(weekday)"), inMonth: view != .month || calendar.component(.month, from: day) == month,
                                today: calendar.isDate(day, inSameDayAs: now), items: items))
                day = next
            }
            func link(_ date: Date, view v: View = view, who w: CalendarPeople.Who = who) -> String {
                "/calendar?view=\(v.rawValue)&who=\(w.rawValue)&date=\(dayFormat.string(from: date))"
            }
            let title: String = switch view {
            case .day: dayFormat.string(from: anchor)
            case .week: "\(dayFormat.string(from: start)) – \(dayFormat.string(from: end.addingTimeInterval(-1)))"
            case .month: String(dayFormat.string(from: anchor).prefix(7))
            }
            let page = Page(
                title: title, views: View.allCases.map { WebChoice(value: link(anchor, view: $0), label: t("calendar.\($0.rawValue)"), selected: $0 == view) },
                whos: CalendarPeople.Who.allCases.map { WebChoice(value: link(anchor, who: $0), label: t("calendar.who_\($0.rawValue)"), selected: $0 == who) },
                view: view.rawValue, who: who.rawValue, date: dayFormat.string(from: anchor),
                previous: link(calendar.date(byAdding: step.negated, to: anchor)!), next: link(calendar.date(byAdding: step, to: anchor)!),
                today: link(calendar.startOfDay(for: now)),
                weeks: stride(from: 0, to: days.count, by: 7).map { Week(days: Array(days[$0..<min($0 + 7, days.count)])) },
                isMonth: view == .month, weekdays: (0..<7).map { t("weekdays.\(($0 + 1) % 7 + 1)") }, days: days,
                canCreate: principal.scope(for: .create, on: .activities) != nil,
                grid: view == .month ? "" : CalendarGrid.svg(columns, title: title))
            return services.renderer.render("calendar", titleKey: "calendar.title", page: page, context: context)
        }
    }
}

extension DateComponents {
    package var negated: DateComponents {
        var out = DateComponents()
        (out.day, out.month) = (day.map { -$0 }, month.map { -$0 })
        return out
    }
}
