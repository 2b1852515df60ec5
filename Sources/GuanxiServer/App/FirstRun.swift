import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// On the first start of an empty database: records the organisation and creates the
/// `admin` account, printing its one-time password (or using `GUANXI_ADMIN_PASSWORD`).
/// The first sign-in must change a printed password; one the operator set is theirs.
struct FirstRun {
    let services: AppServices

    func ensureOrganisation() async throws {
        guard try await User.query(on: services.database.db).count() == 0 else { return }
        let password = services.config.initialAdminPassword ?? Passwords.generate()
        var admin = UserService.NewUser()
        admin.username = "admin"
        admin.displayName = "Administrator"
        admin.password = password
        admin.isAdmin = true
        admin.passwordIsTemporary = services.config.initialAdminPassword == nil
        admin.locale = services.config.defaultLocale
        let now = services.clock.now()
        try await (services.database.sql).insert(into: "settings").columns("key", "value", "updated_at")
            .values(SQLBind("organisation.name"), SQLBind("Guanxi"), SQLBind(now)).run()
        _ = try await services.users.create(admin, by: PrincipalLoader.console())
        try await createDefaultPipeline()
        if services.config.initialAdminPassword == nil {
            // On standard error, so that a command's own output (`guanxi analyze --json`
            // on a new data folder) stays machine-readable.
            Runtime.sayToOperator("""

                ┌──────────────────────────────────────────────────────────┐
                  Guanxi created the first administrator account.
                    user name: admin
                    password:  \(password)
                  This password works once: you must change it at first sign-in.
                └──────────────────────────────────────────────────────────┘

                """)
        }
    }

    /// A first pipeline, in the organisation's language, so deals can be entered at once;
    /// administrators rename and reshape it (or add others) on the pipelines page.
    func createDefaultPipeline() async throws {
        let t = { (key: String) in services.localizer.text("pipeline_defaults.\(key)", services.config.defaultLocale) }
        try await services.sales.pipelines.createDefault(named: t("name"), stages: [
            StageInput(name: t("prospecting"), probability: 10), StageInput(name: t("qualification"), probability: 25),
            StageInput(name: t("proposal"), probability: 50), StageInput(name: t("negotiation"), probability: 75),
            StageInput(name: t("won"), probability: 100, outcome: "won"), StageInput(name: t("lost"), probability: 0, outcome: "lost"),
        ])
    }
}
