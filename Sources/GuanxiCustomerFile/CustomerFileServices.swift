import Foundation
import Logging
import GuanxiPlatform

/// The platform's services and the customer file's: what every business area stands on.
/// Built once by the app (`AppServices`), which hands it to each area it builds; an area
/// adds its own services beside it (`SalesServices`). No globals.
public final class CustomerFileServices: Sendable {
    public let config: AppConfig
    public let clock: any Clock
    public let logger: Logger
    public let database: DatabaseService
    public let permissions: PermissionService
    public let audit: AuditLog
    public let caches: DefinitionCaches
    public let auditQuery: AuditQuery
    public let passwords: Passwords
    public let principals: PrincipalLoader
    public let users: UserService
    public let departments: DepartmentService
    public let teams: TeamService
    public let roles: RoleService
    public let sessions: SessionStore
    public let login: LoginService
    public let tokens: APITokenService
    public let twoFactor: TwoFactorService
    public let rateLimiter: RateLimiter
    public let jobs: JobQueue
    public let localizer: Localizer
    public let metrics: AppMetrics
    public let renderer: WebRenderer
    /// The main menu's entries (`registerMenu`).
    package let menu: Menu
    public let settings: SettingsStore
    public let customValues: CustomValues
    public let customFields: CustomFieldService
    public let customers: CustomerService
    public let customerQuery: CustomerQuery
    public let customerPool: SharedPool<Customer>
    public let contacts: ContactService
    public let contactQuery: ContactQuery
    public let activities: ActivityService
    public let activityQuery: ActivityQuery
    public let savedViews: SavedViewService
    public let handOver: HandOverService
    /// Every message Guanxi sends waits here first (`Outbox`); `outboxSender` hands them over.
    public let outbox: Outbox
    /// Message templates for e-mail, SMS and letters, with merge fields from the records.
    public let messageTemplates: MessageTemplates
    public let outboxSender: OutboxSender
    /// The text-message (SMS) gateway an administrator set up.
    public let textGateways: SMSGateways
    /// Mail received, kept as it arrived (`Inbox`); `MailFiling` puts it on timelines.
    public let inbox: Inbox
    /// What concerns each user, in the app and by e-mail (`Notifications`).
    public let notifications: Notifications
    /// Every kind of record and what it offers (`registerRecordKinds`).
    package let records: RecordKinds
    /// The write lifecycle for a kind of record (`RecordWriter`), sharing one group-commit queue.
    package let writer: @Sendable (_ kind: RecordKind, _ table: String, _ what: String) -> RecordWriter

