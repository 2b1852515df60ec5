import Foundation
import Hummingbird
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The administrators' system status page: database, schema, jobs, version.
struct StatusPages {
    static let menu = MenuEntry.administrators("/admin/status", titleKey: "nav.status")

    let services: AppServices

    struct Row { let label: String; let value: String }
    struct Page { let rows: [Row] }

    func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/status") { _, context in
            let principal = context.principal
            guard principal.isAdmin else { throw GuanxiError.forbidden }
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let ready = await OperationsRoutes(services: services).readiness()
            let jobs = try await services.jobs.counts()
            let mail = try await services.outbox.counts()
            let received = try await services.inbox.counts()
            let sessions = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM sessions").first(decodingColumn: "n", as: Int.self) ?? 0
            let rows = [
                // The readiness answer is for machines; the page says it in the reader's language.
                Row(label: t("status.engine"), value: t("status.engines.\(services.database.engine.rawValue)")),
                Row(label: t("status.database"), value: services.localizer.known("status.states.\(ready.body["database"] ?? "")", context.locale) ?? ready.body["database"] ?? ""),
                Row(label: t("status.schema"), value: (ready.body["schema"] ?? "").hasPrefix("pending")
                        ? services.localizer.labelled(t("status.states.pending"), String((ready.body["schema"] ?? "").dropFirst("pending: ".count)), context.locale)
                        : services.localizer.known("status.states.\(ready.body["schema"] ?? "")", context.locale) ?? ready.body["schema"] ?? ""),
                Row(label: t("status.sessions"), value: String(sessions)),
                Row(label: t("status.jobs"), value: services.localizer.list(["queued", "running", "done", "failed"].map { services.localizer.labelled(t("status.job_states.\($0)"), String(jobs[$0] ?? 0), context.locale) }, context.locale)),
                Row(label: t("status.mail"), value: services.config.mailConfigured
                        ? services.localizer.list(OutboxEntry.Status.allCases.map { services.localizer.labelled(t("outbox.statuses.\($0.rawValue)"), String(mail[$0] ?? 0), context.locale) }, context.locale)
                            + " · " + (services.config.smtp?.safeDescription ?? "")
                        : t("status.mail_not_configured")),
                Row(label: t("status.received_mail"), value: services.localizer.list(InboundEntry.Status.allCases.map {
                    services.localizer.labelled(t("inbox.statuses.\($0.rawValue)"), String(received[$0] ?? 0), context.locale) }, context.locale)),
                Row(label: t("status.version"), value: GuanxiVersion.current),
            ]
            return services.renderer.render("admin-status", titleKey: "status.title", page: Page(rows: rows), context: context)
        }
    }
}

public enum GuanxiVersion {
    public static let current = "0.1.0"
}
