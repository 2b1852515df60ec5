import Foundation
import SQLKit
import GuanxiPlatform

/// Loads purchases from a CSV file — a history exported from a shop or ERP system — so
/// that the analytics can run on it. `guanxi import purchases FILE` calls it.
///
/// Columns are recognised by their header, in Chinese or English (`Column.names`): the
/// customer reference, date and amount are required; margin, items (separated by `;`,
/// `|` or `、`), reference (the order number) and currency are optional. The customer
/// reference is matched, in this order, as a customer's external id (their number in the
/// shop system), a Guanxi customer id, an e-mail address, or a phone number (by its
/// digits); with `createMissingCustomers` a reference that matches nobody creates a
/// customer named by it, keeping it as the e-mail, the phone or else the external id — so
/// loading the next export finds the same customer.
///
/// Every row is checked like a purchase entered through the API. A row with a problem is
/// rejected with its line, column and reason and never stops the good rows; an order
/// number seen before (in the file or on file) is rejected as a duplicate. Good rows are
/// written 500 at a time, each batch in one transaction; a dry run writes nothing.
public struct PurchaseImport: Sendable {
    let services: AppServices

    public init(services: AppServices) { self.services = services }

    enum Column: String, CaseIterable, Sendable {
        case customer, date, amount, margin, items, reference, currency

        /// Headers recognised for each column, compared without case and spaces.
        var names: [String] {
            switch self {
            case .customer: ["customer", "customerref", "customerreference", "customerid", "externalid", "email", "e-mail", "phone", "mobile",
                             "客户", "客户编号", "客户号", "会员", "会员号", "邮箱", "电子邮件", "电话", "手机", "手机号"]
            case .date: ["date", "orderdate", "purchasedate", "purchasedon", "日期", "下单日期", "购买日期", "交易日期", "订单日期"]
            case .amount: ["amount", "total", "revenue", "value", "金额", "订单金额", "实付金额", "销售额", "交易金额"]
            case .margin: ["margin", "profit", "grossprofit", "利润", "毛利", "毛利润"]
            case .items: ["items", "products", "product", "sku", "skus", "商品", "产品", "商品编码", "货号"]
            case .reference: ["reference", "orderid", "ordernumber", "order", "transactionid", "invoice", "单号", "订单号", "交易号", "流水号"]
            case .currency: ["currency", "币种", "货币"]
            }
        }
    }

    public struct Problem: Sendable, Equatable { public let line: Int; public let column: String; public let message: String; public let fields: [String] }

    public struct Report: Sendable, Equatable {
        public var rows = 0
        public var imported = 0
        public var customersCreated = 0
        public var problems: [Problem] = []
        public var dryRun = false

        /// The rejected rows as CSV: the reason, the line, then the row as it was.
        public var rejectedCSV: String {
            CSVText.document(header: ["reason", "line", "column"], rows: problems.map { [$0.message, String($0.line), $0.column] + $0.fields })
        }
    }

