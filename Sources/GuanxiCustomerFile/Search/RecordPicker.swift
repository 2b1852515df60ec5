import Foundation
import Hummingbird
import GuanxiPlatform

/// Fields that point to another record (a deal's customer, a company's parent). The
/// field is a `<select>` marked `data-pick="<kind>"`: it starts with "—", the record
/// chosen now (so saving never drops a choice the first page does not hold) and the
/// first page of the reader's records; `app.js` adds a search box that asks
/// `GET /pick/<kind>?q=…` and offers what it finds in the whole file, through the kind's
/// own permission check (`RecordKindDescriptor.search`). A picker of records that belong
/// to a customer (a deal's contact) is narrowed to that customer: `data-pick-customer`
/// names the form field that holds it (or is the customer's id), the script sends it as
/// `customer=` and starts over when that field changes (`searchAtCustomer`).
package struct RecordPicker {
    package let services: CustomerFileServices

    /// How many records a picker offers at a time.
    package static let pageSize = 20

    package struct Hit: Encodable { let id: String; let label: String; let detail: String }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/pick/:kind") { request, context in
            let kind = RecordKind(rawValue: try context.parameters.require("kind"))
            let term = try Validate.text(request.uri.queryParameters["q"].map(String.init), field: "q", required: false, max: 100) ?? ""
            let customer = try Validate.uuid(request.uri.queryParameters["customer"].map(String.init), field: "customer")
            let found: [SearchHit]
            if let customer {
                guard let search = services.records[kind]?.searchAtCustomer, context.principal.scope(for: .read, on: kind) != nil else {
                    throw GuanxiError.notFound("Kind of record")
                }
                found = try await search(term, customer, context.principal, Self.pageSize)
            } else if let pick = services.records[kind]?.pick {
                found = try await pick(term, context.principal, Self.pageSize)
            } else {
                guard let search = services.records[kind]?.search, context.principal.scope(for: .read, on: kind) != nil else {
                    throw GuanxiError.notFound("Kind of record")
                }
                found = try await search(term, context.principal, Self.pageSize)
            }
            let hits = found.map { Hit(id: $0.id.uuidString, label: $0.title, detail: $0.detail) }
            return try WebRenderer.json(hits)
        }
    }

    /// The options a picker for `kind` starts with; `chosen` is the id the form holds
    /// (typed or saved), `excluding` a record that may not point to itself.
    /// `atCustomer` narrows the first page to one customer's records; nil with `narrowed`
    /// (no customer chosen yet) offers none.
    package func choices(_ kind: RecordKind, chosen: String?, for principal: Principal, excluding: UUID? = nil,
                         atCustomer: UUID? = nil, narrowed: Bool = false) async throws -> [WebChoice] {
        let chosenID = chosen.flatMap(UUID.init(uuidString:))
        var offered: [(id: UUID, name: String)] = []
        if let chosenID, let record = try? await services.records.find(kind, chosenID, for: principal) { offered.append((chosenID, record.name)) }
        if principal.scope(for: .read, on: kind) != nil {
            var first: [SearchHit] = []
            if let atCustomer, let search = services.records[kind]?.searchAtCustomer {
                first = try await search("", atCustomer, principal, Self.pageSize)
            } else if !narrowed, let search = services.records[kind]?.search {
                first = try await search("", principal, Self.pageSize)
            }
            for hit in first where hit.id != chosenID && hit.id != excluding { offered.append((hit.id, hit.title)) }
        }
        return [WebChoice(value: "", label: "—", selected: chosenID == nil)]
            + offered.map { WebChoice(value: $0.id.uuidString, label: $0.name, selected: $0.id == chosenID) }
    }

    package init(services: CustomerFileServices) { self.services = services }
}
