import Foundation
import GuanxiAPI
import Hummingbird
import Logging
import ServiceLifecycle
import OpenAPIHummingbird
import OpenAPIRuntime
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// The composition root: builds the services, the router and the application.
public enum GuanxiApp {
    /// Builds a ready-to-run application. Migrations run first when enabled; a schema
    /// that is pending (with migrations off) or newer than this build stops start-up.
    public static func build(services: AppServices, runJobs: Bool = true) async throws -> some ApplicationProtocol {
        try await prepareDatabase(services)
        let router = makeRouter(services)
        // The database is closed by whoever opened the services, after the server has
        // stopped, so no service can reach for a closed pool during shutdown.
        var lifecycle: [any Service] = []
        if runJobs {
            let (outbox, notifications, reminders) = (services.outboxSender, services.notifications, ReminderNotices(services: services.customerFile))
            // Every poll: reminders falling due become notifications, notifications' e-mails
            // go to the outbox, and the outbox to the mail server.
            lifecycle.append(JobWorker(queue: services.jobs, handlers: services.jobHandlers(), daily: services.dailyJobs,
                                       rounds: [{ try await reminders.run() }, { try await notifications.deliver() }, { try await outbox.run() }],
                                       pollInterval: services.config.jobPollInterval,
                                       clock: services.clock, logger: services.logger))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: "Guanxi"),
            services: lifecycle,
            onServerRunning: { _ in
                Runtime.say("Guanxi is listening on http://\(services.config.host):\(services.config.port) (\(services.database.engine.rawValue))")
            },
            logger: services.logger
        )
    }

    static func prepareDatabase(_ services: AppServices) async throws {
        do {
            try await services.database.prepareEngine()
            _ = try await services.migrator.state()
        } catch {
            throw GuanxiError(.configuration, "Cannot use the database \(services.config.database.safeDescription): \(String(reflecting: error))")
        }
        let migrator = services.migrator
        if services.config.autoMigrate {
            let applied = try await migrator.migrate()
            if !applied.isEmpty { services.logger.info("Applied migrations: \(applied.joined(separator: ", "))") }
        }
        switch try await migrator.state() {
        case .current: break
        case .pending(let names):
            throw GuanxiError(.configuration, "The database schema is not current (pending: \(names.joined(separator: ", "))). Run `guanxi migrate` first.")
        case .newerThanThisBuild(let names):
            throw Migrator.newerSchemaError(names)
        }
        try await FirstRun(services: services).ensureOrganisation()
    }

    public static func makeRouter(_ services: AppServices) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        let errors = ErrorResponder(localizer: services.localizer, renderer: services.renderer)
        // A form's other fields and the multipart framing come on top of an uploaded file.
        let uploads = ["/attachments", "/api/v1/attachments"].map { ($0, services.config.maxUploadBytes + 65_536) }
            + ["/imports", "/api/v1/imports"].map { ($0, services.config.maxImportBytes + 65_536) }
        router.add(middleware: RequestSetupMiddleware(config: services.config, localizer: services.localizer, metrics: services.metrics, errors: errors,
                                                      uploadLimits: Dictionary(uniqueKeysWithValues: uploads)))
        router.add(middleware: FileMiddleware(Resources.url("Public")?.path ?? "Public", searchForIndexHtml: false))
        OperationsRoutes(services: services).register(on: router)
        APIDocsRoutes(services: services).register(on: router)
        let api = router.group().add(middleware: APIAuthMiddleware(tokens: services.tokens, rateLimiter: services.rateLimiter, requestsPerMinute: services.config.apiRequestsPerMinute))
            .add(middleware: QueryParameterMiddleware(check: QueryParameterCheck(document: APIDocsRoutes.document))).add(middleware: ETagHeaderMiddleware())
        try! APIHandlers(services: services.customerFile, sales: services.sales).registerHandlers(on: api, serverURL: URL(string: "/api/v1")!, configuration: Configuration(dateTranscoder: APIDates()))
        router.get("/api/**") { _, _ -> Response in throw GuanxiError(.notFound, "There is no API operation at this address.") }
        for actions in services.parts.linkActions { actions(router.group()) }
        let web = router.group()
            .add(middleware: SessionMiddleware(sessions: services.sessions, principals: services.principals, notifications: services.notifications, errors: errors))
            .add(middleware: CSRFMiddleware())
        APIDocsRoutes(services: services).registerPage(on: web)
        WebRoutes.register(on: web, services: services)
        return router
    }
}
