import Foundation
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform

extension StatusPages {
    /// The administrator's home card: whether the database answers and the schema is
    /// current, background jobs waiting or failed, and the latest imports.
    static func homeCard(_ services: AppServices) -> HomeCard {
        HomeCard(key: "system") { context in
            let principal = context.principal
            guard principal.isAdmin else { return nil }
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let ready = await OperationsRoutes(services: services).readiness()
            let jobs = try await services.jobs.counts()
            let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
            let imports = try await DataImport(services: services.customerFile).recent(by: principal).prefix(5).map { job in
                ImportRow(id: job.id.uuidString, name: job.fileName.isEmpty ? t("kinds.\(job.kind.rawValue)") : job.fileName,
                          status: t("import_statuses.\(job.status.rawValue)"), when: format.dateTime(job.updatedAt),
                          figures: services.localizer.list([services.localizer.labelled(t("imports.created"), String(job.created), context.locale),
                                                           services.localizer.labelled(t("imports.rejected"), String(job.rejected), context.locale)], context.locale))
            }
            let card = SystemCard(healthy: ready.ready, failedJobs: jobs["failed"] ?? 0, hasFailedJobs: (jobs["failed"] ?? 0) > 0, waitingJobs: (jobs["queued"] ?? 0) + (jobs["running"] ?? 0),
                                  imports: Array(imports), hasImports: !imports.isEmpty)
            return services.renderer.fragment("home-system", page: card, context: context)
        }
    }

    struct ImportRow { let id: String; let name: String; let status: String; let when: String; let figures: String }
    struct SystemCard { let healthy: Bool; let failedJobs: Int; let hasFailedJobs: Bool; let waitingJobs: Int; let imports: [ImportRow]; let hasImports: Bool }
}
