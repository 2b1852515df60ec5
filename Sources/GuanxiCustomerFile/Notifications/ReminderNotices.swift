import FluentKit
import Foundation
import GuanxiPlatform
import SQLKit

/// Turns activity reminders that fall due into notifications for their owners, once per
/// reminder (a reminder moved to a new time is told again). Run by the job worker on
/// every poll; only reminders due within the last day are told, so a server that was
/// down for a week, or a first start on an old file, does not flood anyone.
package struct ReminderNotices: Sendable {
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    @discardableResult
    package func run() async throws -> Int {
        let now = services.clock.now()
        let due = try await services.database.sql.raw("""
            SELECT id, subject, owner_id, remind_at FROM activities
            WHERE remind_at > \(bind: now.addingTimeInterval(-86_400)) AND remind_at <= \(bind: now) AND reminder_dismissed_at IS NULL
              AND status = 'planned' AND owner_id IS NOT NULL AND (reminder_told_for IS NULL OR reminder_told_for <> remind_at)
            LIMIT 200
            """).all()
        var told = 0
        for row in due {
            let id = try row.decode(column: "id", as: UUID.self), at = try row.decode(column: "remind_at", as: Date.self)
            let done = try await services.database.db.transaction { tx -> Bool in
                // Claimed in the transaction that tells it: two workers never tell it twice.
                let claimed = try await (tx as! any SQLDatabase).raw("""
                    UPDATE activities SET reminder_told_for = remind_at
                    WHERE id = \(bind: id) AND remind_at = \(bind: at) AND (reminder_told_for IS NULL OR reminder_told_for <> remind_at) RETURNING id
                    """).all()
                guard !claimed.isEmpty else { return false }
                try await services.notifications.add(.init(user: try row.decode(column: "owner_id", as: UUID.self), event: .reminder,
                                                           title: try row.decode(column: "subject", as: String.self),
                                                           link: services.records.url(.activities, id).description), on: tx)
                return true
            }
            if done { told += 1 }
        }
        return told
    }
}
