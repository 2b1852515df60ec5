import Foundation
import GuanxiPlatform

extension RecordKind {
    /// A customer's purchases, kept for the analytics.
    package static let purchases = RecordKind(rawValue: "purchases")
}

extension RecordKindDescriptor {
    /// Purchases belong to their customer: whoever may import customers imports them,
    /// each row needing update access to its customer. They have no list of their own.
    package static func purchases(_ services: CustomerFileServices) -> RecordKindDescriptor {
        var d = RecordKindDescriptor(kind: .purchases)
        d.hangsOn = [RecordDependent(host: .customers, kind: .purchases, table: "purchases", column: "customer_id", fate: .deleted)]
        (d.grantable, d.permissionKind) = (false, .customers)
        d.importTarget = { settings in PurchaseImportTarget(services: services, settings: settings) }
        return d
    }
}
