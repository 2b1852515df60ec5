import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Leads in an import file — the cards from a trade fair, a purchased list. With
/// `assignByRules` new leads go to owners by the lead assignment rules (territories and
/// round-robin), as leads from the web form do.
package struct LeadImportTarget: ImportTarget {
    package let assignsByRules = true
    package let services: SalesServices
    package var kind: RecordKind { .leads }
    package var keys: [String] { ["email", "phone", "wechat"] }

    package var fields: [ImportField] {
        [
            ImportField(key: "name", names: ["姓名", "名字", "联系人", "name", "fullname", "contactname", "lead", "leadname"], required: true),
            ImportField(key: "company", names: ["公司", "公司名称", "单位", "企业名称", "company", "companyname", "organization", "organisation"]),
            ImportField(key: "title", names: ["职务", "职位", "头衔", "title", "jobtitle", "position"]),
            ImportField(key: "phone", names: ["电话", "手机", "手机号", "联系电话", "phone", "mobile", "telephone", "tel"]),
            ImportField(key: "email", names: ["邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"]),
            ImportField(key: "wechat", names: ["微信", "微信号", "wechat", "weixin"]),
            ImportField(key: "province", names: ["省份", "省", "province", "state"]),
            ImportField(key: "city", names: ["城市", "市", "city"]),
            ImportField(key: "industry", names: ["行业", "industry"]),
            ImportField(key: "source", names: ["来源", "线索来源", "source", "leadsource"]),
            ImportField(key: "status", names: ["状态", "线索状态", "status", "leadstatus"]),
            ImportField(key: "rating", names: ["评级", "热度", "rating"]),
            ImportField(key: "owner", names: ["负责人", "所有者", "owner"]),
            ImportField(key: "notes", names: ["备注", "说明", "notes", "note", "description"]),
        ]
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> LeadInput {
        var input = LeadInput()
        (input.name, input.company, input.title, input.phone, input.email, input.wechat) =
            (values["name"], values["company"], values["title"], values["phone"], values["email"], values["wechat"])
        (input.province, input.city, input.industry, input.notes) = (values["province"], values["city"], values["industry"], values["notes"])
        input.source = values["source"] ?? (isNew ? settings.source : nil)
        input.status = ImportValues.choice(values["status"], keys: LeadVocabulary.statuses, labels: "lead_statuses", localizer: services.localizer)
        input.rating = ImportValues.choice(values["rating"], keys: LeadVocabulary.ratings, labels: "lead_ratings", localizer: services.localizer)
        if let owner = try await ImportValues.owner(values["owner"], services: services.customerFile) {
            input.assignment = .owner(owner)
        } else if isNew && settings.assignByRules {
            input.assignment = .byRules
        }
        input.customFields = ImportValues.custom(values, fields: try await services.customValues.fields(of: .leads))
        return input
    }

    package func prepare(_ input: LeadInput, by actor: Principal) async throws -> (prepared: LeadService.NewLead, id: UUID) {
        let new = try await services.leads.prepare(input, by: actor)
        return (new, new.lead.id!)
    }

    package func insert(_ prepared: LeadService.NewLead, by actor: Principal, on tx: any Database) async throws {
        try await services.leads.insert(prepared, by: actor, on: tx)
    }

    package func update(_ id: UUID, _ input: LeadInput, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        _ = try await services.leads.update(id, input, expectedVersion: nil, by: actor, alsoIn: alsoIn)
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] {
        let l = try await services.leads.find(id, for: actor)
        var all: [String: String?] = [
            "name": l.name, "company": l.company, "title": l.title, "phone": l.phone, "email": l.email, "wechat": l.wechat, "province": l.province,
            "city": l.city, "industry": l.industry, "source": l.source, "status": l.status, "rating": l.rating, "notes": l.notes.isEmpty ? nil : l.notes,
            "owner": try await ImportValues.username(l.ownerID, services: services.customerFile),
        ]
        for (key, value) in try await services.customValues.values(of: .leads, id: id) { all["cf.\(key)"] = value.importText }
        return fields.reduce(into: [:]) { out, key in out[key] = (all[key] ?? nil) ?? "" }
    }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await services.leads.delete(ids, by: actor)
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] {
        let query = sql.select().column("id").from("leads").limit(3)
        switch key {
        case "email": _ = query.where(SQLFunction("lower", args: SQLIdentifier("email")), .equal, SQLBind(value.lowercased()))
        case "phone": _ = query.where("phone_digits", .equal, value.filter(\.isASCII).filter(\.isNumber))
        case "wechat": _ = query.where("wechat", .equal, value)
        default: return []
        }
        return try await query.all().map { try $0.decode(column: "id", as: UUID.self) }
    }
}
