import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The sales side of the demo: two pipelines, competitors, opportunities spread over the
/// last two years with their stage histories, and leads in every status.
extension DemoData {
    /// Stages of the demo's pipelines, in order, with what a deal needs to know of them.
    struct DemoPipeline { let id: UUID; let stages: [PipelineStage] }

    /// The organisation's first pipeline and a renewals pipeline added for the demo.
    func demoPipelines(by console: Principal) async throws -> [DemoPipeline] {
        if try await services.sales.pipelines.list().isEmpty { try await FirstRun(services: services).createDefaultPipeline() }
        let renewals = try await services.sales.pipelines.create(name: "续约业务 Renewals", stages: [
            StageInput(name: "续约沟通", probability: 40), StageInput(name: "续约报价", probability: 70),
            StageInput(name: "已续约", probability: 100, outcome: "won"), StageInput(name: "流失", probability: 0, outcome: "lost"),
        ], by: console)
        _ = renewals
        return try await services.sales.pipelines.list().map { DemoPipeline(id: $0.pipeline.id!, stages: $0.stages) }
    }

    func demoCompetitors(by console: Principal) async throws -> [UUID] {
        var ids: [UUID] = []
        for c in DemoNames.competitors {
            var input = CompetitorInput()
            (input.name, input.strengths, input.weaknesses) = (c.name, c.strengths, c.weaknesses)
            ids.append(try await services.sales.competitors.create(input, by: console).id!)
        }
        return ids
    }

    static let opportunityColumns = ["id", "name", "customer_id", "contact_id", "pipeline_id", "stage_id", "amount_minor", "currency", "expected_close",
                                     "probability", "owner_id", "source", "loss_reason", "notes", "closed_at", "stage_entered_at", "search_text",
                                     "version", "created_at", "updated_at"]
    static let stageHistoryColumns = ["id", "opportunity_id", "stage_id", "stage_name", "entered_at", "left_at", "moved_by"]

    struct MadeDeal { let id: UUID; let row: [any SQLExpression]; let history: [[any SQLExpression]]; let competitors: [[any SQLExpression]] }

    /// One deal at `customer`: created in the last two years, closing 1–6 months later;
    /// deals whose close date has passed are mostly closed (won or lost), the rest sit in
    /// an open stage. Its history walks the stages in order up to where it is now.
    func makeOpportunity(at customer: MadeCustomer, contact: UUID?, pipelines: [DemoPipeline], competitors: [UUID],
                         random: inout SeededRandom, now: Date) -> MadeDeal {
        let pipeline = random.chance(75) ? pipelines[0] : pipelines[pipelines.count - 1]
        let open = pipeline.stages.filter { !$0.isClosed }
        let created = now.addingTimeInterval(-Double(random.next() % (700 * 86_400)))
        let close = created.addingTimeInterval(Double(30 + random.next() % 150) * 86_400)
        var path = Array(open.prefix(1 + Int(random.next() % UInt64(open.count))))
        var lossReason: String?
        if close < now && random.chance(85) {
            let won = random.chance(45)
            path.append(pipeline.stages.first { $0.outcome == (won ? "won" : "lost") }!)
            if !won { lossReason = random.pick(DemoNames.lossReasons) }
        }
        let end = min(now, close)
        let step = end.timeIntervalSince(created) / Double(path.count + 1)
        let id = UUID()
        var history: [[any SQLExpression]] = []
        var entered = created
        for (index, stage) in path.enumerated() {
            let left: Date? = index == path.count - 1 ? nil : entered.addingTimeInterval(step * (0.5 + Double(random.next() % 100) / 100))
            history.append([SQLBind(UUID()), SQLBind(id), SQLBind(stage.id!), SQLBind(stage.name), SQLBind(entered), Self.bind(left), SQLBind("demo")])
            if let left { entered = left }
        }
        let stage = path.last!
        let amount = Int64(5 + random.next() % 300) * 1_000_00
        let name = "\(customer.name.prefix(8)) · \(random.pick(DemoNames.products))"
        let closeDay = ISO8601DateFormatter.string(from: close, timeZone: TimeZone(identifier: "Asia/Shanghai")!, formatOptions: [.withFullDate])
        let values: [(any Encodable & Sendable)?] = [
            id, name, customer.id, contact, pipeline.id, stage.id!, amount, "CNY", closeDay, stage.probability, customer.ownerID,
            random.pick(DemoNames.sources), lossReason, "", stage.isClosed ? entered : nil, entered, SQLSearch.text([name]), 1, created, entered,
        ]
        let rivals = random.chance(40) ? [random.pick(competitors)] : []
        return MadeDeal(id: id, row: values.map(Self.bind), history: history, competitors: rivals.map { [SQLBind(id), SQLBind($0)] })
    }

    static let leadColumns = ["id", "name", "company", "title", "phone", "phone_digits", "email", "wechat", "province", "city", "industry", "source",
                              "status", "status_reason", "rating", "owner_id", "notes", "converted_customer_id", "converted_at", "search_text",
                              "version", "created_at", "updated_at", "name_sort"]

    /// A lead in any status; a converted one points at `convertedInto`, the customer it became.
    func makeLead(number: Int, owners: [UUID], convertedInto: MadeCustomer?, random: inout SeededRandom, now: Date) -> [any SQLExpression] {
        let place = random.pick(DemoNames.cities)
        let industry = random.pick(DemoNames.industries)
        let surname = Int(random.next() % UInt64(DemoNames.surnames.count))
        let name = DemoNames.surnames[surname] + random.pick(DemoNames.given)
        let company = convertedInto?.name ?? "\(place.city.replacingOccurrences(of: "市", with: ""))\(random.pick(DemoNames.brand))\(industry.word)\(random.pick(DemoNames.legalForms))"
        let mobile = "1\(random.pick(["35", "36", "50", "87", "89"]))\(random.digits(8))"
        let email = "\(DemoNames.pinyin[surname]).\(number)@lead\(number % 997).cn"
        let status = convertedInto != nil ? "converted" : random.pick(LeadVocabulary.editableStatuses)
        let created = now.addingTimeInterval(-Double(random.next() % (365 * 86_400)))
        let owner: UUID? = random.chance(20) ? nil : random.pick(owners)
        let values: [(any Encodable & Sendable)?] = [
            UUID(), name, company, random.pick(DemoNames.titles), mobile, mobile, email, random.chance(40) ? "wx_\(DemoNames.pinyin[surname])_\(number)" : nil,
            place.province, place.city, industry.name, random.pick(DemoNames.sources), status,
            status == "unqualified" ? random.pick(DemoNames.unqualifiedReasons) : nil, random.chance(70) ? random.pick(LeadVocabulary.ratings) : nil,
            convertedInto?.ownerID ?? owner, "", convertedInto?.id, convertedInto == nil ? nil : created.addingTimeInterval(7 * 86_400),
            SQLSearch.text([name, company, email, mobile]), 1, created, created, Pinyin.sortKey(name, person: true),
        ]
        return values.map(Self.bind)
    }
}
