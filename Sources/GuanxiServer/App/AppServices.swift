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

    /// What each layer and area hands the app: pages, jobs and upkeep, in mounting order.
    var parts: AreaParts {
        AreaParts.combined([customerFile.parts, sales.parts, CustomerAnalytics.parts(customerFile), DataExchange.parts(customerFile)])
    }

    /// Jobs queued once a day.
    public var dailyJobs: [DailyJob] { parts.daily }

    /// Every queued job's handler, with the hourly housekeeping made of every area's upkeep.
    public func jobHandlers() -> [String: JobHandler] {
        let parts = parts
        return parts.jobs.merging([Housekeeping.kind: Housekeeping.handler(parts.upkeep)]) { first, _ in first }
    }
}
