import Foundation
import GuanxiPlatform

/// A record's timeline as its page shows it, with the link to log a new activity.
package struct TimelineView {
    package let services: CustomerFileServices

    package typealias Change = AuditEntryRow.Change
    package struct CommitmentRow { package let description: String; package let dueOn: String; package let status: String; package let open: Bool }
    package struct Row {
        package let at: String; let actor: String; let title: String; let label: String
        package let isActivity: Bool; let isChange: Bool; let isStage: Bool; var isMessage = false; let href: String
        package let status: String; let outcome: String; let commitments: [CommitmentRow]; let changes: [Change]
    }
    package struct Part {
        package let rows: [Row]; let about: String; let canLog: Bool
        /// "Send a message" from a template, for kinds messages reach and readers who may send.
        package var messageHref: String?
        /// What is still to do about the record, soonest first (drawn as the task list is).
        package var open = OpenActivities(rows: [])
        /// How many activities the timeline holds (the count in the page's section index).
        package var activityCount: Int { rows.filter(\.isActivity).count }

        /// The page's section index entries for the open activities and the timeline.
        package func sections(_ t: (String) -> String) -> [RecordHeader.Section] {
            [.init(anchor: "open-activities", label: t("record_page.open_activities"), count: RecordHeader.count(open.rows.count, limit: TimelineView.openLimit)),
             .init(anchor: "timeline", label: t("kinds.activities"), count: String(activityCount))]
        }
    }

    /// The rows of the `activity-rows` partial.
    package struct OpenActivities { package let rows: [ActivityPages.Row] }

    /// How many open activities a record page lists.
    package static let openLimit = 50

    /// The timeline of a record the page has read for `principal` (its permission check).
    package func part(of kind: RecordKind, id: UUID, principal: Principal, locale: String) async throws -> Part {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: locale)
        let items = try await Timeline(services: services).items(ofRead: kind, id: id, for: principal)
        let changes = try await ReadableHistory(services: services, reader: principal, locale: locale).rows(items.compactMap(\.change), timelineOf: kind)
        var readChanges = changes.makeIterator()
        let rows = items.compactMap { item -> Row? in
            switch item.kind {
            case .activity:
                let a = item.activity!
                return Row(at: format.dateTime(item.at), actor: item.actor, title: item.title, label: t("activity_kinds.\(a.kind)"),
                           isActivity: true, isChange: false, isStage: false, href: ActivityPages.url.appending(a.id).description,
                           status: t("activity_statuses.\(a.status)"), outcome: a.outcome ?? "",
                           commitments: a.commitments.map { CommitmentRow(description: $0.description, dueOn: $0.dueOn ?? "", status: t("commitment_statuses.\($0.status)"), open: $0.status == "open") },
                           changes: [])
            case .change:
                let e = item.change!
                let read = readChanges.next()!
                // A change its kind's own timeline events already tell (a stage move) is told once.
                if !e.changes.isEmpty && read.changes.isEmpty { return nil }
                return Row(at: format.dateTime(item.at), actor: item.actor, title: services.localizer.known("audit_actions.\(e.action)", locale) ?? e.action,
                           label: t("timeline.change"), isActivity: false, isChange: true, isStage: false, href: "", status: "", outcome: "", commitments: [],
                           changes: read.changes)
            case .message:
                let m = item.message!
                // The message itself opens for readers of the outbox; everyone sees what went.
                let href = principal.scope(for: .read, on: .outbox) != nil ? OutboxPages.url.appending(m.id).description : ""
                let reason = m.status == .skipped ? (m.lastReply ?? "") : ""
                return Row(at: format.dateTime(item.at), actor: item.actor, title: item.title.isEmpty ? m.recipient : item.title,
                           label: t("timeline.message_\(m.channel.rawValue)") + " · " + (m.recipientName.map { "\($0) " } ?? "") + m.recipient,
                           isActivity: false, isChange: false, isStage: false, isMessage: true, href: href, status: t("outbox.statuses.\(m.status.rawValue)"),
                           outcome: reason, commitments: [], changes: [])
            case .stage:
                return Row(at: format.dateTime(item.at), actor: item.actor, title: item.title, label: t("timeline.stage"),
                           isActivity: false, isChange: false, isStage: true, href: "", status: "", outcome: "", commitments: [], changes: [])
            }
        }
        let about = "\(kind.rawValue):\(id.uuidString)"
        var open: [ActivityPages.Row] = []
        if principal.scope(for: .read, on: .activities) != nil {
            open = try await ActivityPages(services: services).rows(try await services.activityQuery.open(about: kind, id, for: principal, limit: Self.openLimit),
                                                                    principal: principal, locale: locale, back: about)
        }
        return Part(rows: rows, about: about, canLog: principal.scope(for: .create, on: .activities) != nil,
                    messageHref: MailMergePages.oneRecordHref(kind, id, records: services.records, principal: principal), open: OpenActivities(rows: open))
    }

    package init(services: CustomerFileServices) { self.services = services }
}
