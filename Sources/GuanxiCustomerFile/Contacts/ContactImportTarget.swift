import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Contacts in an import file: the columns it recognises and how rows become contacts.
/// The customer column is matched by the customer's external id, then by exact name; a
/// company the file names that is not on file yet becomes a new customer (tagged and
/// sourced like the import), saved with the contact and recorded as part of the import
/// — a revert removes it again.
package struct ContactImportTarget: ImportTarget {
    package let readsCards = true
    package let services: CustomerFileServices
    package init(services: CustomerFileServices, settings: ImportSettings = ImportSettings()) {
        self.services = services
        companies = PendingCompanies(tag: settings.tag, source: settings.source)
    }
    package var kind: RecordKind { .contacts }
    package var keys: [String] { ["email", "phone", "wechat"] }
    package func field(forKey key: String) -> String { ["email": "emails", "phone": "phones"][key] ?? key }

    package var fields: [ImportField] {
        [
            ImportField(key: "name", names: ["姓名", "名字", "联系人", "联系人姓名", "name", "fullname", "contactname", "contact"], required: true),
            ImportField(key: "customer", names: ["客户", "客户名称", "公司", "公司名称", "单位", "单位名称", "企业名称", "company", "customer", "account", "organization", "organisation"]),
            ImportField(key: "title", names: ["职务", "职位", "头衔", "title", "jobtitle", "position"]),
            ImportField(key: "department", names: ["部门", "department"]),
            ImportField(key: "phones", names: ["电话", "手机", "手机号", "手机号码", "座机", "办公电话", "联系电话", "phone", "mobile", "telephone", "tel", "workphone", "mobilephone"],
                        multiple: true, labelled: true),
            ImportField(key: "emails", names: ["邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail", "workemail"], multiple: true, labelled: true),
            ImportField(key: "addresses", names: ["地址", "通讯地址", "address", "mailingaddress"], multiple: true, labelled: true),
            ImportField(key: "wechat", names: ["微信", "微信号", "wechat", "weixin"]),
            ImportField(key: "birthday", names: ["生日", "出生日期", "birthday", "birthdate"]),
            ImportField(key: "owner", names: ["负责人", "所有者", "owner"]),
            ImportField(key: "notes", names: ["备注", "说明", "notes", "note", "description"]),
        ]
    }

    /// A contact row: the contact, and the company to create for it when the file names
    /// one that is not on file.
    package struct Row: Sendable {
        package var contact: ContactInput
        package var newCompany: String?
    }

    package struct Prepared: Sendable {
        package let customer: CustomerService.NewCustomer?
        package let contact: ContactService.NewContact
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> Row {
        var input = ContactInput()
        (input.name, input.title, input.department, input.wechat, input.birthday, input.notes) =
            (values["name"], values["title"], values["department"], values["wechat"], values["birthday"], values["notes"])
        input.phones = ContactPages.channels(values["phones"], kind: .phone)
        input.emails = ContactPages.channels(values["emails"], kind: .email)
        input.addresses = ContactPages.channels(values["addresses"], kind: .address)
        input.ownerID = try await ImportValues.owner(values["owner"], services: services)
        input.customFields = ImportValues.custom(values, fields: try await services.customValues.fields(of: .contacts))
        guard let company = values["customer"] else { return Row(contact: input) }
        if company.isEmpty { input.customerID = .some(nil); return Row(contact: input) }
        if let known = companies.found(company) { input.customerID = .some(known); return Row(contact: input) }
        if companies.pending(company) != nil { return Row(contact: input, newCompany: company) }
        if !companies.isMissing(company) {
            try await prefetch([["customer": company]], by: actor, reading: services.database.sql)
            if let id = companies.found(company) { input.customerID = .some(id); return Row(contact: input) }
        }
        guard isNew else {
            throw GuanxiError.invalid("customerId", "No customer you can see is called \(company); import it first or leave the column empty.")
                .localized("msg.import_unknown_customer", ["value": company])
        }
        return Row(contact: input, newCompany: company)
    }

    /// Finds the companies the rows name, by external id first and then by exact name, in
    /// one query per 500 names; names found nowhere are remembered as missing, so their
    /// rows create them without asking again. Customers the importer may read are noted
    /// with their owners, which their contacts follow.
    package func prefetch(_ rows: [[String: String]], by actor: Principal, reading: any SQLDatabase) async throws {
        let names = Array(Set(rows.compactMap { $0["customer"] }.filter { name in
            !name.isEmpty && companies.found(name) == nil && companies.pending(name) == nil && !companies.isMissing(name)
        }))
        guard !names.isEmpty else { return }
        // Only customers the importer may read are looked at: a name held by a hidden
        // customer is treated as new, exactly like a name nobody holds, so the outcome
        // says nothing of records outside the importer's scope.
        let readable = try? await services.permissions.ownerFilter(actor, .read, on: .customers)
        for start in stride(from: 0, to: names.count, by: 500) {
            let chunk = Array(names[start..<min(start + 500, names.count)])
            var query = reading.select().columns("id", "name", "external_id", "owner_id").from("customers")
                .where { $0.where("external_id", .in, chunk).orWhere("name", .in, chunk) }
            let condition: (any SQLExpression)? = if let readable { readable.condition() } else { SQLRaw("1 = 0") }
            if let condition { query = query.where(condition) }
            let found = try await query.all()
            var byExternalID: [String: (UUID, UUID?)] = [:]
            var byName: [String: (UUID, UUID?)] = [:]
            for row in found {
                let customer = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "owner_id", as: UUID?.self))
                if let external = try row.decode(column: "external_id", as: String?.self) { byExternalID[external] = byExternalID[external] ?? customer }
                let name = try row.decode(column: "name", as: String.self)
                byName[name] = byName[name] ?? customer
            }
            for name in chunk {
                guard let (id, owner) = byExternalID[name] ?? byName[name] else { companies.markMissing(name); continue }
                companies.remember(name, id)
                if readable?.allows(owner) == true { companies.checked.remember(id, owner: owner) }
            }
        }
    }

    /// New companies of this run by name, so two cards from one company make one customer.
    package let companies: PendingCompanies

    package func prepare(_ row: Row, by actor: Principal) async throws -> (prepared: Prepared, id: UUID) {
        // The contact is checked first: a card with a problem creates no company either.
        var contact = try await services.contacts.prepare(row.contact, by: actor, known: companies.checked)
        var customer: CustomerService.NewCustomer?
        if let company = row.newCompany {
            if let pending = companies.pending(company) {
                contact.values.customerID = pending
            } else {
                var input = CustomerInput()
                (input.name, input.source, input.tags) = (company, companies.source, companies.tag.map { [$0] })
                let new = try await services.customers.prepare(input, by: actor)
                companies.add(company, new.id)
                companies.checked.remember(new.id, owner: new.values.ownerID)
                contact.values.customerID = new.id
                customer = new
            }
        }
        return (Prepared(customer: customer, contact: contact), contact.id)
    }

    package func insert(_ prepared: Prepared, by actor: Principal, on tx: any Database) async throws {
        if let customer = prepared.customer { try await services.customers.insert(customer, by: actor, on: tx) }
        try await services.contacts.insert(prepared.contact, by: actor, on: tx)
    }

    /// A batch of contacts (and the companies they bring) with one statement per table.
    package func insertAll(_ batch: [Prepared], by actor: Principal, to writes: inout BulkWrites) throws {
        try services.customers.insertAll(batch.compactMap(\.customer), by: actor, to: &writes)
        try services.contacts.insertAll(batch.map(\.contact), by: actor, to: &writes)
    }

    package func alsoCreated(_ prepared: Prepared) -> [(kind: RecordKind, id: UUID)] {
        prepared.customer.map { [(.customers, $0.id)] } ?? []
    }

    package func update(_ id: UUID, _ row: Row, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        var input = row.contact
        if !restoring {
            // New phones, e-mails and addresses join the contact's own; none is taken away.
            let current = try await services.contacts.channels(of: id)
            for kind in ContactChannel.Kind.allCases {
                let sent: [ContactChannel]? = switch kind { case .email: input.emails; case .phone: input.phones; case .address: input.addresses }
                guard let sent else { continue }
                let merged = current.filter { $0.kind == kind } + sent
                switch kind { case .email: input.emails = merged; case .phone: input.phones = merged; case .address: input.addresses = merged }
            }
        }
        _ = try await services.contacts.update(id, input, expectedVersion: nil, by: actor, alsoIn: alsoIn)
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] {
        let c = try await services.contacts.find(id, for: actor)
        let channels = try await services.contacts.channels(of: id)
        let custom = try await services.customValues.values(of: .contacts, id: id)
        func lines(_ kind: ContactChannel.Kind) -> String {
            channels.filter { $0.kind == kind }.map { ($0.label.map { "\($0): " } ?? "") + $0.value }.joined(separator: "\n")
        }
        var customer = ""
        if let customerID = c.customerID {
            let row = try await services.database.sql.select().columns("name", "external_id").from("customers").where("id", .equal, customerID).first()
            customer = try row.map { try $0.decode(column: "external_id", as: String?.self) ?? $0.decode(column: "name", as: String.self) } ?? ""
        }
        var all: [String: String?] = [
            "name": c.name, "customer": customer, "title": c.title, "department": c.department, "phones": lines(.phone), "emails": lines(.email),
            "addresses": lines(.address), "wechat": c.wechat, "birthday": c.birthday, "notes": c.notes.isEmpty ? nil : c.notes,
            "owner": try await ImportValues.username(c.ownerID, services: services),
        ]
        for (key, value) in custom { all["cf.\(key)"] = value.importText }
        return fields.reduce(into: [:]) { out, key in out[key] = (all[key] ?? nil) ?? "" }
    }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await services.contacts.delete(ids, by: actor)
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] {
        switch key {
        case "email", "phone":
            let normalised = key == "email" ? value.lowercased() : value.asciiDigits
            return try await sql.select().distinct().column("contact_id").from("contact_channels").where("kind", .equal, key).where("normalized", .equal, normalised)
                .limit(3).all().map { try $0.decode(column: "contact_id", as: UUID.self) }
        case "wechat":
            return try await sql.select().column("id").from("contacts").where("wechat", .equal, value).limit(3).all().map { try $0.decode(column: "id", as: UUID.self) }
        default: return []
        }
    }

    /// Ordered by name (the lists, and the short given-name search) or by phone/e-mail —
    /// the last kept when the import finds records by phone or e-mail — and the search
    /// index, of the contacts and of the companies created with them.
    package func findAll(_ key: String, _ values: [String], on sql: any SQLDatabase) async throws -> [String: [UUID]] {
        let normalised = values.map { self.normalised(key, $0) }
        switch key {
        case "email", "phone":
            return try await Self.matching(normalised) { chunk in
                sql.select().distinct().column(SQLAlias(SQLIdentifier("contact_id"), as: SQLIdentifier("id"))).column(SQLAlias(SQLIdentifier("normalized"), as: SQLIdentifier("k")))
                    .from("contact_channels").where("kind", .equal, key).where("normalized", .in, chunk)
            }
        case "wechat":
            return try await Self.matching(normalised) { chunk in
                sql.select().column("id").column(SQLAlias(SQLIdentifier("wechat"), as: SQLIdentifier("k"))).from("contacts").where("wechat", .in, chunk)
            }
        default: return [:]
        }
    }

    /// Phones and e-mails on file, read through the whole channel table in one pass
    /// rather than by the index a large import sets aside.
    package func keySnapshot(_ key: String, on sql: any SQLDatabase) async throws -> ImportKeySnapshot? {
        guard ["email", "phone"].contains(key) else { return nil }
        let builder = ImportKeySnapshot.Builder()
        try await sql.select().column("normalized").column("contact_id").from("contact_channels").where("kind", .equal, key).run { row in
            if let value = try? row.decode(column: "normalized", as: String.self), let id = try? row.decode(column: "contact_id", as: UUID.self) {
                builder.add(value, id)
            }
        }
        return builder.snapshot
    }

    package func findAll(_ key: String, _ values: [String], among snapshot: ImportKeySnapshot, on sql: any SQLDatabase) async throws -> [String: [UUID]] {
        guard ["email", "phone"].contains(key) else { return try await findAll(key, values, on: sql) }
        let wanted = Set(values.map { normalised(key, $0) })
        let ids = Array(Set(wanted.flatMap(snapshot.candidates)))
        var found: [String: [UUID]] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            // By the channel table's own key (contact, kind, position): no value index needed.
            for row in try await sql.select().column("contact_id").column("normalized").from("contact_channels")
                .where("contact_id", .in, Array(ids[start..<min(start + 500, ids.count)])).where("kind", .equal, key).all() {
                let value = try row.decode(column: "normalized", as: String.self)
                let id = try row.decode(column: "contact_id", as: UUID.self)
                if wanted.contains(value), found[value, default: []].count < 3, found[value]?.contains(id) != true { found[value, default: []].append(id) }
            }
        }
        return found
    }

    package func scatteredIndexes(_ settings: ImportSettings) -> [String] {
        ["contacts_name_from2_idx", "contacts_name_from3_idx",
         "contacts_name_sort_idx", "contacts_owner_name_sort_idx"]
            + (["email", "phone"].contains(settings.key ?? "") ? [] : ["contact_channels_value_idx"])
            + [SQLiteSearchIndex.insertTrigger("contacts"), SQLiteSearchIndex.insertTrigger("customers")]
            + ["contacts_name_trgm_idx", "contacts_search_trgm_idx"]
    }
}