    /// `templates` and `locales` are the app's bundled page templates and texts.
    public init(config: AppConfig, clock: any Clock, logger: Logger, bcryptCost: UInt8, templates: URL?, locales: URL?) async throws {
        self.config = config
        self.clock = clock
        self.logger = logger
        database = try DatabaseService(location: config.database, logger: logger, connectionsPerLoop: config.databaseConnectionsPerLoop,
                                       poolTimeout: .milliseconds(Int64(config.databasePoolTimeout * 1000)))
        records = RecordKinds()
        permissions = PermissionService(database: database) { [records] kind in records[kind]?.inSharedPool == true }
        caches = DefinitionCaches(clock: clock)
        audit = AuditLog(clock: clock, caches: caches)
        auditQuery = AuditQuery(database: database, permissions: permissions)
        passwords = Passwords(cost: bcryptCost)
        principals = PrincipalLoader(database: database)
        users = UserService(database: database, permissions: permissions, audit: audit, passwords: passwords, clock: clock,
                            defaults: (config.defaultLocale, config.defaultTimeZone), firstPicks: caches.cache(forgettingOn: [.users, .teams, .roles, .departments]))
        departments = DepartmentService(database: database, permissions: permissions, audit: audit, clock: clock)
        teams = TeamService(database: database, permissions: permissions, audit: audit, clock: clock)
        roles = RoleService(database: database, permissions: permissions, audit: audit, clock: clock, records: records)
        sessions = SessionStore(database: database, clock: clock, idleTimeout: config.sessionIdleTimeout, absoluteTimeout: config.sessionAbsoluteTimeout,
                                signedIn: caches.cache(forgettingOn: [.users, .roles, .teams, .departments]))
        rateLimiter = RateLimiter(database: database, clock: clock)
        login = LoginService(database: database, sessions: sessions, passwords: passwords, rateLimiter: rateLimiter, audit: audit,
                             principals: principals, clock: clock, maxFailuresPerAccount: config.loginFailuresPerAccount,
                             maxFailuresPerAddress: config.loginFailuresPerAddress, lockout: config.loginLockout)
        tokens = APITokenService(database: database, audit: audit, principals: principals, permissions: permissions, clock: clock,
                                 cache: caches.cache(forgettingOn: [.users, .roles, .teams, .departments]))
        twoFactor = TwoFactorService(database: database, passwords: passwords, audit: audit, clock: clock)
        jobs = JobQueue(database: database, clock: clock)
        localizer = try Localizer.load(from: locales)
        metrics = AppMetrics()
        menu = Menu()
        renderer = try await WebRenderer.load(templates: templates, localizer: localizer, menu: menu)
        settings = SettingsStore(database: database, audit: audit, clock: clock, caches: caches)
        customValues = CustomValues(database: database, cache: caches.cache(forgettingOn: [.customFields]))
        customFields = CustomFieldService(database: database, audit: audit, clock: clock, records: records)
        outbox = Outbox(database: database, audit: audit, clock: clock, settings: settings, from: config.mailFrom,
                        links: config.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "http://\(config.host):\(config.port)", consent: MarketingConsent.check(database, records: records))
        messageTemplates = MessageTemplates(database: database, permissions: permissions, audit: audit, clock: clock) { [records] in MergeValues.names(records) }
        let notifications = Notifications(database: database, audit: audit, clock: clock, outbox: outbox, localizer: localizer)
        self.notifications = notifications
        // One queue of shared transactions for every kind of record created one at a time.
        let groupCommit = GroupCommit(database: database)
        let (database, audit, clock, records) = (database, audit, clock, records)
        @Sendable func writer(_ kind: RecordKind, table: String, what: String) -> RecordWriter {
            RecordWriter(kind: kind, table: table, what: what, database: database, audit: audit, clock: clock, records: records, groupCommit: groupCommit,
                         notifications: notifications)
        }
        self.writer = writer
        customers = CustomerService(database: database, permissions: permissions, writer: writer(.customers, table: "customers", what: "customer"),
                                    settings: settings, clock: clock, custom: customValues)
        customerQuery = CustomerQuery(database: database, permissions: permissions, custom: customValues)
        customerPool = SharedPool<Customer>(database: database, permissions: permissions, audit: audit, settings: settings, clock: clock)
        contacts = ContactService(database: database, permissions: permissions, writer: writer(.contacts, table: "contacts", what: "contact"),
                                  customers: customers, clock: clock, custom: customValues)
        contactQuery = ContactQuery(database: database, permissions: permissions, custom: customValues)
        activities = ActivityService(database: database, permissions: permissions, writer: writer(.activities, table: "activities", what: "activity"),
                                     contacts: contacts, records: records, clock: clock, custom: customValues)
        activityQuery = ActivityQuery(database: database, permissions: permissions, custom: customValues, records: records)
        savedViews = SavedViewService(database: database, audit: audit, clock: clock, records: records,
                                      shown: caches.cache(forgettingOn: [.savedViews]), chosen: caches.cache(forgettingOn: [.savedViews]))
        handOver = HandOverService(database: database, permissions: permissions, audit: audit, clock: clock, records: records, notifications: notifications)
        inbox = Inbox(database: database, audit: audit, clock: clock, largest: config.mailMaxBytes)
        textGateways = SMSGateways(settings: settings)
        outboxSender = OutboxSender(outbox: outbox, transport: config.mailConfigured ? try config.smtp.map(SMTPClient.init(settings:)) : nil, texts: textGateways,
                                    perDomainPerMinute: config.mailPerDomainPerMinute, logger: logger)
    }
}
