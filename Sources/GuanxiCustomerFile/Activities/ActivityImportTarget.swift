import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Activities in an import file — the call log and visit reports of a CRM left behind.
/// Times are read in the importer's time zone (`2026-03-01 14:30`, or a day alone); the
/// customer column names a customer on file by external id or exact name. Past activities
/// are history: they are not checked against anyone's calendar.
package struct ActivityImportTarget: ImportTarget {
    package let services: CustomerFileServices
    package let companies = PendingCompanies()
    package var kind: RecordKind { .activities }
    package var keys: [String] { [] }

    package var fields: [ImportField] {
        [
            ImportField(key: "kind", names: ["类型", "活动类型", "方式", "type", "activitytype", "kind"], required: true),
            ImportField(key: "subject", names: ["主题", "标题", "事项", "subject", "title"], required: true),
            ImportField(key: "customer", names: ["客户", "客户名称", "公司", "customer", "account", "company"]),
            ImportField(key: "starts_at", names: ["开始时间", "开始", "时间", "日期", "start", "starttime", "startsat", "date"]),
            ImportField(key: "ends_at", names: ["结束时间", "结束", "end", "endtime", "endsat"]),
            ImportField(key: "due_at", names: ["截止时间", "截止日期", "到期", "due", "duedate", "dueat"]),
            ImportField(key: "status", names: ["状态", "status"]),
            ImportField(key: "priority", names: ["优先级", "priority"]),
            ImportField(key: "description", names: ["内容", "描述", "详情", "记录", "description", "details", "notes"]),
            ImportField(key: "outcome", names: ["结果", "成果", "outcome", "result"]),
            ImportField(key: "owner", names: ["负责人", "执行人", "所有者", "owner", "assignedto"]),
        ]
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> ActivityInput {
        let localizer = services.localizer
        var input = ActivityInput()
        input.kind = ImportValues.choice(values["kind"], keys: ActivityVocabulary.kinds, labels: "activity_kinds", localizer: localizer)
        input.status = ImportValues.choice(values["status"], keys: ActivityVocabulary.statuses, labels: "activity_statuses", localizer: localizer)
        input.priority = ImportValues.choice(values["priority"], keys: ActivityVocabulary.priorities, labels: "priorities", localizer: localizer)
        (input.subject, input.description, input.outcome) = (values["subject"], values["description"], values["outcome"])
        for (key, field) in [("starts_at", "startsAt"), ("ends_at", "endsAt"), ("due_at", "dueAt")] {
            guard let text = values[key] else { continue }
            let time: Date?? = text.isEmpty ? .some(nil) : text.count == 10
                ? .some(try Validate.localDay(text, field: field, timeZone: actor.timeZone))
                : try Validate.localTime(text, field: field, timeZone: actor.timeZone)
            switch key { case "starts_at": input.startsAt = time; case "ends_at": input.endsAt = time; default: input.dueAt = time }
        }
        if let company = values["customer"] {
            input.related = company.isEmpty ? .some(nil) : .some((.customers, try await ImportValues.customer(company, by: actor, services: services, cache: companies)))
        }
        input.ownerID = try await ImportValues.owner(values["owner"], services: services)
        input.allowConflicts = true
        input.customFields = ImportValues.custom(values, fields: try await services.customValues.fields(of: .activities))
        return input
    }

    package func prepare(_ input: ActivityInput, by actor: Principal) async throws -> (prepared: ActivityService.NewActivity, id: UUID) {
        let new = try await services.activities.prepare(input, by: actor)
        return (new, new.activity.id!)
    }

    package func insert(_ prepared: ActivityService.NewActivity, by actor: Principal, on tx: any Database) async throws {
        try await services.activities.insert(prepared, by: actor, on: tx)
    }

    package func update(_ id: UUID, _ input: ActivityInput, restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        _ = try await services.activities.update(id, input, expectedVersion: nil, by: actor, alsoIn: alsoIn)
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] {
        let a = try await services.activities.find(id, for: actor)
        let format = DisplayFormat(timeZone: actor.timeZone, locale: "en")
        var customer: String?
        if let customerID = a.customerID, a.relatedKind == "customers" {
            customer = try await services.database.sql.select().columns("name", "external_id").from("customers").where("id", .equal, customerID).first()
                .map { try $0.decode(column: "external_id", as: String?.self) ?? $0.decode(column: "name", as: String.self) }
        }
        var all: [String: String?] = [
            "kind": a.kind, "subject": a.subject, "customer": customer, "starts_at": a.startsAt.map(format.dateTime), "ends_at": a.endsAt.map(format.dateTime),
            "due_at": a.dueAt.map(format.dateTime), "status": a.status, "priority": a.priority, "description": a.details.nilIfEmpty, "outcome": a.outcome,
            "owner": try await ImportValues.username(a.ownerID, services: services),
        ]
        for (key, value) in try await services.customValues.values(of: .activities, id: id) { all["cf.\(key)"] = value.importText }
        return fields.reduce(into: [:]) { out, key in out[key] = (all[key] ?? nil) ?? "" }
    }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await Self.deleteEach(ids) { try await services.activities.delete($0, expectedVersion: nil, by: actor) }
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] { [] }
}
