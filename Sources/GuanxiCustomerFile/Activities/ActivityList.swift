import Foundation
import Hummingbird
import GuanxiPlatform

/// The activity list's filters and columns, for exports (`/activities/export`, `guanxi
/// export activities`): the calendar and task pages show activities their own way.
package struct ActivityList: RecordList {
    package let titleLabelKey = "activity_fields.subject"
    package let services: CustomerFileServices
    package var kind: RecordKind { .activities }
    package var defaultColumns: [String] { ["kind", "status", "customer", "starts_at", "due_at", "owner", "outcome"] }
    package func title(_ record: Activity) -> String { record.subject }

    /// `kind`, `status`, `owner` (a user id), `customer` (a customer id), and `from`/`to`
    /// (YYYY-MM-DD, the activity's start or due day, `to` inclusive).
    package func filter(_ q: Parameters, timeZone: String) throws -> ActivityFilter {
        var filter = ActivityFilter()
        filter.kind = q["kind"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        filter.status = q["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        filter.ownerID = try Validate.uuid(q["owner"].map(String.init), field: "owner")
        if let customer = try Validate.uuid(q["customer"].map(String.init), field: "customer") { filter.about = (.customers, customer) }
        filter.from = try Validate.localDay(q["from"].map(String.init), field: "from", timeZone: timeZone)
        filter.to = try Validate.localDay(q["to"].map(String.init), field: "to", timeZone: timeZone).map { $0.addingTimeInterval(86_400) }
        filter.custom = try ListTable.customFilters(q)
        return filter
    }

    package func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [Activity], next: String?) {
        var filter = try filter(query, timeZone: principal.timeZone)
        (filter.cursor, filter.limit) = (cursor, limit)
        let page = try await services.activityQuery.list(filter, for: principal)
        return (page.activities, page.next)
    }

    package func columns(for records: [Activity], principal: Principal, locale: String) async throws -> [ListTable.Column<Activity>] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: locale)
        let customers = try await services.customerQuery.names(of: records.compactMap(\.customerID), for: principal)
        let owners = try await services.users.names(of: records.compactMap(\.ownerID))
        let time = { (date: Date?) in date.map(format.dateTime) ?? "" }
        return [
            .init(key: "kind", label: t("activity_fields.kind")) { t("activity_kinds.\($0.kind)") },
            .init(key: "status", label: t("activity_fields.status")) { t("activity_statuses.\($0.status)") },
            .init(key: "priority", label: t("activity_fields.priority")) { t("priorities.\($0.priority)") },
            .init(key: "customer", label: t("kinds.customers")) { $0.customerID.flatMap { customers[$0] } ?? "" },
            .init(key: "starts_at", label: t("activity_fields.starts_at")) { time($0.startsAt) },
            .init(key: "ends_at", label: t("activity_fields.ends_at")) { time($0.endsAt) },
            .init(key: "due_at", label: t("activity_fields.due_at")) { time($0.dueAt) },
            .init(key: "owner", label: t("customer_fields.owner")) { $0.ownerID.flatMap { owners[$0] } ?? "" },
            .init(key: "outcome", label: t("activity_fields.outcome")) { $0.outcome ?? "" },
            .init(key: "description", label: t("activity_fields.description")) { $0.details },
        ]
    }
}
