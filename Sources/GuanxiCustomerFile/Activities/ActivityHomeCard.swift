import Foundation
import GuanxiPlatform

extension ActivityPages {
    /// The day's work on the home page: reminders that are due, today's tasks and meetings,
    /// how many are overdue; and for someone who sees others' activities (a manager),
    /// what each of them got done in the last seven days.
    package static func homeCard(_ services: CustomerFileServices) -> HomeCard {
        HomeCard(key: "day") { context in
            let principal = context.principal
            guard principal.scope(for: .read, on: .activities) != nil else { return nil }
            let now = services.clock.now()
            let zone = TimeZone(identifier: principal.timeZone) ?? .current
            let pages = ActivityPages(services: services)
            let query = services.activityQuery
            let reminders = try await pages.rows(try await query.reminders(of: principal.userID, now: now, for: principal), principal: principal, locale: context.locale)
            let today = try await pages.rows(try await query.tasks(.today, of: principal.userID, now: now, timeZone: zone, for: principal), principal: principal, locale: context.locale, back: "home")
            let overdue = try await query.tasks(.overdue, of: principal.userID, now: now, timeZone: zone, for: principal).count
            var team: [TeamRow] = []
            var most = 1
            if let scope = principal.scope(for: .read, on: .activities), scope > .own {
                let done = try await query.doneByOwner(since: now.addingTimeInterval(-7 * 86_400), for: principal)
                let names = try await services.users.names(of: done.map(\.owner))
                most = max(1, done.map(\.count).max() ?? 1)
                team = done.map { TeamRow(name: names[$0.owner] ?? "", count: $0.count) }
            }
            let card = DayCard(reminders: reminders, hasReminders: !reminders.isEmpty, rows: today, hasRows: !today.isEmpty, overdue: overdue,
                               hasOverdue: overdue > 0, team: team, hasTeam: !team.isEmpty, most: most)
            return services.renderer.fragment("home-day", page: card, context: context)
        }
    }

    package struct TeamRow { package let name: String; package let count: Int }
    package struct DayCard {
        package let reminders: [Row]; package let hasReminders: Bool; package let rows: [Row]; package let hasRows: Bool
        package let overdue: Int; package let hasOverdue: Bool
        package let team: [TeamRow]; package let hasTeam: Bool; package let most: Int
    }
}
