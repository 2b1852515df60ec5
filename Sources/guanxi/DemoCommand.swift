import ArgumentParser
import Foundation
import GuanxiServer
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `guanxi demo`: a living customer file to try Guanxi with, or volume for benchmarks.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load a bilingual demo data set (sales team, customers, contacts, leads, opportunities, activities, purchases) into an empty database and score it.")
    @Option(help: "How many customers (default 500).") var customers = 500
    @Option(help: "Contacts per customer (default 4).") var contactsPerCustomer = 4
    @Option(help: "Leads per 100 customers (default 50).") var leadsPerHundred = 50
    @Option(help: "Activities per customer (default 4).") var activitiesPerCustomer = 4
    @Option(help: "Seed for the generator; the same seed gives the same data.") var seed: UInt64 = 2026
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        try await runReportingErrors {
            let started = Date()
            let (summary, analysis) = try await Runtime.withServices(try await storage.load()) { services in
                let summary = try await DemoData(services: services).load(customers: customers, contactsPerCustomer: contactsPerCustomer, leadsPerCustomer: leadsPerHundred, activitiesPerCustomer: activitiesPerCustomer, seed: seed) { done in
                    if done % 10_000 == 0 || done == customers { FileHandle.standardError.write(Data("\r\(done)/\(customers) customers".utf8)) }
                }
                FileHandle.standardError.write(Data("\n".utf8))
                // Scored at once, so the customer pages and lists show segments and values from the start.
                return (summary, try await AnalysisRunner(services: services.customerFile).run(by: PrincipalLoader.console()))
            }
            print("Loaded \(summary.customers) customers, \(summary.contacts) contacts, \(summary.leads) leads, \(summary.opportunities) opportunities, \(summary.activities) activities and \(summary.purchases) purchases for \(summary.users) sales people in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
            print(AnalyzeCommand.describe(analysis))
        }
    }
}
