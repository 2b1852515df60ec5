import FluentKit
import Foundation
import GuanxiAnalytics
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// One analytics run: reads every customer and purchase, scores them (`CustomerScoring`)
/// and writes the scores, the customers' value tier and lifecycle stage, a run record and
/// one audit entry — all in one transaction, so readers see either the old scores or the
/// new ones. Run by `guanxi analyze` and by the nightly job.
///
/// The run rewrites `value_tier` and `lifecycle_stage` on customers who bought (stage on
/// every customer) without touching their version: it is the source of those fields, and
/// a nightly recomputation should never make a colleague's open edit conflict.
public struct AnalysisRunner: Sendable {
    package let services: CustomerFileServices

    public init(services: CustomerFileServices) { self.services = services }

    public static let jobKind = "analytics"

    /// `asOf` as YYYY-MM-DD (default: today in the organisation's time zone); `actor` nil
    /// for the nightly job, which the audit log shows as "system".
    public func run(asOf text: String? = nil, unit: TimeUnit = .week, by actor: Principal?) async throws -> AnalysisSummary {
        let started = services.clock.now()
        let asOf = try asOfDay(text)
        let loadStart = ContinuousClock.now
        let input = try await AnalysisInput.load(services.database)
        let (ids, current, purchases, items) = (input.ids, input.current, input.purchases, input.items)
        let loadSeconds = ContinuousClock.now - loadStart

        var output = try CustomerScoring.compute(.init(customerIDs: ids, purchases: purchases, items: items, asOf: asOf, unit: unit))
        output.summary.timings["load"] = Self.seconds(loadSeconds)
        // Decided before the transaction: which customers' tier or stage actually changes.
        var updates: [(id: UUID, tier: String?, stage: String)] = []
        var tierChanges = 0, stageChanges = 0
        for (i, score) in output.scores.enumerated() {
            let tier = score.valueTier ?? current[i].tier
            guard tier != current[i].tier || score.lifecycleStage != current[i].stage else { continue }
            if tier != current[i].tier { tierChanges += 1 }
            if score.lifecycleStage != current[i].stage { stageChanges += 1 }
            updates.append((score.customerID, tier, score.lifecycleStage))
        }
        let (scores, summary, changes) = (output.scores, output.summary, [
            FieldChange(field: "customers", old: nil, new: String(ids.count)),
            FieldChange(field: "purchases", old: nil, new: String(output.summary.purchases)),
            FieldChange(field: "value_tier", old: nil, new: "\(tierChanges) changed"),
            FieldChange(field: "lifecycle_stage", old: nil, new: "\(stageChanges) changed"),
        ])
        let json = String(decoding: try JSONEncoder.sorted.encode(summary), as: UTF8.self)
        let (customerCount, changed) = (ids.count, updates)
        let writeStart = ContinuousClock.now
        // The scores' statements are worked out on the other core while the transaction
        // reads and restages the customers.
        let engine = services.database.engine
        let preparedScores = Task.detached { try BulkInsert(into: "customer_scores", columns: CustomerScore.columns, rows: scores.map(\.row), engine: engine) }
        try await services.database.db.transaction { tx in
            let sql = DatabaseService.sql(tx)
            try await sql.delete(from: "customer_scores").run()
            // The update joins the customers, so one deleted since the run read the file is
            // not restaged, and gets no score.
            try await BulkUpdate.run("customers", set: [.init("value_tier", "TEXT"), .init("lifecycle_stage", "TEXT")],
                                     rows: changed.map { ($0.id, [BulkValue($0.tier), BulkValue($0.stage)]) }, on: tx)
            let remaining = Set(try await sql.select().column("id").from("customers").all().map { try $0.decode(column: "id", as: UUID.self) })
            let insert = ids.allSatisfy(remaining.contains) ? try await preparedScores.value
                : try BulkInsert(into: "customer_scores", columns: CustomerScore.columns,
                                 rows: scores.filter { remaining.contains($0.customerID) }.map(\.row), engine: engine)
            try await insert.run(on: tx)
            try await sql.insert(into: "analysis_runs")
                .columns("id", "as_of", "time_unit", "started_at", "finished_at", "customers", "purchases", "summary", "run_by")
                .values(SQLBind(UUID()), SQLBind(summary.asOf), SQLBind(unit.rawValue), SQLBind(started), SQLBind(services.clock.now()),
                        SQLBind(customerCount), SQLBind(summary.purchases), SQLBind(json), SQLBind(actor?.username ?? "system")).run()
            try await services.audit.record(on: tx, actor: actor, action: .analyze, kind: .customers, id: "analysis",
                                            label: "analysis as of \(summary.asOf)", changes: changes)
        }
        output.summary.timings["write"] = Self.seconds(ContinuousClock.now - writeStart)
        return output.summary
    }

    /// The summary of the latest run, if any has finished.
    public func latest() async throws -> AnalysisSummary? {
        guard let row = try await services.database.sql.select().column("summary").from("analysis_runs")
            .orderBy("finished_at", .descending).limit(1).first() else { return nil }
        return try JSONDecoder().decode(AnalysisSummary.self, from: Data(try row.decode(column: "summary", as: String.self).utf8))
    }

    /// Totals over the whole customer file are for those who may read every customer.
    public func requireWholeFile(_ actor: Principal) throws {
        guard try services.permissions.require(actor, .read, on: .customers) == .all else { throw GuanxiError.forbidden }
    }

    /// A customer's scores if the actor may read the customer; nil before the first run.
    public func scores(of customerID: UUID, for actor: Principal) async throws -> CustomerScore? {
        _ = try await services.customers.find(customerID, for: actor)
        return try await services.database.sql.select().columns(CustomerScore.columns).from("customer_scores")
            .where("customer_id", .equal, customerID).first().map(CustomerScore.init(row:))
    }

    /// Scores of customers already read through the permission check (a list page's rows).
    package func scores(of customerIDs: [UUID]) async throws -> [UUID: CustomerScore] {
        guard !customerIDs.isEmpty else { return [:] }
        let rows = try await services.database.sql.select().columns(CustomerScore.columns).from("customer_scores")
            .where("customer_id", .in, customerIDs).all()
        return Dictionary(uniqueKeysWithValues: try rows.map { let s = try CustomerScore(row: $0); return (s.customerID, s) })
    }

    package func asOfDay(_ text: String?) throws -> Day {
        if let text {
            guard let day = Day(iso: text) else {
                throw GuanxiError.invalid("asOf", "asOf must be a date written YYYY-MM-DD.").localized("msg.date", ["field": "asOf"])
            }
            return day
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: services.config.defaultTimeZone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: services.clock.now())
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    package static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
