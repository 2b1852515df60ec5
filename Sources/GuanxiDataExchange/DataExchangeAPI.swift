import Foundation
import GuanxiAPI
import Hummingbird
import OpenAPIRuntime
import GuanxiCustomerFile
import GuanxiPlatform

/// Imports and exports over the REST API: the same pipeline as the web and the shell.
extension CustomerFileAPI {
    package func listImports(_ input: Operations.listImports.Input) async throws -> Operations.listImports.Output {
        let principal = try RequestPrincipal.require()
        return .ok(.init(body: .json(.init(items: try await DataImport(services: services).recent(by: principal).map(Self.apiImport)))))
    }

    package func startImport(_ input: Operations.startImport.Input) async throws -> Operations.startImport.Output {
        let principal = try RequestPrincipal.require()
        guard case .csv(let body) = input.body else { throw GuanxiError(.badRequest, "Send the file as text/csv.") }
        let q = input.query
        let kind = RecordKind(rawValue: q.kind.rawValue)
        let imports = DataImport(services: services)
        let data: Data
        do { data = try await Data(collecting: body, upTo: services.config.maxImportBytes) } catch {
            throw GuanxiError(.payloadTooLarge, "The file is larger than \(services.config.maxImportBytes / 1_048_576) MB.", field: "file")
                .localized("msg.file_too_large", ["max": String(services.config.maxImportBytes / 1_048_576)])
        }
        var settings = ImportSettings()
        settings.mode = q.mode.flatMap { ImportSettings.Mode(rawValue: $0.rawValue) } ?? .create
        settings.duplicates = q.duplicates.flatMap { ImportSettings.Duplicates(rawValue: $0.rawValue) } ?? .skip
        (settings.key, settings.tag, settings.source, settings.assignByRules) = (q.key, q.tag, q.source, q.assignByRules ?? false)
        settings.createMissingCustomers = q.createMissingCustomers == true ? true : nil
        if let template = q.template { settings.mapping = try await ImportTemplates(services: services).find(kind, name: template, by: principal).mapping }
        for entry in q.map ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw GuanxiError.invalid("map", "map takes HEADER=FIELD, not \(entry).").localized("msg.import_map_entry", ["value": entry])
            }
            settings.mapping[parts[0]] = parts[1]
        }
        if q.dryRun == true {
            let report = try await imports.dryRun(kind, data: data, settings: settings, by: principal)
            return .ok(.init(body: .json(.init(rows: report.job.rowsDone, created: report.job.created, updated: report.job.updated, skipped: report.job.skipped,
                                               rejected: report.job.rejected, problems: report.problems.map { .init(line: $0.line, column: $0.column, reason: $0.reason) }))))
        }
        let job = try await imports.start(kind, fileName: q.filename ?? "api.csv", data: data, settings: settings, queue: true, by: principal)
        return .accepted(.init(body: .json(Self.apiImport(job))))
    }

    package func getImport(_ input: Operations.getImport.Input) async throws -> Operations.getImport.Output {
        let principal = try RequestPrincipal.require()
        return .ok(.init(body: .json(Self.apiImport(try await DataImport(services: services).find(try Self.id(input.path.importId, field: "importId"), by: principal)))))
    }

    package func cancelImport(_ input: Operations.cancelImport.Input) async throws -> Operations.cancelImport.Output {
        let principal = try RequestPrincipal.require()
        return .ok(.init(body: .json(Self.apiImport(try await DataImport(services: services).cancel(try Self.id(input.path.importId, field: "importId"), by: principal)))))
    }

    package func resumeImport(_ input: Operations.resumeImport.Input) async throws -> Operations.resumeImport.Output {
        let principal = try RequestPrincipal.require()
        return .accepted(.init(body: .json(Self.apiImport(try await DataImport(services: services).resumeLater(try Self.id(input.path.importId, field: "importId"), by: principal)))))
    }

    package func revertImport(_ input: Operations.revertImport.Input) async throws -> Operations.revertImport.Output {
        let principal = try RequestPrincipal.require()
        return .accepted(.init(body: .json(Self.apiImport(try await DataImport(services: services).revertLater(try Self.id(input.path.importId, field: "importId"), by: principal)))))
    }

    package func getImportRejects(_ input: Operations.getImportRejects.Input) async throws -> Operations.getImportRejects.Output {
        let principal = try RequestPrincipal.require()
        let csv = try await DataImport(services: services).rejectsCSV(try Self.id(input.path.importId, field: "importId"), by: principal)
        return .ok(.init(body: .csv(HTTPBody(csv))))
    }

    package func exportList(_ input: Operations.exportList.Input) async throws -> Operations.exportList.Output {
        let principal = try RequestPrincipal.require()
        let descriptor = try FileExport.exportable(input.path.kind.rawValue, in: services.records)
        let query = try await FileExport(services: services).query(descriptor.kind, view: input.query.view, filters: input.query.query, by: principal)
        let locale = input.query.locale?.rawValue ?? principal.locale
        let name = ExportRoutes.fileName(descriptor.kind, at: services.clock.now())
        let disposition = { (ext: String) in Operations.exportList.Output.Ok.Headers(Content_hyphen_Disposition: ContentDisposition.attachment("\(name.dropLast(4)).\(ext)")) }
        let format = input.query.format?.rawValue ?? "csv"
        guard format != "csv" else {
            let body = try await stream(descriptor.list!, query, locale, input.query.bom ?? true, principal)
            return .ok(.init(headers: disposition("csv"), body: .csv(body)))
        }
        let chosen = try FileExport.format(format, of: descriptor, in: services.records)
        let body = HTTPBody(try await chosen.open(query, principal, locale).text, length: .unknown, iterationBehavior: .single)
        return switch chosen.fileExtension {
        case "vcf": .ok(.init(headers: disposition("vcf"), body: .text_vcard(body)))
        case "ics": .ok(.init(headers: disposition("ics"), body: .text_calendar(body)))
        default: throw GuanxiError(.internal, "The API contract names no content type for .\(chosen.fileExtension) files.")
        }
    }

    private func stream<L: RecordList>(_ list: L, _ query: Parameters, _ locale: String, _ bom: Bool, _ principal: Principal) async throws -> HTTPBody {
        let export = ListExport(services: services)
        let plan = try await export.start(list, query: query, by: principal, locale: locale)
        let text = PagedText(head: export.header(list, plan: plan, locale: locale, byteOrderMark: bom)) { after in
            let page = try await export.chunk(list, plan: plan, query: query, after: after, by: principal, locale: locale)
            return (page.text, page.next)
        }
        return HTTPBody(text, length: .unknown, iterationBehavior: .single)
    }

    package func markContactWayInvalid(_ input: Operations.markContactWayInvalid.Input) async throws -> Operations.markContactWayInvalid.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        guard let reason = body.reason?.rawValue else { throw GuanxiError.invalid("reason", "reason is required.").localized("msg.required", ["field": "reason"]) }
        try await ContactWays(services: services).markInvalid(RecordKind(rawValue: body.recordKind.rawValue), try Self.id(body.recordId, field: "recordId"),
                                                             value: body.value, reason: reason, by: principal)
        return .noContent(.init())
    }

    package func markContactWayValid(_ input: Operations.markContactWayValid.Input) async throws -> Operations.markContactWayValid.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        try await ContactWays(services: services).markValid(RecordKind(rawValue: body.recordKind.rawValue), try Self.id(body.recordId, field: "recordId"),
                                                           value: body.value, by: principal)
        return .noContent(.init())
    }

    package static func apiImport(_ job: ImportJob) -> Components.Schemas.ImportJob {
        .init(id: job.id.uuidString, kind: .init(rawValue: job.kind.rawValue) ?? .customers, fileName: job.fileName, status: .init(rawValue: job.status.rawValue) ?? .failed,
              totalRows: job.totalRows, rowsDone: job.rowsDone, created: job.created, updated: job.updated, skipped: job.skipped, rejected: job.rejected,
              mode: .init(rawValue: job.settings.mode.rawValue) ?? .create, key: job.settings.key, error: job.error, createdAt: job.createdAt, updatedAt: job.updatedAt)
    }
}
