import Foundation
import Logging
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// One Guanxi instance: the customer file (with the platform under it) and the business
/// areas built on it, each given exactly the layer below. Built once in
/// `GuanxiApp.build`'s caller and passed down; the customer file's services read straight
/// through (`services.customers` is `services.customerFile.customers`). No globals.
@dynamicMemberLookup
public struct AppServices: Sendable {
    public let customerFile: CustomerFileServices
    public let sales: SalesServices

    public init(config: AppConfig, clock: any Clock = SystemClock(), logger: Logger, bcryptCost: UInt8 = 12) async throws {
        customerFile = try await CustomerFileServices(config: config, clock: clock, logger: logger, bcryptCost: bcryptCost,
                                                      templates: Resources.url("Templates"), locales: Resources.url("Locales"))
        sales = SalesServices(customerFile)
        registerRecordKinds()
        registerMenu()
    }

    public subscript<T>(dynamicMember path: KeyPath<CustomerFileServices, T>) -> T { customerFile[keyPath: path] }

    /// Jobs run once a day: the analytics run at 18:00 UTC, which is 02:00 in China, when nobody is working.
    public var dailyJobs: [DailyJob] { [DailyJob(kind: AnalysisRunner.jobKind, hourUTC: 18)] }

    public func jobHandlers() -> [String: JobHandler] {
        let (sessions, rateLimiter, jobs, customerPool, leadPool, database, clock) = (self.sessions, self.rateLimiter, self.jobs, self.customerPool, sales.leadPool, self.database, self.clock)
        let leftovers = Leftovers(database: database, records: self.records)
        return [Housekeeping.kind: Housekeeping.handler([
            { _ = try await sessions.purgeExpired() },
            { try await rateLimiter.purge() },
            { try await jobs.purgeFinished() },
            { try await customerPool.returnNeglected() },
            { try await leadPool.returnNeglected() },
            { try await leftovers.purge() },
            { [self] in try await DataImport(services: customerFile).purgeOld() },
            { [self] in try await SetAsideIndexes(serving: database, clock: clock).rebuildAbandoned() },
        ]), AnalysisRunner.jobKind: { [self] _ in _ = try await AnalysisRunner(services: customerFile).run(by: nil) },
        DataImport.jobKind: { [self] payload in try await DataImport(services: customerFile).runQueued(payload) }]
    }
}
