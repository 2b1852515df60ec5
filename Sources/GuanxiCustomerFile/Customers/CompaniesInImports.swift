import Foundation
import SQLKit
import GuanxiPlatform

// Imports of other kinds name customers by their external id or name (a contact's
// company, a deal's customer): how those names are found, and remembered for the run.

/// Customers already checked in this run (readable by the actor) with their owners, so
/// an import of many people of one company asks the database about it once.
package final class KnownCustomers: @unchecked Sendable {
    private let lock = NSLock()
    private var owners: [UUID: UUID?] = [:]
    package init() {}
    package func owner(of id: UUID) -> UUID?? { lock.withLock { owners[id] } }
    package func remember(_ id: UUID, owner: UUID?) { lock.withLock { if owners.count < 100_000 { owners[id] = owner } } }
}

/// The companies an import run is creating, and those it found on file, by name — a file
/// names each company once per person, and asking the database every time would cost a
/// query per row.
package final class PendingCompanies: @unchecked Sendable {
    package let tag: String?
    package let source: String?
    private let lock = NSLock()
    private var ids: [String: UUID] = [:]
    private var onFile: [String: UUID] = [:]
    /// Customers this run has checked the actor may use, with their owners.
    package let checked = KnownCustomers()

    /// Names looked up and found on file under neither external id nor name.
    private var missing: Set<String> = []

    package func found(_ name: String) -> UUID? { lock.withLock { onFile[name] } }
    package func remember(_ name: String, _ id: UUID) { lock.withLock { if onFile.count < 100_000 { onFile[name] = id } } }
    package func isMissing(_ name: String) -> Bool { lock.withLock { missing.contains(name) } }
    package func markMissing(_ name: String) { lock.withLock { if missing.count < 100_000 { missing.insert(name) } } }

    package init(tag: String? = nil, source: String? = nil) { (self.tag, self.source) = (tag, source) }
    package func pending(_ name: String) -> UUID? { lock.withLock { ids[name] } }
    package func add(_ name: String, _ id: UUID) { lock.withLock { ids[name] = id; missing.remove(name) } }
}

extension ImportValues {
    /// The customer a file names, by its external id or else its exact name; an error
    /// naming it when there is none (deals and activities need their customer on file).
    /// Only customers the importer may read are looked at, so the answer is the same
    /// whether a hidden customer of that name exists or not.
    package static func customer(_ text: String, by actor: Principal, services: CustomerFileServices, cache: PendingCompanies) async throws -> UUID {
        if let known = cache.found(text) { return known }
        let readable = try await services.permissions.ownerFilter(actor, .read, on: .customers).condition()
        for column in ["external_id", "name"] {
            var query = services.database.sql.select().column("id").from("customers").where(SQLIdentifier(column), .equal, text)
            if let readable { query = query.where(readable) }
            if let id = try await query.limit(1).first()?.decode(column: "id", as: UUID.self) {
                cache.remember(text, id)
                return id
            }
        }
        throw GuanxiError.invalid("customerId", "No customer you can see is called \(text); import it first or leave the column empty.")
            .localized("msg.import_unknown_customer", ["value": text])
    }
}
