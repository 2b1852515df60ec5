import GuanxiCustomerFile
import GuanxiPlatform

/// Imports and exports as the app mounts them.
package enum DataExchange {
    /// The export and import pages, the background jobs that run and revert imports, and the upkeep
    /// that lets old imports go and builds again indexes an abandoned import set aside.
    package static func parts(_ services: CustomerFileServices) -> AreaParts {
        var parts = AreaParts()
        parts.pages = [ExportRoutes(services: services).register, ImportPages(services: services).register]
        parts.jobs = [DataImport.jobKind: { payload in try await DataImport(services: services).runQueued(payload) },
                      DataImport.revertJobKind: { payload in try await DataImport(services: services).revertQueued(payload) }]
        let (database, clock) = (services.database, services.clock)
        parts.upkeep = [
            { try await DataImport(services: services).purgeOld() },
            { try await SetAsideIndexes(serving: database, clock: clock).rebuildAbandoned() },
        ]
        return parts
    }
}
