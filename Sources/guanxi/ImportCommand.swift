import ArgumentParser
import Foundation
import GuanxiServer

/// `guanxi import`: load records from a CSV file. Purchases for now — a history exported
/// from a shop system, so the analytics can run on it (`guanxi analyze`).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load records from a CSV file (UTF-8 or GB18030; comma, semicolon or tab separated).",
        discussion: """
            purchases: columns customer (id, e-mail or phone), date (YYYY-MM-DD), amount; optional margin, items \
            (separated by ; or |), reference (order number, loaded once) and currency. Chinese headers are recognised \
            (客户, 日期, 金额, 利润, 商品, 订单号, 币种).
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case purchases }

    @Argument(help: "What the file holds: purchases.") var kind: Kind
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Create a customer for each reference that matches none.") var createMissingCustomers = false
    @Flag(help: "Check every row and report, writing nothing.") var dryRun = false
    @Option(help: "Write the rejected rows, each with its reason, to this CSV file.") var rejects: String?
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await runReportingErrors {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw GuanxiError(.badRequest, "Cannot read \(file).")
            }
            let report = try await Runtime.withServices(try await storage.load()) { services in
                try await PurchaseImport(services: services).run(data, createMissingCustomers: createMissingCustomers, dryRun: dryRun,
                                                                 by: PrincipalLoader.console())
            }
            let verb = report.dryRun ? "Would import" : "Imported"
            print("\(verb) \(report.imported) of \(report.rows) purchases. New customers for unknown references: \(report.customersCreated). Rejected rows: \(report.problems.count).")
            for problem in report.problems.prefix(20) {
                print("  line \(problem.line)\(problem.column.isEmpty ? "" : ", \(problem.column)"): \(problem.message)")
            }
            if report.problems.count > 20 { print("  … and \(report.problems.count - 20) more\(rejects == nil ? " (see --rejects)" : "").") }
            if let rejects {
                try Data(report.rejectedCSV.utf8).write(to: URL(fileURLWithPath: rejects))
                print("Rejected rows written to \(rejects).")
            }
        }
    }
}
