import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Customers in an import file: the columns it recognises and how rows become customers.
package struct CustomerImportTarget: ImportTarget {
    package let services: CustomerFileServices
    /// External ids of the coming rows that no customer holds, looked up a batch at a time.
    package let freeExternalIDs = ExternalIDs()
    package var kind: RecordKind { .customers }
    package var keys: [String] { ["email", "phone", "external_id"] }

    package var fields: [ImportField] {
        [
            ImportField(key: "name", names: ["名称", "客户名称", "客户", "公司", "公司名称", "企业名称", "单位名称", "name", "customer", "company", "companyname", "account", "accountname"], required: true),
            ImportField(key: "kind", names: ["类型", "客户类型", "type", "customertype"]),
            ImportField(key: "industry", names: ["行业", "所属行业", "industry"]),
            ImportField(key: "size", names: ["规模", "公司规模", "size", "companysize"]),
            ImportField(key: "province", names: ["省份", "省", "province", "state"]),
            ImportField(key: "city", names: ["城市", "市", "city"]),
            ImportField(key: "district", names: ["区县", "区", "district"]),
            ImportField(key: "address", names: ["地址", "详细地址", "address", "street"]),
            ImportField(key: "postcode", names: ["邮编", "邮政编码", "postcode", "zip", "zipcode", "postalcode"]),
            ImportField(key: "phone", names: ["电话", "联系电话", "手机", "座机", "phone", "telephone", "tel", "mobile"]),
            ImportField(key: "email", names: ["邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"]),
            ImportField(key: "website", names: ["网站", "网址", "主页", "website", "web", "url", "homepage"]),
            ImportField(key: "external_id", names: ["外部编号", "客户编号", "编号", "会员号", "externalid", "customernumber", "customerid", "accountnumber"]),
            ImportField(key: "source", names: ["来源", "客户来源", "source", "leadsource"]),
            ImportField(key: "grade", names: ["等级", "客户等级", "grade", "rating"]),
            ImportField(key: "relationship", names: ["关系", "关系类型", "relationship"]),
            ImportField(key: "lifecycle_stage", names: ["生命周期", "生命周期阶段", "阶段", "lifecyclestage", "stage"]),
            ImportField(key: "tags", names: ["标签", "tags", "tag"]),
            ImportField(key: "owner", names: ["负责人", "所有者", "销售", "owner", "accountowner"]),
            ImportField(key: "birthday", names: ["生日", "birthday"]),
            ImportField(key: "anniversary", names: ["纪念日", "周年", "anniversary"]),
            ImportField(key: "notes", names: ["备注", "说明", "notes", "note", "description", "comments"]),
        ]
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> CustomerInput {
        let localizer = services.localizer
        var input = CustomerInput()
        (input.name, input.industry, input.province, input.city, input.district) = (values["name"], values["industry"], values["province"], values["city"], values["district"])
        (input.address, input.postcode, input.phone, input.email, input.website) = (values["address"], values["postcode"], values["phone"], values["email"], values["website"])
        (input.externalID, input.grade, input.birthday, input.anniversary, input.notes) = (values["external_id"], values["grade"], values["birthday"], values["anniversary"], values["notes"])
        input.kind = ImportValues.choice(values["kind"], keys: CustomerVocabulary.kinds, labels: "customer_kinds", localizer: localizer)
        input.size = ImportValues.choice(values["size"], keys: CustomerVocabulary.sizes, labels: "sizes", localizer: localizer)
        input.relationship = ImportValues.choice(values["relationship"], keys: CustomerVocabulary.relationships, labels: "relationships", localizer: localizer)
        input.lifecycleStage = ImportValues.choice(values["lifecycle_stage"], keys: CustomerVocabulary.lifecycleStages, labels: "lifecycle", localizer: localizer)
        input.source = values["source"] ?? (isNew ? settings.source : nil)
        input.ownerID = try await ImportValues.owner(values["owner"], services: services)
        // Tags add to the customer's own (see `update`); an import never takes a tag away.
        var tags = values["tags"].map(ImportValues.list)
        if let tag = settings.tag { tags = (tags ?? []) + [tag] }
        input.tags = tags
        input.customFields = ImportValues.custom(values, fields: try await services.customValues.fields(of: .customers))
        input.externalIDKnownFree = input.externalID.map(freeExternalIDs.take) ?? false
        return input
    }

    /// Looks up the external ids of a batch in one query per 500, so that checking each
    /// row need not ask whether its id is taken: one query per row was 40 % of an import.
    package func prefetch(_ rows: [[String: String]], by actor: Principal, reading: any SQLDatabase) async throws {
        let ids = Array(Set(rows.compactMap { $0["external_id"]?.trimmed }.filter { !$0.isEmpty }))
        var taken: Set<String> = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for row in try await reading.select().column("external_id").from("customers").where("external_id", .in, chunk).all() {
                taken.insert(try row.decode(column: "external_id", as: String.self))
            }
        }
        freeExternalIDs.add(Set(ids).subtracting(taken))
    }

    /// External ids found free for the batches being checked (the next batch is looked up
    /// while this one is checked). Each is taken by the first row that uses it; a second
    /// row with the same id is checked against the database as usual.
    package final class ExternalIDs: @unchecked Sendable {
        private let lock = NSLock()
        private var free: Set<String> = []
        package func take(_ id: String) -> Bool { lock.withLock { free.remove(id.trimmed) != nil } }
        package func add(_ ids: Set<String>) { lock.withLock { if free.count > 100_000 { free.removeAll() }; free.formUnion(ids) } }
    }

    package func prepare(_ input: CustomerInput, by actor: Principal) async throws -> (prepared: CustomerService.NewCustomer, id: UUID) {
        let new = try await services.customers.prepare(input, by: actor)
        return (new, new.id)
    }

    package func insert(_ prepared: CustomerService.NewCustomer, by actor: Principal, on tx: any Database) async throws {
        try await services.customers.insert(prepared, by: actor, on: tx)
    }

    /// A batch of customers with one statement each for the customers, their tags and
    /// their audit entries, as contacts are written.
    package func insertAll(_ batch: [CustomerService.NewCustomer], by actor: Principal, to writes: inout BulkWrites) throws {
        try services.customers.insertAll(batch, by: actor, to: &writes)
    }

    package func update(_ id: UUID, _ input: CustomerInput, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        var input = input
        if let tags = input.tags, !restoring { input.tags = Array(Set(try await services.customers.tags(of: id) + tags)) }
        _ = try await services.customers.update(id, input, expectedVersion: nil, by: actor, alsoIn: alsoIn)
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] {
        let c = try await services.customers.find(id, for: actor)
        let custom = try await services.customValues.values(of: .customers, id: id)
        var all: [String: String?] = [
            "name": c.name, "kind": c.kind, "industry": c.industry, "size": c.size, "province": c.province, "city": c.city, "district": c.district,
            "address": c.address, "postcode": c.postcode, "phone": c.phone, "email": c.email, "website": c.website, "external_id": c.externalID,
            "source": c.source, "grade": c.grade, "relationship": c.relationship, "lifecycle_stage": c.lifecycleStage, "birthday": c.birthday,
            "anniversary": c.anniversary, "notes": c.notes.isEmpty ? nil : c.notes,
        ]
        for (key, value) in custom { all["cf.\(key)"] = value.importText }
        all["tags"] = try await services.customers.tags(of: id).joined(separator: "; ")
        all["owner"] = try await ImportValues.username(c.ownerID, services: services)
        return fields.reduce(into: [:]) { out, key in out[key] = (all[key] ?? nil) ?? "" }
    }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await services.customers.delete(ids, by: actor)
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] {
        let query = sql.select().column("id").from("customers").limit(3)
        switch key {
        case "email": _ = query.where(SQLFunction("lower", args: SQLIdentifier("email")), .equal, SQLBind(value.lowercased()))
        case "phone": _ = query.where("phone_digits", .equal, value.asciiDigits)
        case "external_id": _ = query.where("external_id", .equal, value)
        default: return []
        }
        return try await query.all().map { try $0.decode(column: "id", as: UUID.self) }
    }

    package func findAll(_ key: String, _ values: [String], on sql: any SQLDatabase) async throws -> [String: [UUID]] {
        let column: any SQLExpression
        switch key {
        case "email": column = SQLFunction("lower", args: SQLIdentifier("email"))
        case "phone": column = SQLIdentifier("phone_digits")
        case "external_id": column = SQLIdentifier("external_id")
        default: return [:]
        }
        return try await Self.matching(values.map { normalised(key, $0) }) { chunk in
            sql.select().column("id").column(SQLAlias(column, as: SQLIdentifier("k"))).from("customers").where(column, .in, SQLBind.group(chunk))
        }
    }

    /// The search index: customers are found by their keys (e-mail, phone digits,
    /// external id) from their own indexes, never through the search.
    package func scatteredIndexes(_ settings: ImportSettings) -> [String] {
        [SQLiteSearchIndex.insertTrigger("customers"), "customers_name_trgm_idx", "customers_search_trgm_idx"]
    }
}
