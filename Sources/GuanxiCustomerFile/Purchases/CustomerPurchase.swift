import Foundation
import SQLKit
import GuanxiPlatform

/// A customer's purchase (transaction): what the analytics reads until orders exist.
public struct CustomerPurchase: Sendable, Equatable {
    public var id: UUID
    public var customerID: UUID
    /// The source system's transaction id; unique, so loading an export twice cannot
    /// count a purchase twice.
    public var reference: String?
    /// YYYY-MM-DD, the customer's local date.
    public var date: String
    /// Below zero for a return.
    public var amount: Money
    public var margin: Money?
    public var currency: String
    /// Product codes bought, for basket analysis.
    public var items: [String]
    public var createdAt: Date

    package static let columns = ["id", "customer_id", "reference", "purchased_on", "amount", "margin", "currency", "items", "created_at"]

    package init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: UUID.self)
        customerID = try row.decode(column: "customer_id", as: UUID.self)
        reference = try row.decode(column: "reference", as: String?.self)
        date = try row.decode(column: "purchased_on", as: String.self)
        amount = Money(minorUnits: try row.decode(column: "amount", as: Int64.self))
        margin = try row.decode(column: "margin", as: Int64?.self).map(Money.init(minorUnits:))
        currency = try row.decode(column: "currency", as: String.self)
        items = Self.items(from: try row.decode(column: "items", as: String.self))
        createdAt = try row.decode(column: "created_at", as: Date.self)
    }

    package init(id: UUID, customerID: UUID, reference: String?, date: String, amount: Money, margin: Money?, currency: String, items: [String], createdAt: Date) {
        (self.id, self.customerID, self.reference, self.date) = (id, customerID, reference, date)
        (self.amount, self.margin, self.currency, self.items, self.createdAt) = (amount, margin, currency, items, createdAt)
    }

    /// Items are stored one per line: a product code never holds a line break.
    /// Split on the line-feed byte: an analytics run splits a million of these, and
    /// splitting on `Character`s was a tenth of its loading.
    package static func items(from text: String) -> [String] { text.utf8.split(separator: UInt8(ascii: "\n")).compactMap(String.init) }
    package static func text(of items: [String]) -> String { items.joined(separator: "\n") }

    /// How the purchase reads in the customer's history.
    package var summary: String {
        "\(date) \(currency) \(amount.decimalText)" + (reference.map { " (\($0))" } ?? "")
    }
}

/// What a client sends to record a purchase.
public struct PurchaseInput: Sendable {
    public var reference: String?
    public var date: String?
    public var amount: String?
    public var margin: String?
    public var currency: String?
    public var items: [String]?
    public init() {}
}
