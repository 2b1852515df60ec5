import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

#if canImport(Glibc)
import Glibc
#endif

/// `guanxi import`: load records from a CSV file through the same pipeline as the web
/// import (checks, modes, keys, jobs that resume and revert), with a progress bar.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load customers, contacts, leads, opportunities, activities or purchases from a CSV file (UTF-8 or GB18030; comma, semicolon or tab separated; contacts also from vCard).",
        discussion: """
            customers, contacts, leads, opportunities, activities: columns are recognised by their Chinese or English headers (名称/name, 电话/phone, 邮箱/email, \
            客户编号/external id …); --map '表头=field' or --mapping (a saved template's name, or a JSON file {"header": "field"}) \
            maps the rest. --mode update or upsert finds each row's record by --key (email, phone, external_id, wechat or cf.KEY). \
            The import runs as a job: if it stops, `guanxi import --resume JOB` continues it; `guanxi import --revert JOB` removes \
            what it created and restores what it updated.

            purchases: columns customer (id, e-mail or phone), date (YYYY-MM-DD), amount; optional margin, items \
            (separated by ; or |), reference (order number, loaded once) and currency. Chinese headers are recognised \
            (客户, 日期, 金额, 利润, 商品, 订单号, 币种).
            """)

    @Argument(help: "What the file holds: purchases, customers, contacts, leads, opportunities or activities.") var kind: String?
    @Argument(help: "The CSV file.") var file: String?
    @Option(help: "create (default), update or upsert.") var mode: String = "create"
    @Option(help: "The field that finds existing records: email, phone, external_id, wechat or cf.KEY.") var key: String?
    @Option(help: "In create mode, rows whose key matches a record or an earlier row: skip (default), merge or create.") var duplicates: String = "skip"
    @Option(help: "A saved mapping template's name, or a JSON file mapping headers to fields.") var mapping: String?
    @Option(help: "Map one column: 'HEADER=FIELD' (FIELD empty to ignore the column); repeatable.") var map: [String] = []
    @Option(help: "Save the mapping used (template and --map) under this name.") var saveMapping: String?
    @Option(help: "Tag every customer the import creates or updates (the fair, the campaign).") var tag: String?
    @Option(help: "Source written on every record created.") var source: String?
    @Flag(help: "Check every row and report, writing nothing.") var dryRun = false
    @Option(help: "Write the rows not imported, each with its reason, to this CSV file.") var rejects: String?
    @Flag(help: "Purchases: create a customer for each reference that matches none.") var createMissingCustomers = false
    @Option(help: "Continue an import job that stopped.") var resume: String?
    @Option(help: "Undo an import job: remove what it created, restore what it updated.") var revert: String?
    @OptionGroup var storage: StorageOptions

    func validate() throws {
        if resume != nil || revert != nil { return }
        guard kind != nil, file != nil else { throw ValidationError("Give the kind of records and the file, e.g. guanxi import contacts cards.csv.") }
        guard ImportSettings.Mode(rawValue: mode) != nil else { throw ValidationError("--mode must be create, update or upsert.") }
        guard ImportSettings.Duplicates(rawValue: duplicates) != nil else { throw ValidationError("--duplicates must be skip, merge or create.") }
        for entry in map where !entry.contains("=") { throw ValidationError("--map takes HEADER=FIELD, not \(entry).") }
    }

    func run() async throws {
        try await runReportingErrors {
            try await Runtime.withServices(try await storage.load()) { services in
                let actor = PrincipalLoader.console()
                let imports = DataImport(services: services.customerFile)
                if let revert {
                    let job = try await imports.revert(try jobID(revert), by: actor)
                    print("Reverted import \(job.id.uuidString) (\(job.fileName)): what it created is removed, what it updated restored.")
                    return
                }
                if let resume {
                    try await finish(try await imports.run(try jobID(resume), by: actor, progress: ProgressBar.show), imports: imports, actor: actor)
                    return
                }
                guard let kind, let file else { return }
                func read() throws -> Data {
                    guard let data = FileManager.default.contents(atPath: file) else { throw GuanxiError(.badRequest, "Cannot read \(file).") }
                    return data
                }
                let fileKind = RecordKind(rawValue: kind)
                let settings = try await settings(fileKind, services: services)
                if dryRun {
                    let report = try await imports.dryRun(fileKind, data: try read(), settings: settings, by: actor)
                    print("Dry run of \(report.job.totalRows) rows: would create \(report.job.created), update \(report.job.updated); skipped \(report.job.skipped), rejected \(report.job.rejected).")
                    try printProblems(report.problems.map { ($0.line, $0.column, $0.reason) }, csv: report.rejectsCSV)
                    return
                }
                // The file streams into the job's store a piece at a time; the import reads the job's copy.
                let job = try await imports.start(fileKind, file: URL(fileURLWithPath: file), settings: settings, queue: false, by: actor)
                print("Import \(job.id.uuidString): \(job.totalRows) rows.")
                try await finish(try await imports.run(job.id, by: actor, progress: ProgressBar.show), imports: imports, actor: actor)
            }
        }
    }

    func settings(_ kind: RecordKind, services: AppServices) async throws -> ImportSettings {
        var settings = ImportSettings()
        settings.mode = ImportSettings.Mode(rawValue: mode)!
        settings.duplicates = ImportSettings.Duplicates(rawValue: duplicates)!
        (settings.key, settings.tag, settings.source) = (key, tag, source)
        if createMissingCustomers { settings.createMissingCustomers = true }
        if let mapping {
            if let json = FileManager.default.contents(atPath: mapping) {
                guard let decoded = try? JSONDecoder().decode([String: String].self, from: json) else {
                    throw GuanxiError(.badRequest, "\(mapping) is not a JSON object mapping headers to fields.")
                }
                settings.mapping = decoded
            } else {
                settings.mapping = try await ImportTemplates(services: services.customerFile).find(kind, name: mapping, by: PrincipalLoader.console()).mapping
            }
        }
        for entry in map {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            settings.mapping[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        if let saveMapping {
            try await ImportTemplates(services: services.customerFile).save(kind, name: saveMapping, mapping: settings.mapping, by: PrincipalLoader.console())
            print("Mapping saved as \"\(saveMapping)\".")
        }
        return settings
    }

    func finish(_ job: ImportJob, imports: DataImport, actor: Principal) async throws {
        ProgressBar.end()
        let verb = job.status == .cancelled ? "Cancelled after" : "Imported"
        print("\(verb) \(job.rowsDone) of \(job.totalRows) rows: created \(job.created), updated \(job.updated), skipped \(job.skipped), rejected \(job.rejected).")
        if job.skipped + job.rejected > 0 {
            let csv = try await imports.rejectsCSV(job.id, by: actor)
            if let rejects {
                try Data(csv.utf8).write(to: URL(fileURLWithPath: rejects))
                print("Rows not imported written to \(rejects).")
            } else {
                print("Write the rows not imported with their reasons: add --rejects OUT.csv, or download them from the import's page.")
            }
        }
        print("To undo it: guanxi import --revert \(job.id.uuidString)")
    }

    func printProblems(_ problems: [(line: Int, column: String, reason: String)], csv: String) throws {
        for problem in problems.prefix(20) {
            print("  line \(problem.line)\(problem.column.isEmpty ? "" : ", \(problem.column)"): \(problem.reason)")
        }
        if problems.count > 20 { print("  … and \(problems.count - 20) more\(rejects == nil ? " (see --rejects)" : "").") }
        if let rejects, !problems.isEmpty {
            try Data(csv.utf8).write(to: URL(fileURLWithPath: rejects))
            print("Rejected rows written to \(rejects).")
        }
    }

    func jobID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw ValidationError("\(text) is not an import job id.") }
        return id
    }
}

/// A progress bar on standard error: redrawn in place on a terminal, a line per tenth otherwise.
enum ProgressBar {
    nonisolated(unsafe) static var lastTenth = -1

    @Sendable static func show(_ job: ImportJob) async {
        let total = max(job.totalRows, 1)
        let fraction = min(1, Double(job.rowsDone) / Double(total))
        if isatty(2) != 0 {
            let filled = Int(fraction * 30)
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(Int(fraction * 100))% \(job.rowsDone)/\(job.totalRows) rows".utf8))
        } else if Int(fraction * 10) > lastTenth {
            lastTenth = Int(fraction * 10)
            FileHandle.standardError.write(Data("\(lastTenth * 10)% (\(job.rowsDone)/\(job.totalRows) rows)\n".utf8))
        }
    }

    static func end() {
        if isatty(2) != 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
