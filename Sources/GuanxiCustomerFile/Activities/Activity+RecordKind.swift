import Foundation
import GuanxiPlatform

extension RecordKind {
    /// Activities (活动): calls, visits, meetings, tasks.
    public static let activities = RecordKind(rawValue: "activities")
}

extension RecordKindDescriptor {
    /// Activities (活动): calls, meetings, visits and tasks, about a record of another kind.
    package static func activities(_ services: CustomerFileServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .activities)
        d.historyFields = ["kind": .label("activity_kinds"), "status": .label("activity_statuses"), "priority": .label("priorities"),
                           "related": .kindAndRecord, "participants": .kindAndRecord,
                           "starts_at": .moment, "ends_at": .moment, "due_at": .moment, "remind_at": .moment]
        d.hangsOn = [RecordDependent(host: .customers, kind: .activities, table: "activities", column: "customer_id", fate: .detached)]
        d.labelColumn = "subject"
        d.find = { id, actor, action in
            let a = try await services.activities.find(id, for: actor, action: action)
            return FoundRecord(kind: .activities, id: id, name: a.subject, customerID: a.customerID)
        }
        d.list = ActivityList(services: services)
        d.fileFormats["ical"] = RecordFileFormat(fileExtension: "ics") { query, actor, locale in
            let calendar = ActivityCalendarExport(services: services)
            try await calendar.start(query: query, by: actor)
            return RecordFileFormat.Pages(head: calendar.header(for: actor), page: { after in
                try await calendar.chunk(query: query, after: after, by: actor, locale: locale)
            }, tail: ActivityCalendarExport.footer)
        }
        d.importTarget = { _ in ActivityImportTarget(services: services) }
        d.customFields = true
        // Received mail keeps its attachments on the e-mail activity it becomes.
        d.attachments = true
        // Done and cancelled activities stay with whoever did them.
        (d.handOver, d.handOverOnly) = (true, "status = 'planned'")
        return d
    }
}

extension Activity: ListedRecord { package var recordID: UUID { id! }; package var recordOwnerID: UUID? { ownerID } }
