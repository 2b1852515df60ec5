import ArgumentParser
import Foundation
import GuanxiAnalytics
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `guanxi analyze`: score every customer from the purchases on file (RFM, value tier,
/// lifetime value, probability active, lifecycle stage, next yearly occasion).
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Score every customer from the purchases on file and write the results onto the customers.")
    @Option(help: "Only purchases up to this day count (YYYY-MM-DD; default today).") var asOf: String?
    @Option(help: "Time unit of the lifetime models: day or week (default week).") var timeUnit: String = "week"
    @Flag(help: "Print a machine-readable summary: fitted models, counts, timings.") var json = false
    @OptionGroup var storage: StorageOptions

    func validate() throws {
        guard TimeUnit(rawValue: timeUnit) != nil else { throw ValidationError("--time-unit must be day or week.") }
        if let asOf, Day(iso: asOf) == nil { throw ValidationError("--as-of must be a date written YYYY-MM-DD.") }
    }

    func run() async throws {
        try await runReportingErrors {
            let summary = try await Runtime.withServices(try await storage.load()) { services in
                try await AnalysisRunner(services: services.customerFile).run(asOf: asOf, unit: TimeUnit(rawValue: timeUnit)!, by: PrincipalLoader.console())
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(Self.describe(summary))
            }
        }
    }

    static func describe(_ s: AnalysisSummary) -> String {
        var lines = ["Scored \(s.customers) customers (\(s.buyers) with purchases) from \(s.purchases) purchases as of \(s.asOf)."]
        if s.ignoredAfterAsOf > 0 { lines.append("\(s.ignoredAfterAsOf) purchases dated after \(s.asOf) were left out.") }
        if let m = s.purchaseModel {
            lines.append(String(format: "Purchase model (BG/NBD, per %@): r=%.4f alpha=%.4f a=%.4f b=%.4f, log-likelihood %.2f", s.timeUnit, m.r, m.alpha, m.a, m.b, m.logLikelihood))
        }
        if let m = s.spendModel {
            lines.append(String(format: "Spend model (Gamma-Gamma): p=%.4f q=%.4f v=%.4f, log-likelihood %.2f", m.p, m.q, m.v, m.logLikelihood))
        }
        for reason in s.skipped { lines.append("Skipped \(reason)") }
        func counts(_ title: String, _ values: [String: Int]) -> String {
            "\(title): " + values.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        lines.append(counts("Segments", s.segments))
        lines.append(counts("Value tiers", s.valueTiers))
        lines.append(counts("Lifecycle stages", s.lifecycleStages))
        return lines.joined(separator: "\n")
    }
}
