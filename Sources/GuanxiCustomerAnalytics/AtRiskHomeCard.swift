import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

extension CustomerValuePart {
    /// The reader's own customers the analytics put at risk (挽留期), on the home page:
    /// the first eight and a link to all of them.
    package static func atRiskHomeCard(_ services: CustomerFileServices) -> HomeCard {
        HomeCard(key: "at_risk") { context in
            let principal = context.principal
            guard principal.scope(for: .read, on: .customers) != nil else { return nil }
            var filter = CustomerFilter()
            (filter.ownerID, filter.lifecycleStage, filter.limit) = (principal.userID, "at_risk", 8)
            let page = try await services.customerQuery.list(filter, for: principal)
            let rows = page.customers.map { AtRiskRow(id: $0.id!.uuidString, name: $0.name, detail: [$0.city, $0.phone].compactMap { $0 }.joined(separator: " · ")) }
            let all = SiteURL("/customers").with("stage", "at_risk").with("owner", principal.userID.uuidString).description
            return services.renderer.fragment("home-at-risk", page: AtRiskCard(rows: rows, hasRows: !rows.isEmpty, more: page.next != nil, all: all), context: context)
        }
    }

    package struct AtRiskRow { package let id: String; let name: String; let detail: String }
    package struct AtRiskCard { package let rows: [AtRiskRow]; let hasRows: Bool; let more: Bool; let all: String }
}
