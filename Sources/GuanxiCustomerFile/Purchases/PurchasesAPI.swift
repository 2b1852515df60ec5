import Foundation
import GuanxiAPI
import OpenAPIRuntime
import GuanxiPlatform

/// A customer's purchases over the REST API.
extension CustomerFileAPI {
    package func listPurchases(_ input: Operations.listPurchases.Input) async throws -> Operations.listPurchases.Output {
        let principal = try RequestPrincipal.require()
        let page = try await PurchaseService(services: services).list(customerID: try Self.id(input.path.customerId, field: "customerId"), for: principal,
                                                                     limit: input.query.limit ?? 50, cursor: input.query.cursor)
        return .ok(.init(body: .json(.init(items: page.items.map(Self.apiPurchase), nextCursor: page.nextCursor))))
    }

    package func addPurchase(_ input: Operations.addPurchase.Input) async throws -> Operations.addPurchase.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send the purchase as JSON.") }
        var purchase = PurchaseInput()
        (purchase.reference, purchase.date, purchase.amount, purchase.margin) = (body.reference, body.date, body.amount, body.margin)
        (purchase.currency, purchase.items) = (body.currency, body.items)
        let saved = try await PurchaseService(services: services).add(purchase, to: try Self.id(input.path.customerId, field: "customerId"), by: principal)
        return .created(.init(body: .json(Self.apiPurchase(saved))))
    }

    package func deletePurchase(_ input: Operations.deletePurchase.Input) async throws -> Operations.deletePurchase.Output {
        let principal = try RequestPrincipal.require()
        try await PurchaseService(services: services).remove(try Self.id(input.path.purchaseId, field: "purchaseId"), by: principal)
        return .noContent(.init())
    }

    package static func apiPurchase(_ p: CustomerPurchase) -> Components.Schemas.Purchase {
        .init(id: p.id.uuidString, customerId: p.customerID.uuidString, reference: p.reference, date: p.date, amount: p.amount.decimalText,
              margin: p.margin?.decimalText, currency: p.currency, items: p.items, createdAt: p.createdAt)
    }
}
