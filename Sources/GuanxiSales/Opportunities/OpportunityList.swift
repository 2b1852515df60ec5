import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// The deal list's filters and columns, shared by the list page and its export.
package struct OpportunityList: RecordList {
    package let services: SalesServices
    package var kind: RecordKind { .opportunities }
    package var defaultColumns: [String] { ["customer", "stage", "amount", "probability", "close", "owner"] }
    package func title(_ record: Opportunity) -> String { record.name }

    /// The filters of `/opportunities?…`.
    package func filter(_ q: Parameters) throws -> OpportunityFilter {
        var filter = OpportunityFilter()
        filter.search = q["q"].map(String.init)
        filter.pipelineID = try Validate.uuid(q["pipeline"].map(String.init), field: "pipelineId")
        filter.status = q["status"].flatMap { OpportunityFilter.Status(rawValue: String($0)) }
        // The home page's pipeline links to one owner's deals in one stage.
        filter.stageID = try Validate.uuid(q["stage"].map(String.init), field: "stageId")
        filter.ownerID = try Validate.uuid(q["owner"].map(String.init), field: "ownerId")
        // A customer page's deal list links to all the customer's deals.
        filter.customerID = try Validate.uuid(q["customer"].map(String.init), field: "customerId")
        filter.custom = try ListTable.customFilters(q)
        let sort = ListTable.sort(q, default: "updated")
        (filter.sort, filter.customSort, filter.customSortDescending) = (OpportunityFilter.Sort(rawValue: sort.builtIn) ?? .updated, sort.custom, sort.descending)
        return filter
    }

    package func page(_ query: Parameters, cursor: String?, limit: Int, for principal: Principal) async throws -> (records: [Opportunity], next: String?) {
        var filter = try filter(query)
        (filter.cursor, filter.limit) = (cursor, limit)
        let page = try await services.opportunityQuery.list(filter, for: principal)
        return (page.opportunities, page.next)
    }

    package func columns(for records: [Opportunity], principal: Principal, locale: String) async throws -> [ListTable.Column<Opportunity>] {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let customers = try await services.customerQuery.names(of: records.map(\.customerID), for: principal)
        let owners = try await services.users.names(of: records.compactMap(\.ownerID))
        let stages = try await OpportunityPages(services: services).stageNames()
        return [
            ListTable.Column<Opportunity>(key: "customer", label: t("kinds.customers")) { customers[$0.customerID] ?? "" }
                .linking { customers[$0.customerID] == nil ? nil : CustomerPages.url.appending($0.customerID).description },
            .init(key: "stage", label: t("opportunity_fields.stage")) { stages[$0.stageID]?.name ?? "" },
            .init(key: "amount", label: t("opportunity_fields.amount")) { "\($0.amount.display) \($0.currency)" },
            .init(key: "probability", label: t("opportunity_fields.probability")) { "\($0.probability) %" },
            .init(key: "weighted", label: t("opportunity_fields.weighted")) { $0.amount.weighted(byPercent: $0.probability).display },
            .init(key: "close", label: t("opportunity_fields.expected_close")) { $0.expectedClose ?? "" },
            .init(key: "owner", label: t("customer_fields.owner")) { $0.ownerID.flatMap { owners[$0] } ?? "" },
            .init(key: "source", label: t("opportunity_fields.source")) { $0.source ?? "" },
            .init(key: "loss_reason", label: t("opportunity_fields.loss_reason")) { $0.lossReason ?? "" },
        ]
    }
}
