import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `guanxi duplicates KIND`: the duplicate review queue on the shell — how many groups of
/// probable duplicates the file holds, and the strongest of them.
struct DuplicatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "List probable duplicates among customers, contacts or leads (same e-mail, phone digits, or name).")

    enum Kind: String, ExpressibleByArgument, CaseIterable { case customers, contacts, leads }

    @Argument(help: "customers, contacts or leads.") var kind: Kind
    @Option(help: "How many of the strongest groups to print.") var limit: Int = 20
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await runReportingErrors {
            let started = Date()
            let found = try await Runtime.withServices(try await storage.load()) { services in
                try await DuplicateFinder(services: services.customerFile).groups(RecordKind(rawValue: kind.rawValue), for: PrincipalLoader.console(), limit: max(0, limit))
            }
            print("\(found.total) groups of probable duplicates among \(kind.rawValue), found in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
            for group in found.groups {
                print("  \(group.score)  \(group.reasons.joined(separator: "+"))  " + group.members.map { "\($0.name) (\($0.id.uuidString.suffix(8)))" }.joined(separator: " · "))
            }
        }
    }
}
