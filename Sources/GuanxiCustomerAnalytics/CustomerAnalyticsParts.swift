import GuanxiCustomerFile
import GuanxiPlatform

/// The customer analytics as the app mounts them.
package enum CustomerAnalytics {
    /// The dashboard's pages, and the analysis run, queued every day at 18:00 UTC — 02:00
    /// in China, when nobody is working — or on request.
    package static func parts(_ services: CustomerFileServices) -> AreaParts {
        var parts = AreaParts()
        parts.pages = [AnalyticsPages(services: services).register]
        parts.jobs = [AnalysisRunner.jobKind: { _ in _ = try await AnalysisRunner(services: services).run(by: nil) }]
        parts.daily = [DailyJob(kind: AnalysisRunner.jobKind, hourUTC: 18)]
        return parts
    }
}
