import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// Opportunities in an import file — the deals of a CRM left behind. The customer column
/// names a customer on file by external id or exact name (import the customers first);
/// pipeline and stage are matched by name (the default pipeline's first stage when left
/// out).
package struct OpportunityImportTarget: ImportTarget {
    package let services: SalesServices
    package let companies = PendingCompanies()
    package var kind: RecordKind { .opportunities }
    package var keys: [String] { [] }

    package var fields: [ImportField] {
        [
            ImportField(key: "name", names: ["商机名称", "商机", "机会名称", "项目名称", "名称", "name", "opportunity", "opportunityname", "deal", "dealname"], required: true),
            ImportField(key: "customer", names: ["客户", "客户名称", "公司", "公司名称", "customer", "account", "accountname", "company"], required: true),
            ImportField(key: "pipeline", names: ["销售流程", "流程", "pipeline"]),
            ImportField(key: "stage", names: ["阶段", "销售阶段", "stage", "salesstage"]),
            ImportField(key: "amount", names: ["金额", "预计金额", "amount", "value", "dealvalue"]),
            ImportField(key: "currency", names: ["币种", "货币", "currency"]),
            ImportField(key: "expected_close", names: ["预计成交日期", "预计成交", "成交日期", "expectedclose", "closedate", "expectedclosedate"]),
            ImportField(key: "probability", names: ["概率", "赢率", "成交概率", "probability"]),
            ImportField(key: "owner", names: ["负责人", "所有者", "销售", "owner", "dealowner"]),
            ImportField(key: "source", names: ["来源", "source", "leadsource"]),
            ImportField(key: "loss_reason", names: ["输单原因", "丢单原因", "lossreason"]),
            ImportField(key: "notes", names: ["备注", "说明", "notes", "description"]),
        ]
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> OpportunityInput {
        var input = OpportunityInput()
        (input.name, input.amount, input.currency, input.expectedClose) = (values["name"], values["amount"], values["currency"], values["expected_close"])
        (input.source, input.lossReason, input.notes) = (values["source"] ?? (isNew ? settings.source : nil), values["loss_reason"], values["notes"])
        if let company = values["customer"] { input.customerID = .some(try await ImportValues.customer(company, by: actor, services: services.customerFile, cache: companies)) }
        if let text = values["probability"] {
            guard let p = Int(text.replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)) else {
                throw GuanxiError.invalid("probability", "probability must be a whole number from 0 to 100.").localized("msg.range", ["field": "probability", "min": "0", "max": "100"])
            }
            input.probability = p
        }
        let pipelines = try await services.pipelines.list()
        if let name = values["pipeline"] {
            guard let found = pipelines.first(where: { $0.pipeline.name == name }) else {
                throw GuanxiError.invalid("pipelineId", "No pipeline is called \(name).").localized("msg.import_unknown_value", ["field": "pipeline", "value": name])
            }
            input.pipelineID = found.pipeline.id
        }
        if let name = values["stage"] {
            let candidates = pipelines.filter { input.pipelineID == nil || $0.pipeline.id == input.pipelineID }
            guard let stage = candidates.lazy.compactMap({ $0.stages.first { $0.name == name } }).first else {
                throw GuanxiError.invalid("stageId", "No stage is called \(name).").localized("msg.import_unknown_value", ["field": "stage", "value": name])
            }
            (input.pipelineID, input.stageID) = (stage.pipelineID, stage.id)
        }
        input.ownerID = try await ImportValues.owner(values["owner"], services: services.customerFile)
        input.customFields = ImportValues.custom(values, fields: try await services.customValues.fields(of: .opportunities))
        return input
    }

    package func prepare(_ input: OpportunityInput, by actor: Principal) async throws -> (prepared: OpportunityService.NewOpportunity, id: UUID) {
        let new = try await services.opportunities.prepare(input, by: actor)
        return (new, new.opportunity.id!)
    }

    package func insert(_ prepared: OpportunityService.NewOpportunity, by actor: Principal, on tx: any Database) async throws {
        try await services.opportunities.insert(prepared, by: actor, on: tx)
    }

    package func update(_ id: UUID, _ input: OpportunityInput, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        _ = try await services.opportunities.update(id, input, expectedVersion: nil, by: actor, alsoIn: alsoIn)
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] {
        let o = try await services.opportunities.find(id, for: actor)
        let (pipeline, stages) = try await services.pipelines.find(o.pipelineID)
        let customer = try await services.database.sql.select().columns("name", "external_id").from("customers").where("id", .equal, o.customerID).first()
        var all: [String: String?] = [
            "name": o.name, "customer": try customer.map { try $0.decode(column: "external_id", as: String?.self) ?? $0.decode(column: "name", as: String.self) },
            "pipeline": pipeline.name, "stage": stages.first { $0.id == o.stageID }?.name, "amount": o.amount.decimalText, "currency": o.currency,
            "expected_close": o.expectedClose, "probability": String(o.probability), "owner": try await ImportValues.username(o.ownerID, services: services.customerFile),
            "source": o.source, "loss_reason": o.lossReason, "notes": o.notes.nilIfEmpty,
        ]
        for (key, value) in try await services.customValues.values(of: .opportunities, id: id) { all["cf.\(key)"] = value.importText }
        return fields.reduce(into: [:]) { out, key in out[key] = (all[key] ?? nil) ?? "" }
    }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await Self.deleteEach(ids) { try await services.opportunities.delete($0, expectedVersion: nil, by: actor) }
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] { [] }
}