    public func run(_ data: Data, createMissingCustomers: Bool, dryRun: Bool, by actor: Principal) async throws -> Report {
        let (text, _) = try TextDecoding.decode(data)
        let reader = CSVReader(detectingFrom: text)
        let rows = try reader.rows(text)
        guard let header = rows.first else {
            throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:])
        }
        let columns = try map(header.fields)
        var report = Report(rows: rows.count - 1, dryRun: dryRun)
        var index = try await CustomerIndex.load(services.database.sql)
        var seenReferences: Set<String> = []
        var batch: [Pending] = []
        let purchases = PurchaseService(services: services)

        for row in rows.dropFirst() {
            func value(_ column: Column) -> String? {
                guard let i = columns[column], i < row.fields.count else { return nil }
                let v = row.fields[i].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            func reject(_ column: String, _ message: String) { report.problems.append(Problem(line: row.line, column: column, message: message, fields: row.fields)) }
            guard row.fields.count == header.fields.count else {
                reject("", "The row has \(row.fields.count) fields where the header has \(header.fields.count).")
                continue
            }
            guard let reference = value(.customer) else { reject(header.fields[columns[.customer]!], "The customer reference is empty."); continue }
            var input = PurchaseInput()
            (input.date, input.amount, input.margin, input.reference, input.currency) = (value(.date), value(.amount), value(.margin), value(.reference), value(.currency))
            input.items = value(.items).map { $0.split(whereSeparator: { ";|、；".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) } }
            var customerID = index.find(reference)
            let checked: CustomerPurchase
            do {
                checked = try purchases.validated(input, customerID: customerID ?? UUID())
            } catch let error as GuanxiError {
                reject(header.fields[columns[Column(rawValue: error.field ?? "") ?? .customer] ?? 0], error.message)
                continue
            }
            if let order = checked.reference {
                guard seenReferences.insert(order).inserted else { reject(header.fields[columns[.reference]!], "Order \(order) appears earlier in the file."); continue }
            }
            if customerID == nil {
                guard createMissingCustomers else {
                    reject(header.fields[columns[.customer]!], "No customer matches \(reference) (use --create-missing-customers to create one).")
                    continue
                }
                if !dryRun {
                    do {
                        customerID = try await createCustomer(for: reference, by: actor)
                    } catch let error as GuanxiError {
                        reject(header.fields[columns[.customer]!], "A customer for \(reference) cannot be created: \(error.message)")
                        continue
                    }
                    index.add(reference, customerID!)
                } else {
                    customerID = UUID()
                    index.add(reference, customerID!)
                }
                report.customersCreated += 1
            }
            var purchase = checked
            purchase.customerID = customerID!
            batch.append(Pending(line: row.line, fields: row.fields, purchase: purchase))
            if batch.count == 500 { report.imported += try await write(&batch, dryRun: dryRun, report: &report, by: actor) }
        }
        report.imported += try await write(&batch, dryRun: dryRun, report: &report, by: actor)
        if !dryRun {
            try await services.audit.record(on: services.database.db, actor: actor, action: .create, kind: .customers, id: "import", label: "purchases import",
                                            changes: [FieldChange(field: "purchases", old: nil, new: String(report.imported)),
                                                      FieldChange(field: "customers", old: nil, new: String(report.customersCreated)),
                                                      FieldChange(field: "rejected", old: nil, new: String(report.problems.count))])
        }
        return report
    }

    /// Header position of each column; a required column that is missing is an error
    /// listing what was found, so the user can rename the header.
    func map(_ header: [String]) throws -> [Column: Int] {
        var found: [Column: Int] = [:]
        for (i, name) in header.enumerated() {
            let key = name.lowercased().filter { !$0.isWhitespace && $0 != "_" }
            if let column = Column.allCases.first(where: { $0.names.contains(key) }), found[column] == nil { found[column] = i }
        }
        for required in [Column.customer, .date, .amount] where found[required] == nil {
            throw GuanxiError.invalid("file", "No \(required.rawValue) column: the header has \(header.joined(separator: ", ")).")
                .localized("msg.csv_missing_column", ["column": required.rawValue, "header": header.joined(separator: ", ")])
        }
        return found
    }

    /// A checked row waiting for its batch.
    struct Pending: Sendable { let line: Int; let fields: [String]; let purchase: CustomerPurchase }

    /// Writes a batch in one transaction, skipping order numbers already on file.
    private func write(_ pending: inout [Pending], dryRun: Bool, report: inout Report, by actor: Principal) async throws -> Int {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !pending.isEmpty else { return 0 }
        let references = pending.compactMap(\.purchase.reference)
        var onFile: Set<String> = []
        if !references.isEmpty {
            onFile = Set(try await services.database.sql.select().column("reference").from("purchases").where("reference", .in, references).all()
                .map { try $0.decode(column: "reference", as: String.self) })
        }
        var fresh: [CustomerPurchase] = []
        for row in pending {
            if let order = row.purchase.reference, onFile.contains(order) {
                report.problems.append(Problem(line: row.line, column: "reference", message: "Order \(order) is recorded already.", fields: row.fields))
            } else {
                fresh.append(row.purchase)
            }
        }
        guard !dryRun, !fresh.isEmpty else { return fresh.count }
        let rows = fresh
        try await services.database.db.transaction { tx in
            var insert = (tx as! any SQLDatabase).insert(into: "purchases").columns(CustomerPurchase.columns + ["created_by"])
            for p in rows {
                insert = insert.values(SQLBind(p.id), SQLBind(p.customerID), SQLBind(p.reference), SQLBind(p.date), SQLBind(p.amount.minorUnits),
                                       SQLBind(p.margin?.minorUnits), SQLBind(p.currency), SQLBind(CustomerPurchase.text(of: p.items)),
                                       SQLBind(p.createdAt), SQLBind(PurchaseService.creator(actor)))
            }
            try await insert.run()
        }
        return fresh.count
    }

    private func createCustomer(for reference: String, by actor: Principal) async throws -> UUID {
        var input = CustomerInput()
        input.name = reference
        input.kind = "person"
        if reference.contains("@") {
            input.email = reference
        } else if CustomerIndex.isPhone(reference) {
            input.phone = reference
        } else {
            input.externalID = reference
        }
        return try await services.customers.create(input, by: actor).id!
    }
}

/// Customers by external id, id, e-mail and phone digits, read once for a whole import.
struct CustomerIndex: Sendable {
    var externalIDs: [String: UUID] = [:]
    var ids: Set<UUID> = []
    var emails: [String: UUID] = [:]
    var phones: [String: UUID] = [:]
    var added: [String: UUID] = [:]

    static func load(_ sql: any SQLDatabase) async throws -> CustomerIndex {
        var index = CustomerIndex()
        for row in try await sql.select().columns("id", "email", "phone_digits", "external_id").from("customers").all() {
            let id = try row.decode(column: "id", as: UUID.self)
            index.ids.insert(id)
            if let external = try row.decode(column: "external_id", as: String?.self) { index.externalIDs[external] = id }
            if let email = try row.decode(column: "email", as: String?.self) { index.emails[email.lowercased()] = index.emails[email.lowercased()] ?? id }
            if let digits = try row.decode(column: "phone_digits", as: String?.self), !digits.isEmpty { index.phones[digits] = index.phones[digits] ?? id }
        }
        return index
    }

    func find(_ reference: String) -> UUID? {
        if let id = added[reference] ?? externalIDs[reference] { return id }
        if let id = UUID(uuidString: reference), ids.contains(id) { return id }
        if reference.contains("@") { return emails[reference.lowercased()] }
        return Self.isPhone(reference) ? phones[reference.asciiDigits] : nil
    }

    /// Seven or more digits, and nothing but digits, spaces, dashes, dots, brackets and a
    /// leading plus: "021-5555 0000", "+86 138 0013 8000" — not an order code like "C-10023".
    static func isPhone(_ text: String) -> Bool {
        text.asciiDigits.count >= 7 && text.allSatisfy { $0.isASCII && ($0.isNumber || " -.()+".contains($0)) }
    }

    mutating func add(_ reference: String, _ id: UUID) { added[reference] = id }

}
