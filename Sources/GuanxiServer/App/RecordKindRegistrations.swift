import Foundation
import GuanxiPlatform

extension AppServices {
    /// The migrations of this build: the numbered ones, then those of kinds that bring
    /// their own tables (`RecordKindDescriptor.migrations`).
    public var migrator: Migrator {
        Migrator(db: database.db, migrations: AllMigrations.list + records.all.flatMap(\.migrations), clock: clock)
    }

    /// Every kind of record Guanxi knows, one line each, in the order menus and the role
    /// editor list them. A kind's folder supplies its descriptor; the shared features
    /// (lists, import, export, timelines, hand-over …) find it here.
    func registerRecordKinds() {
        records.register(.customers(self))
        records.register(.contacts(self))
        records.register(.leads(self))
        records.register(.opportunities(self))
        records.register(.activities(self))
        records.register(.purchases(self))
        records.register(deletion: AttachmentService.removeAll)
        records.register(mergedInto: { [self] survivor in try await MergeService(services: self).mergedInto(survivor) })
        records.register(panel: CustomerValuePart.panel(self))
        records.register(columns: CustomerValuePart.listColumns(self))
        records.register(figure: forecast.dashboardFigure)
        for kind in [RecordKind.users, .departments, .teams, .roles, .audit] { records.register(RecordKindDescriptor(kind: kind)) }
    }
}
