import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

extension OpportunityPages {
    /// The pipeline on the home page: the reader's own open deals by stage (count, amount,
    /// weighted value), each stage a link to those deals; and for someone who sees others'
    /// deals (a manager), this quarter by owner — still open, weighted, and already won.
    package static func homeCard(_ services: SalesServices) -> HomeCard {
        HomeCard(key: "pipeline") { context in
            let principal = context.principal
            guard let scope = principal.scope(for: .read, on: .opportunities) else { return nil }
            let stages = try await OpportunityPages(services: services).stageNames()
            let order = try await services.pipelines.list().flatMap(\.stages).map(\.id!)
            let mine = try await services.forecast.rows(pipelineID: nil, from: nil, to: nil, by: .stage, ownerID: principal.userID, for: principal)
                .filter { $0.open.count > 0 }
                .sorted { (order.firstIndex(of: UUID(uuidString: $0.key)!) ?? 0) < (order.firstIndex(of: UUID(uuidString: $1.key)!) ?? 0) }
            let most = mine.map(\.open.amount.minorUnits).max() ?? 1
            let stageRows = mine.map { row in
                StageRow(name: stages[UUID(uuidString: row.key)!]?.name ?? "", count: row.open.count, amount: row.open.amount.display,
                         weighted: row.open.weighted.display, value: row.open.amount.minorUnits,
                         href: OpportunityPages.url.with("stage", row.key).with("owner", principal.userID.uuidString).description)
            }
            var team: [OwnerRow] = []
            let quarter = Self.quarter(containing: services.customerFile.clock.now(), timeZone: TimeZone(identifier: principal.timeZone) ?? .current)
            var targetTotal: Int64 = 0, reachedTotal: Int64 = 0
            if scope > .own {
                let rows = try await services.forecast.rows(pipelineID: nil, from: quarter.from, to: quarter.to, by: .owner, for: principal)
                let owners = rows.compactMap { UUID(uuidString: $0.key) }
                let names = try await services.users.names(of: owners)
                // Each seller's quarter against their target: won, and won plus weighted.
                let targets = try await services.targets.targets(SalesTargets.quarter(of: quarter.from), owners: owners)
                team = rows.map { row in
                    let target = UUID(uuidString: row.key).flatMap { targets[$0] }
                    let forecast = row.won.amount.minorUnits + row.open.weighted.minorUnits
                    if let target { (targetTotal, reachedTotal) = (targetTotal + target.minorUnits, reachedTotal + forecast) }
                    return OwnerRow(name: UUID(uuidString: row.key).flatMap { names[$0] } ?? services.localizer.text("customers.pool", context.locale),
                                    open: row.open.amount.display, weighted: row.open.weighted.display, won: row.won.amount.display,
                                    target: target?.display ?? "", forecast: forecast, targetValue: max(target?.minorUnits ?? 0, 1), hasTarget: target != nil)
                }
            }
            let card = Card(stages: stageRows, hasStages: !stageRows.isEmpty, most: max(most, 1), team: team, isManager: scope > .own, hasTeam: !team.isEmpty,
                            quarter: "\(quarter.from) – \(quarter.to)", canSetTargets: try await services.targets.settable(by: principal) != nil,
                            targetsHref: SalesTargetPage.url.with("quarter", SalesTargets.quarter(of: quarter.from)).description)
            return services.renderer.fragment("home-pipeline", page: card, context: context)
        }
    }

    /// The calendar quarter of `date` in `timeZone`, as the first and last day.
    static func quarter(containing date: Date, timeZone: TimeZone) -> (from: String, to: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month], from: date)
        let first = ((parts.month! - 1) / 3) * 3 + 1
        let last = first + 2
        let days = calendar.range(of: .day, in: .month, for: calendar.date(from: DateComponents(year: parts.year, month: last))!)!.count
        return (String(format: "%04d-%02d-01", parts.year!, first), String(format: "%04d-%02d-%02d", parts.year!, last, days))
    }

    package struct StageRow { package let name: String; let count: Int; let amount: String; let weighted: String; let value: Int64; let href: String }
    package struct OwnerRow {
        package let name: String; let open: String; let weighted: String; let won: String
        /// The quarter's target, and won plus weighted measured against it (a `<meter>`).
        package let target: String; let forecast: Int64; let targetValue: Int64; let hasTarget: Bool
    }
    package struct Card {
        package let stages: [StageRow]; let hasStages: Bool; let most: Int64
        package let team: [OwnerRow]; let isManager: Bool; let hasTeam: Bool; let quarter: String
        package let canSetTargets: Bool; let targetsHref: String
    }
}
