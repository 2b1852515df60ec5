import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `guanxi export KIND FILE`: a record list as a CSV file, the way the list's download
/// button writes it (filters, columns, formula neutralising, a byte-order mark for Excel).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write customers, contacts, leads, opportunities or activities to a CSV file (contacts also as vCard, activities as iCalendar).",
        discussion: """
            Without --view every record is written with the list's default columns. --view takes a saved view's \
            name or id and writes its filters and columns; --filter adds list filters as a query string, for example \
            --filter 'stage=maturity&segment=champions' or --filter 'cf=region:华东&col=phone&col=email'.
            """)

    @Argument(help: "What to export: customers, contacts, leads, opportunities or activities.") var kind: String
    @Argument(help: "The CSV file to write.") var file: String
    @Option(help: "A saved view (name or id) whose filters and columns to use.") var view: String?
    @Option(help: "List filters as a query string, like the list page's address.") var filter: String?
    @Option(help: "Language of the header and of choice values: zh-Hans or en.") var locale: String = "zh-Hans"
    @Flag(help: "Leave out the byte-order mark (Excel needs it to read Chinese as UTF-8).") var noBom = false
    @Option(help: "csv (default); vcard3 or vcard4 for contacts; ical for activities.") var format: String = "csv"
    @OptionGroup var storage: StorageOptions

    func validate() throws {
        guard ["zh-Hans", "en"].contains(locale) else { throw ValidationError("--locale must be zh-Hans or en.") }
    }

    func run() async throws {
        try await runReportingErrors {
            let started = Date()
            let rows = try await Runtime.withServices(try await storage.load()) { services in
                try await FileExport(services: services.customerFile).run(kind, to: file, view: view, filters: filter, locale: locale, byteOrderMark: !noBom,
                                                             format: format, by: PrincipalLoader.console())
            }
            print("Exported \(rows) \(kind) to \(file) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
        }
    }
}

