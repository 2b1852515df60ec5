import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// The "customer value" card on a customer's page: what the latest analytics run
/// computed (segment, RFM, tier, lifetime value, probability active, next occasion) and
/// the latest purchases. Read through the same checks as the page itself.
package struct CustomerValuePart: Sendable {
    package struct Row: Sendable { package let date: String; package let amount: String; package let reference: String; package let items: String }
    package struct Part: Sendable {
        package let scored: Bool; let asOf: String; let fields: [WebField]
        package let purchases: [Row]; let hasPurchases: Bool
        /// All the customer's purchases, of which `purchases` shows the latest.
        package let purchaseCount: Int
    }

    package let services: CustomerFileServices

    package func part(of customerID: UUID, principal: Principal, locale: String) async throws -> Part {
        let t = { (key: String) in services.localizer.text(key, locale) }
        let score = try await AnalysisRunner(services: services).scores(of: customerID, for: principal)
        var fields: [WebField] = []
        if let s = score {
            let percent = { (p: Double) in String(format: "%.0f%%", p * 100) }
            fields = [
                WebField(label: t("customer_value.segment"), value: s.segment.map { t("rfm_segments.\($0)") } ?? ""),
                WebField(label: t("customer_value.rfm"), value: s.rfm.map { "R\($0.r) F\($0.f) M\($0.m)" } ?? ""),
                WebField(label: t("customer_value.recency"), value: s.recencyDays.map { t("customer_value.days_ago").replacingOccurrences(of: "{days}", with: String($0)) } ?? ""),
                WebField(label: t("customer_value.frequency"), value: String(s.frequency)),
                WebField(label: t("customer_value.monetary"), value: s.monetary.display),
                WebField(label: t("customer_value.bank_grade"), value: t("bank_grades.\(s.bankGrade)")),
                WebField(label: t("customer_value.probability_active"), value: s.probabilityActive.map(percent) ?? ""),
                WebField(label: t("customer_value.expected_purchases"), value: s.expectedPurchases.map { String(format: "%.1f", $0) } ?? ""),
                WebField(label: t("customer_value.lifetime_value"), value: s.lifetimeValue?.display ?? ""),
                WebField(label: t("customer_value.next_occasion"), value: s.nextOccasion ?? ""),
            ].filter { !$0.value.isEmpty }
        }
        let purchases = try await PurchaseService(services: services).list(customerID: customerID, for: principal, limit: 10).items
        var purchaseCount = purchases.count
        if purchaseCount == 10 { purchaseCount = try await PurchaseService(services: services).count(customerID: customerID, for: principal) }
        return Part(scored: score != nil, asOf: score?.asOf ?? "", fields: fields,
                    purchases: purchases.map { Row(date: $0.date, amount: "\($0.currency) \($0.amount.display)", reference: $0.reference ?? "",
                                                   items: services.localizer.list($0.items, locale)) },
                    hasPurchases: !purchases.isEmpty,
                    purchaseCount: purchaseCount)
    }
}

extension CustomerValuePart {
    /// The card on each customer's page, registered with the record kinds.
    package static func panel(_ services: CustomerFileServices) -> RecordPanel {
        RecordPanel(host: .customers, anchor: "value", titleKey: "customer_value.title") { customerID, context in
            let value = try await CustomerValuePart(services: services).part(of: customerID, principal: context.principal, locale: context.locale)
            return .init(html: services.renderer.fragment("customer-value-panel", page: ["value": value], context: context), count: String(value.purchaseCount))
        }
    }

    /// The latest run's segment and lifetime value as columns of the customer list.
    package static func listColumns(_ services: CustomerFileServices) -> ListColumnSource {
        ListColumnSource(host: .customers) { ids, locale in
            let t = { (key: String) in services.localizer.text(key, locale) }
            let scores = try await AnalysisRunner(services: services).scores(of: ids)
            return [
                .init(key: "segment", label: t("customer_value.segment"), values: scores.compactMapValues { $0.segment.map { t("rfm_segments.\($0)") } }),
                .init(key: "clv", label: t("customer_value.lifetime_value"), values: scores.compactMapValues { $0.lifetimeValue?.display }),
            ]
        }
    }
}
