import Foundation
import Hummingbird
import GuanxiPlatform

/// The customer list's filters and columns, shared by the list page and its export.
package struct CustomerList: RecordList {
    package let services: CustomerFileServices
    package var kind: RecordKind { .customers }
    package var defaultColumns: [String] { ["kind", "region", "phone", "grade", "stage", "owner"] }
    package func title(_ record: Customer.Values) -> String { record.name }

    /// The filters of `/customers?…`.
    package func filter(_ q: Parameters) throws -> CustomerFilter {
        var filter = CustomerFilter()
        filter.search = q["q"].map(String.init)
        filter.lifecycleStage = q["stage"].map(String.init)
        filter.valueTier = q["tier"].map(String.init)
        filter.segment = q["segment"].map(String.init)
        filter.relationship = q["relationship"].map(String.init)
        filter.grade = q["grade"].map(String.init)
        filter.tag = q["tag"].map(String.init)
        filter.inPool = q["pool"] == "on"
        // The home page's "my customers at risk" links to one owner's customers.
        filter.ownerID = try Validate.uuid(q["owner"].map(String.init), field: "ownerId")
        filter.custom = try ListTable.customFilters(q)
        (filter.quality, filter.qualityCutoff) = try ListTable.quality(q, now: services.clock.now())
        let sort = ListTable.sort(q, default: "name")
        (filter.sort, filter.customSort, filter.customSortDescending) = (CustomerFilter.Sort(rawValue: sort.builtIn) ?? .name, sort.custom, sort.descending)
        return filter
    }

    package func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [Customer.Values], next: String?) {
        var filter = try filter(query)
        (filter.cursor, filter.limit) = (cursor, limit)
        let page = try await services.customerQuery.list(filter, for: principal)
        return (page.customers, page.next)
    }

    /// Ids alone, in one query (a mail merge to the whole list).
    package func ids(_ query: Parameters, limit: Int, for principal: Principal) async throws -> [UUID] {
        if let ids = try await services.customerQuery.ids(try filter(query), limit: limit, for: principal) { return ids }
        return try await pagedIDs(query, limit: limit, for: principal)
    }

    package func columns(for records: [Customer.Values], principal: Principal, locale: String) async throws -> [ListTable.Column<Customer.Values>] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: locale)
        let ownerNames = try await services.users.names(of: records.compactMap(\.ownerID))
        return [
            .init(key: "kind", label: t("customer_fields.kind")) { t("customer_kinds.\($0.kind)") },
            .init(key: "relationship", label: t("customer_fields.relationship")) { t("relationships.\($0.relationship)") },
            .init(key: "region", label: t("customer_fields.region")) { [$0.province, $0.city].compactMap { $0 }.joined(separator: " ") },
            .init(key: "phone", label: t("customer_fields.phone")) { $0.phone ?? "" },
            .init(key: "email", label: t("customer_fields.email")) { $0.email ?? "" },
            .init(key: "industry", label: t("customer_fields.industry")) { $0.industry ?? "" },
            .init(key: "grade", label: t("customer_fields.grade")) { $0.grade ?? "" },
            .init(key: "tier", label: t("customer_fields.value_tier")) { $0.valueTier.map { t("value_tiers.\($0)") } ?? "" },
            .init(key: "stage", label: t("customer_fields.lifecycle_stage")) { $0.lifecycleStage.map { t("lifecycle.\($0)") } ?? "" },
            .init(key: "source", label: t("customer_fields.source")) { $0.source ?? "" },
            .init(key: "external_id", label: t("customer_fields.external_id")) { $0.externalID ?? "" },
            .init(key: "owner", label: t("customer_fields.owner")) { $0.ownerID.flatMap { ownerNames[$0] } ?? t("customers.pool") },
            .init(key: "updated", label: t("lists.sort_updated")) { format.dateTime($0.updatedAt) },
        ]
    }
}
