import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A purchase history in an import file — exported from a shop or ERP system — so that
/// the analytics can run on it. It goes through the import pipeline like every kind:
/// dry run, progress, cancel, resume and revert, rejects with their reasons.
///
/// The customer column is matched, in this order, as a customer's external id (their
/// number in the shop system), a Guanxi customer id, an e-mail address, or a phone number
/// (by its digits), among the customers the importer may change; with
/// `createMissingCustomers` a reference that matches none creates a customer named by it,
/// keeping it as the e-mail, the phone or else the external id — so loading the next
/// export finds the same customer. Every row is checked like a purchase entered through
/// the API; an order number seen before (in the file or on file) is rejected.
package struct PurchaseImportTarget: ImportTarget {
    package let services: CustomerFileServices
    package let settings: ImportSettings
    package let known = KnownReferences()
    package let createsMissingCustomers = true

    package var kind: RecordKind { .purchases }
    /// Purchases are never changed by an import, so nothing finds an existing one.
    package var keys: [String] { [] }
    package var fields: [ImportField] {
        [
            ImportField(key: "customer", names: ["customer", "customerref", "customerreference", "customerid", "externalid", "email", "e-mail", "phone",
                                                 "mobile", "客户", "客户编号", "客户号", "会员", "会员号", "邮箱", "电子邮件", "电话", "手机", "手机号"], required: true),
            ImportField(key: "date", names: ["date", "orderdate", "purchasedate", "purchasedon", "日期", "下单日期", "购买日期", "交易日期", "订单日期"], required: true),
            ImportField(key: "amount", names: ["amount", "total", "revenue", "value", "金额", "订单金额", "实付金额", "销售额", "交易金额"], required: true),
            ImportField(key: "margin", names: ["margin", "profit", "grossprofit", "利润", "毛利", "毛利润"]),
            ImportField(key: "items", names: ["items", "products", "product", "sku", "skus", "商品", "产品", "商品编码", "货号"]),
            ImportField(key: "reference", names: ["reference", "orderid", "ordernumber", "order", "transactionid", "invoice", "单号", "订单号", "交易号", "流水号"]),
            ImportField(key: "currency", names: ["currency", "币种", "货币"]),
        ]
    }

    package struct Row: Sendable {
        package let customer: String
        package let input: PurchaseInput
    }

    package struct Prepared: Sendable {
        package let purchase: CustomerPurchase
        package let customerName: String
        /// The customer the row's reference creates, when none matched.
        package let newCustomer: CustomerService.NewCustomer?
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> Row {
        var input = PurchaseInput()
        (input.date, input.amount, input.margin, input.reference, input.currency) = (values["date"], values["amount"], values["margin"], values["reference"], values["currency"])
        input.items = values["items"].map(ImportValues.list)
        return Row(customer: values["customer"] ?? "", input: input)
    }

    /// Finds, for a batch of rows at once, the customers they name (among those the
    /// importer may change) and the order numbers already on file.
    package func prefetch(_ rows: [[String: String]], by actor: Principal, reading: any SQLDatabase) async throws {
        let references = Array(Set(rows.compactMap { $0["customer"] }.filter { !$0.isEmpty && known.customer($0) == nil }))
        if !references.isEmpty {
            let changeable = try await services.permissions.ownerFilter(actor, .update, on: .customers)
            let emails = references.filter { $0.contains(Character("@")) }.map { $0.lowercased() }
            let phones = references.filter(PurchaseImportTarget.isPhone).map(\.asciiDigits)
            let ids = references.compactMap(UUID.init(uuidString:))
            var query = reading.select().columns("id", "name", "external_id", "email", "phone_digits").from("customers").where { group in
                var group = group.where("external_id", .in, references)
                if !ids.isEmpty { group = group.orWhere("id", .in, ids) }
                if !emails.isEmpty { group = group.orWhere(SQLFunction("lower", args: SQLIdentifier("email")), .in, SQLBind.group(emails)) }
                if !phones.isEmpty { group = group.orWhere("phone_digits", .in, phones) }
                return group
            }
            if let reachable = changeable.condition() { query = query.where(reachable) }
            var found: [Match] = []
            for row in try await query.all() {
                found.append(Match(id: try row.decode(column: "id", as: UUID.self), name: try row.decode(column: "name", as: String.self),
                                   externalID: try row.decode(column: "external_id", as: String?.self), email: try row.decode(column: "email", as: String?.self)?.lowercased(),
                                   phoneDigits: try row.decode(column: "phone_digits", as: String?.self)))
            }
            for reference in references {
                // Each way of naming a customer in turn, so an external id wins over an e-mail that happens to equal it.
                let digits = PurchaseImportTarget.isPhone(reference) ? reference.asciiDigits : nil
                let match = found.first { $0.externalID == reference } ?? found.first { $0.id.uuidString == reference.uppercased() }
                    ?? found.first { reference.contains(Character("@")) && $0.email == reference.lowercased() } ?? found.first { digits != nil && $0.phoneDigits == digits }
                if let match { known.remember(reference, (match.id, match.name)) }
            }
        }
        let orders = Array(Set(rows.compactMap { $0["reference"] }.filter { !$0.isEmpty }))
        for start in stride(from: 0, to: orders.count, by: 500) {
            let chunk = Array(orders[start..<min(start + 500, orders.count)])
            for row in try await reading.select().column("reference").from("purchases").where("reference", .in, chunk).all() {
                known.recordOnFile(try row.decode(column: "reference", as: String.self))
            }
        }
    }

    private struct Match { package let id: UUID; package let name: String; package let externalID: String?; package let email: String?; package let phoneDigits: String? }

    package func prepare(_ row: Row, by actor: Principal) async throws -> (prepared: Prepared, id: UUID) {
        guard !row.customer.isEmpty else {
            throw GuanxiError.invalid("customer", "The customer reference is empty.").localized("msg.required", ["field": "customer"])
        }
        var purchase = try PurchaseService(services: services).validated(row.input, customerID: UUID())
        var name = row.customer, newCustomer: CustomerService.NewCustomer?
        if let match = known.customer(row.customer) {
            (purchase.customerID, name) = match
        } else if settings.createMissingCustomers == true {
            newCustomer = try await services.customers.prepare(PurchaseImportTarget.customerInput(for: row.customer, settings: settings), by: actor)
            purchase.customerID = newCustomer!.id
        } else {
            throw GuanxiError.invalid("customer", "No customer you may change matches \(row.customer); create it first or let the import create missing customers.")
                .localized("msg.purchase_unknown_customer", ["value": row.customer])
        }
        if let order = purchase.reference, !known.claim(order) {
            throw GuanxiError(.conflict, "Order \(order) is recorded already, or appears earlier in the file.", field: "reference")
                .localized("msg.purchase_reference_taken", ["reference": order])
        }
        // Later rows of the same reference find the customer this row creates.
        if let newCustomer { known.remember(row.customer, (newCustomer.id, newCustomer.values.name)) }
        return (Prepared(purchase: purchase, customerName: name, newCustomer: newCustomer), purchase.id)
    }

    package func insert(_ prepared: Prepared, by actor: Principal, on tx: any Database) async throws {
        var writes = BulkWrites(engine: services.database.engine)
        try insertAll([prepared], by: actor, to: &writes)
        try await writes.run(on: tx)
    }

    /// A batch's new customers, its purchases in one statement, and an entry in each
    /// customer's history, as a purchase entered by hand has.
    package func insertAll(_ batch: [Prepared], by actor: Principal, to writes: inout BulkWrites) throws {
        try services.customers.insertAll(batch.compactMap(\.newCustomer), by: actor, to: &writes)
        try writes.insert(into: "purchases", columns: CustomerPurchase.columns + ["created_by"], rows: batch.map { p in
            let x = p.purchase
            return [BulkValue(x.id), BulkValue(x.customerID), BulkValue(x.reference), BulkValue(x.date), BulkValue(any: x.amount.minorUnits),
                    x.margin.map { BulkValue(any: $0.minorUnits) } ?? .null, BulkValue(x.currency), BulkValue(CustomerPurchase.text(of: x.items)), BulkValue(x.createdAt),
                    BulkValue(PurchaseService.creator(actor))]
        })
        try services.audit.writeAll(try batch.map { p in
            try services.audit.entry(actor: actor, action: .update, kind: .customers, id: p.purchase.customerID.uuidString, label: p.customerName,
                                     changes: [FieldChange(field: "purchases", old: nil, new: p.purchase.summary)])
        }, to: &writes)
    }

    package func alsoCreated(_ prepared: Prepared) -> [(kind: RecordKind, id: UUID)] {
        prepared.newCustomer.map { [(.customers, $0.id)] } ?? []
    }

    package func update(_ id: UUID, _ row: Row, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        throw GuanxiError.invalid("mode", "Purchases are only added by an import, never changed.").localized("msg.purchases_create_only", [:])
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] { [:] }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await PurchaseService(services: services).remove(ids, by: actor)
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] { [] }

    /// A customer for a reference that matches none: a person named by it, who keeps it
    /// as e-mail, phone or else external id.
    package static func customerInput(for reference: String, settings: ImportSettings) -> CustomerInput {
        var input = CustomerInput()
        (input.name, input.kind, input.source, input.tags) = (reference, "person", settings.source, settings.tag.map { [$0] })
        if reference.contains(Character("@")) {
            input.email = reference
        } else if isPhone(reference) {
            input.phone = reference
        } else {
            input.externalID = reference
        }
        return input
    }

    /// Seven or more digits, and nothing but digits, spaces, dashes, dots, brackets and a
    /// leading plus: "021-5555 0000", "+86 138 0013 8000" — not an order code like "C-10023".
    package static func isPhone(_ text: String) -> Bool {
        text.asciiDigits.count >= 7 && text.allSatisfy { $0.isASCII && ($0.isNumber || " -.()+".contains($0)) }
    }
}

/// What one import run has learnt: the customers its references name, and the order
/// numbers on file or taken by an earlier row.
package final class KnownReferences: @unchecked Sendable {
    private let lock = NSLock()
    private var customers: [String: (id: UUID, name: String)] = [:]
    private var orders: Set<String> = []

    package func customer(_ reference: String) -> (id: UUID, name: String)? { lock.withLock { customers[reference] } }
    package func remember(_ reference: String, _ customer: (id: UUID, name: String)) { lock.withLock { customers[reference] = customer } }
    package func recordOnFile(_ order: String) { _ = lock.withLock { orders.insert(order) } }
    /// Takes an order number for this row; false when it is on file or taken already.
    package func claim(_ order: String) -> Bool { lock.withLock { orders.insert(order).inserted } }
}
