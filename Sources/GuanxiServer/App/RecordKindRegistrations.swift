import Foundation
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

extension AppServices {
    /// The migrations of this build: the numbered ones, then those of kinds that bring
    /// their own tables (`RecordKindDescriptor.migrations`).
    public var migrator: Migrator {
        Migrator(db: customerFile.database.db, migrations: AllMigrations.list + customerFile.records.all.flatMap(\.migrations), clock: customerFile.clock)
    }

    /// Every kind of record Guanxi knows, one line each, in the order menus and the role
    /// editor list them. A kind's folder supplies its descriptor; the shared features
    /// (lists, import, export, timelines, hand-over …) find it here.
    func registerRecordKinds() {
        customerFile.records.register(.customers(customerFile))
        customerFile.records.register(.contacts(customerFile))
        customerFile.records.register(.leads(sales))
        customerFile.records.register(.opportunities(sales))
        customerFile.records.register(.activities(customerFile))
        customerFile.records.register(.purchases(customerFile))
        customerFile.records.register(deletion: AttachmentService.removeAll)
        // The records an import creates are audited by its ledger, read with each history.
        customerFile.auditQuery.register(ledger: ImportLedger(services: customerFile))
        customerFile.records.register(mergedInto: { [self] survivor in try await MergeService(services: customerFile).mergedInto(survivor) })
        customerFile.records.register(panel: CustomerValuePart.panel(customerFile))
        customerFile.records.register(columns: CustomerValuePart.listColumns(customerFile))
        customerFile.records.register(figure: sales.forecast.dashboardFigure)
        // The home page's cards, in the order they show.
        customerFile.records.register(homeCard: ActivityPages.homeCard(customerFile))
        customerFile.records.register(homeCard: OpportunityPages.homeCard(sales))
        customerFile.records.register(homeCard: CustomerValuePart.atRiskHomeCard(customerFile))
        customerFile.records.register(homeCard: StatusPages.homeCard(self))
        customerFile.records.register(.users(customerFile))
        customerFile.records.register(.departments)
        customerFile.records.register(.teams)
        for kind in [RecordKind.roles, .audit, .outbox, .inbox, .templates] { customerFile.records.register(RecordKindDescriptor(kind: kind)) }
    }
}
