import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

extension DataImport {
    /// Undoes an import: records it updated get back the fields it changed, latest row
    /// first; then the records it created are deleted, a few hundred in each transaction
    /// (its own kind first, then any it created along, such as the companies a contact
    /// file named). Each undone record is marked off the job's list, so a revert that stops
    /// half-way (a record someone else now holds) can be run again. A record deleted since
    /// is simply passed over. A running import must be cancelled first.
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
        for record in try await store.updated(of: id) where services.records[record.kind]?.importTarget != nil {
            do {
                try await restore(record, target: try target(record.kind), by: actor)
                undone += 1
            } catch let error as GuanxiError {
                // A record deleted since has nothing left to undo.
                guard error.kind == .notFound else {
                    failures.append("line \(record.line): \(services.localizer.message(for: error, actor.locale))")
                    continue
                }
            }
            // The log holds both the update and its undoing.
            try await store.forget(id, [record.id])
        }
        for kind in try await store.createdKinds(of: id, first: job.kind) where services.records[kind]?.importTarget != nil {
            let target = try target(kind)
            var after: UUID?
            while true {
                let page = try await store.created(of: id, kind: kind, after: after, limit: Self.revertBatch)
                guard let last = page.last else { break }
                after = last.id
                let refused = try await target.delete(page.map(\.id), by: actor)
                var gone: [UUID] = []
                for record in page {
                    guard let refusal = refused[record.id], refusal.kind != .notFound else { gone.append(record.id); continue }
                    failures.append("line \(record.line): \(services.localizer.message(for: refusal, actor.locale))")
                }
                undone += page.count - refused.count
                // A record it created stays in the ledger, marked: the ledger is what
                // audits its creation (`ImportLedger`).
                try await store.markReverted(id, gone)
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

    /// Records a revert deletes in one transaction: few enough that a transaction holds
    /// SQLite's writer for a fraction of a second, many enough that each statement's cost
    /// is shared.
    static let revertBatch = 500

    private func restore<T: ImportTarget>(_ record: ImportJobStore.UpdatedRecord, target: T, by actor: Principal) async throws {
        let input = try await target.input(record.before, settings: ImportSettings(), isNew: false, row: ImportRow(jobID: nil, line: record.line), by: actor)
        try await target.update(record.id, input, restoring: true, by: actor) { _ in }
    }
}
