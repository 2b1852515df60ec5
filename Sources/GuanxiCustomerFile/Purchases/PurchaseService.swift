import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Recording and listing a customer's purchases. Purchases belong to their customer:
/// who may read the customer sees them, who may change the customer records and removes
/// them. Each change is noted in the customer's history.
public struct PurchaseService: Sendable {
    package let services: CustomerFileServices

    public init(services: CustomerFileServices) { self.services = services }

    public struct Page: Sendable {
        public var items: [CustomerPurchase]
        public var nextCursor: String?
    }

    /// Newest first, keyset-paged.
    public func list(customerID: UUID, for actor: Principal, limit: Int = 50, cursor: String? = nil) async throws -> Page {
        _ = try await services.customers.find(customerID, for: actor)
        let size = min(max(limit, 1), 200)
        let query = try Keyset.text("purchased_on", ascending: false).apply(
            to: services.database.sql.select().columns(CustomerPurchase.columns).from("purchases").where("customer_id", .equal, customerID),
            cursor: cursor)
        let rows = try await query.limit(size + 1).all().map(CustomerPurchase.init(row:))
        let page = Array(rows.prefix(size))
        let next = rows.count > size ? page.last.map { Keyset.cursor(.text($0.date), id: $0.id) } : nil
        return Page(items: page, nextCursor: next)
    }

    /// How many purchases the customer has (the count on the customer page's section index).
    public func count(customerID: UUID, for actor: Principal) async throws -> Int {
        _ = try await services.customers.find(customerID, for: actor)
        return try await services.database.sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("purchases")
            .where("customer_id", .equal, customerID).first(decodingColumn: "n", as: Int.self) ?? 0
    }

    public func add(_ input: PurchaseInput, to customerID: UUID, by actor: Principal) async throws -> CustomerPurchase {
        let customer = try await services.customers.find(customerID, for: actor, action: .update)
        let purchase = try validated(input, customerID: customerID)
        if let reference = purchase.reference, try await services.database.sql.select().column("id").from("purchases")
            .where("reference", .equal, reference).first() != nil {
            throw Self.duplicate(reference)
        }
        do {
            try await services.database.db.transaction { tx in
                try await (tx as! any SQLDatabase).insert(into: "purchases").columns(CustomerPurchase.columns + ["created_by"])
                    .values(SQLBind(purchase.id), SQLBind(customerID), SQLBind(purchase.reference), SQLBind(purchase.date),
                            SQLBind(purchase.amount.minorUnits), SQLBind(purchase.margin?.minorUnits), SQLBind(purchase.currency),
                            SQLBind(CustomerPurchase.text(of: purchase.items)), SQLBind(purchase.createdAt), SQLBind(Self.creator(actor))).run()
                try await services.audit.record(on: tx, actor: actor, action: .update, kind: .customers, id: customerID.uuidString,
                                                label: customer.name, changes: [FieldChange(field: "purchases", old: nil, new: purchase.summary)])
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another request recorded the same reference between the check and the insert.
            throw Self.duplicate(purchase.reference ?? "")
        }
        return purchase
    }

    public func remove(_ id: UUID, by actor: Principal) async throws {
        if let refusal = try await remove([id], by: actor)[id] { throw refusal }
    }

    /// Removes purchases in one transaction, each noted in its customer's history. One
    /// whose customer the actor may not change is left, as one that is gone: the answer
    /// names each left (`notFound`).
    package func remove(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        guard !ids.isEmpty else { return [:] }
        let purchases = try await services.database.sql.select().columns(CustomerPurchase.columns).from("purchases").where("id", .in, ids).all()
            .map(CustomerPurchase.init(row:))
        let (customers, _) = try await services.permissions.sift(try await Customer.find(byIDs: Array(Set(purchases.map(\.customerID))), on: services.database.sql),
                                                                 of: [], actor, .update, on: .customers, notFound: .notFound("Customer"), id: { $0.id! }, owner: \.ownerID)
        let names = Dictionary(customers.map { ($0.id!, $0.name) }) { first, _ in first }
        let going = purchases.filter { names[$0.customerID] != nil }
        var refused = Dictionary(ids.map { ($0, GuanxiError.notFound("Purchase")) }) { first, _ in first }
        for purchase in going { refused[purchase.id] = nil }
        guard !going.isEmpty else { return refused }
        var writes = BulkWrites(engine: services.database.engine)
        try services.audit.writeAll(try going.map { purchase in
            try services.audit.entry(actor: actor, action: .update, kind: .customers, id: purchase.customerID.text, label: names[purchase.customerID] ?? "",
                                     changes: [FieldChange(field: "purchases", old: purchase.summary, new: nil)])
        }, to: &writes)
        try await services.database.db.transaction { [writes] tx in
            try await (tx as! any SQLDatabase).delete(from: "purchases").where("id", .in, going.map(\.id)).run()
            try await writes.run(on: tx)
        }
        return refused
    }

    /// Checks every field; the first problem is the error, naming its field.
    package func validated(_ input: PurchaseInput, customerID: UUID) throws -> CustomerPurchase {
        let now = services.clock.now()
        // A day's grace: the customer's local date can be ahead of the server's.
        guard let date = try CustomerValidate.date(input.date, field: "date", notAfter: now.addingTimeInterval(86_400)) else {
            throw GuanxiError.invalid("date", "date is required.").localized("msg.required", ["field": "date"])
        }
        guard let amount = try Money.parse(input.amount, field: "amount", allowNegative: true) else {
            throw GuanxiError.invalid("amount", "amount is required.").localized("msg.required", ["field": "amount"])
        }
        let margin = try Money.parse(input.margin, field: "margin", allowNegative: true)
        if let margin, abs(margin.minorUnits) > abs(amount.minorUnits) {
            throw GuanxiError.invalid("margin", "margin cannot be larger than the amount.").localized("msg.margin_too_large", [:])
        }
        let currency = try Validate.text(input.currency, field: "currency", required: false, max: 3)?.uppercased() ?? "CNY"
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw GuanxiError.invalid("currency", "currency must be a three-letter code such as CNY.").localized("msg.currency", [:])
        }
        let reference = try Validate.text(input.reference, field: "reference", required: false, max: 100)
        let items = try (input.items ?? []).compactMap { try Validate.text($0, field: "items", required: false, max: 100) }
        guard items.count <= 100 else {
            throw GuanxiError.invalid("items", "A purchase can list at most 100 items.").localized("msg.too_many_items", [:])
        }
        return CustomerPurchase(id: RecordID.new(), customerID: customerID, reference: reference, date: date, amount: amount, margin: margin,
                                currency: currency, items: items, createdAt: now)
    }

    /// Who recorded a purchase: nobody for the shell's console, which is no user.
    package static func creator(_ actor: Principal) -> UUID? { actor.channel == .console ? nil : actor.userID }

    package static func duplicate(_ reference: String) -> GuanxiError {
        GuanxiError(.conflict, "A purchase with reference \(reference) is recorded already.", field: "reference")
            .localized("msg.purchase_reference_taken", ["reference": reference])
    }
}
