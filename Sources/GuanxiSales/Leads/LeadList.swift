import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The lead list's filters and columns, shared by the list page and its export.
package struct LeadList: RecordList {
    package let services: SalesServices
    package var kind: RecordKind { .leads }
    package var defaultColumns: [String] { ["company", "status", "rating", "source", "owner", "created"] }
    package func title(_ record: Lead) -> String { record.name }

    /// The filters of `/leads?…`.
    package func filter(_ q: Parameters) throws -> LeadFilter {
        var filter = LeadFilter()
        filter.search = q["q"].map(String.init)
        filter.status = q["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        filter.rating = q["rating"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        filter.inPool = q["pool"] == "on"
        filter.custom = try ListTable.customFilters(q)
        (filter.quality, filter.qualityCutoff) = try ListTable.quality(q, now: services.clock.now())
        let sort = ListTable.sort(q, default: "created")
        (filter.sort, filter.customSort, filter.customSortDescending) = (LeadFilter.Sort(rawValue: sort.builtIn) ?? .created, sort.custom, sort.descending)
        return filter
    }

    package func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [Lead], next: String?) {
        var filter = try filter(query)
        (filter.cursor, filter.limit) = (cursor, limit)
        let page = try await services.leadQuery.list(filter, for: principal)
        return (page.leads, page.next)
    }

    package func columns(for records: [Lead], principal: Principal, locale: String) async throws -> [ListTable.Column<Lead>] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: locale)
        let owners = try await services.users.names(of: records.compactMap(\.ownerID))
        return [
            .init(key: "company", label: t("lead_fields.company")) { $0.company ?? "" },
            .init(key: "title", label: t("lead_fields.title")) { $0.title ?? "" },
            .init(key: "status", label: t("lead_fields.status")) { t("lead_statuses.\($0.status)") },
            .init(key: "rating", label: t("lead_fields.rating")) { $0.rating.map { t("lead_ratings.\($0)") } ?? "" },
            .init(key: "phone", label: t("lead_fields.phone")) { $0.phone ?? "" },
            .init(key: "email", label: t("lead_fields.email")) { $0.email ?? "" },
            .init(key: "region", label: t("customer_fields.region")) { [$0.province, $0.city].compactMap { $0 }.joined(separator: " ") },
            .init(key: "industry", label: t("lead_fields.industry")) { $0.industry ?? "" },
            .init(key: "source", label: t("lead_fields.source")) { $0.source ?? "" },
            .init(key: "owner", label: t("customer_fields.owner")) { $0.ownerID.flatMap { owners[$0] } ?? t("customers.pool") },
            .init(key: "created", label: t("lead_fields.created")) { format.date($0.createdAt) },
        ]
    }
}
