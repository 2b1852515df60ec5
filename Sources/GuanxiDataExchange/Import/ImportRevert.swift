import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

extension DataImport {
    /// Undoes an import, latest row first: records it created are deleted, records it
    /// updated get back the fields it changed. Each undone record is marked off the job's list,
    /// so a revert that stops half-way (a record someone else now holds) can be run
    /// again. A record deleted since is simply passed over. A running import must be
    /// cancelled first.
    public func revert(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        let job = try await find(id, by: actor)
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: job.kind))
        guard job.canRevert else {
            throw GuanxiError(.conflict, "This import is \(job.status.rawValue); there is nothing to revert.", code: "import_reverted").localized("msg.import_not_revertable", [:])
        }
        guard job.status != .running || job.updatedAt < services.clock.now().addingTimeInterval(-120) else {
            throw GuanxiError(.conflict, "The import is still running; cancel it first.", code: "import_running").localized("msg.import_cancel_first", [:])
        }
        var failures: [String] = []
        var undone = 0
        for record in try await store.records(of: id) {
            do {
                guard services.records[record.kind]?.importTarget != nil else { continue }
                try await undo(record, target: try target(record.kind), by: actor)
                undone += 1
            } catch let error as GuanxiError where error.kind == .notFound {
                // Deleted since the import: nothing left to undo.
            } catch let error as GuanxiError {
                failures.append("line \(record.line): \(services.localizer.message(for: error, actor.locale))")
                continue
            }
            // A record it created stays in the ledger, marked: the ledger is what audits
            // its creation (`ImportLedger`). One it updated leaves it; the log holds both
            // the update and its undoing.
            let noted = services.database.sql
            if record.created {
                try await noted.update("import_job_records").set("action", to: "reverted").where("job_id", .equal, id).where("record_id", .equal, record.id).run()
            } else {
                try await noted.delete(from: "import_job_records").where("job_id", .equal, id).where("record_id", .equal, record.id).run()
            }
        }
        let status: ImportJob.Status = failures.isEmpty ? .reverted : job.status
        try await services.database.db.transaction { [failures, undone] tx in
            try await (tx as! any SQLDatabase).update("import_jobs").set("status", to: status.rawValue)
                .set("error", to: failures.isEmpty ? nil : failures.prefix(20).joined(separator: "\n")).set("updated_at", to: services.clock.now())
                .where("id", .equal, id).run()
            try await services.audit.record(on: tx, actor: actor, action: .importRevert, kind: job.kind, id: id.uuidString, label: job.fileName,
                                            changes: [FieldChange(field: "undone", old: nil, new: String(undone)),
                                                      FieldChange(field: "failed", old: nil, new: failures.isEmpty ? nil : String(failures.count))])
        }
        if !failures.isEmpty {
            throw GuanxiError(.conflict, "\(failures.count) records could not be restored: \(failures.prefix(3).joined(separator: "; ")). Run the revert again once they are free.",
                              code: "import_revert_incomplete")
        }
        return try await store.find(id)
    }

    private func undo<T: ImportTarget>(_ record: ImportJobStore.TouchedRecord, target: T, by actor: Principal) async throws {
        if record.created {
            try await target.delete(record.id, by: actor)
        } else {
            let input = try await target.input(record.before, settings: ImportSettings(), isNew: false, row: ImportRow(jobID: nil, line: record.line), by: actor)
            try await target.update(record.id, input, restoring: true, by: actor) { _ in }
        }
    }
}
