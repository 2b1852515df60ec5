import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

extension DataImport {
    /// The background job kind that reverts imports asked to be reverted on the web page or
    /// through the API.
    package static let revertJobKind = "import_revert"

    package struct RevertPayload: Codable {
        package let job: UUID
        package let user: UUID
        /// The status to go back to if some records cannot be undone.
        package let status: ImportJob.Status
        /// When it was asked: a worker that finds the job noted since leaves it to the one at it.
        package let asked: Date
    }

    /// Asks the background worker to revert an import (the web page and the API: a
    /// revert of a large import takes minutes). The import shows as reverting, and how
    /// many records are gone, until it ends.
    public func revertLater(_ id: UUID, by actor: Principal) async throws -> ImportJob {
        let job = try await revertable(id, by: actor)
        let asked = services.clock.now()
        try await services.database.db.transaction { tx in
            try await (tx as! any SQLDatabase).update("import_jobs").set("status", to: ImportJob.Status.reverting.rawValue).set("error", to: SQLLiteral.null)
                .set("updated_at", to: asked).where("id", .equal, id).run()
            try await services.jobs.enqueue(kind: Self.revertJobKind, on: tx, payload: String(decoding: try JSONEncoder().encode(
                RevertPayload(job: id, user: actor.userID, status: job.status == .reverting ? .done : job.status, asked: asked)), as: UTF8.self), maxAttempts: 3)
        }
        return try await store.find(id)
    }

    /// The background worker's side: reverts as the user who asked, with their
    /// permissions as they are now. A revert that stops on an error puts the import back
    /// as it was, with the error, to be asked again; one that a lost worker left is taken
    /// over once it has been silent for two minutes.
    package func revertQueued(_ payload: String) async throws {
        let p = try JSONDecoder().decode(RevertPayload.self, from: Data(payload.utf8))
        let job = try await store.find(p.job)
        guard job.status == .reverting else { return }
        // Noted since it was asked (beyond the rounding of a stored time), and lately: another worker is at it.
        if job.updatedAt > p.asked.addingTimeInterval(1), job.updatedAt > services.clock.now().addingTimeInterval(-120) { return }
        guard let actor = try await services.principals.load(userID: p.user, channel: .session, address: "import") else {
            try await store.setStatus(p.job, p.status, error: "The user who asked for the revert is disabled.")
            return
        }
        do {
            _ = try await revert(p.job, by: actor, queuedFrom: p.status)
        } catch let error as GuanxiError where error.code == "import_revert_incomplete" {
            // The records left are listed on the import; the user asks again once they are free.
        } catch {
            let message = (error as? GuanxiError).map { services.localizer.message(for: $0, actor.locale) } ?? "\(error)"
            try await store.setStatus(p.job, p.status, error: message)
        }
    }

    /// The import if the actor may revert it now.
    private func revertable(_ id: UUID, by actor: Principal, queued: Bool = false) async throws -> ImportJob {
        let job = try await find(id, by: actor)
        _ = try services.permissions.require(actor, .import, on: services.records.permissionKind(of: job.kind))
        guard job.canRevert else {
            throw GuanxiError(.conflict, "This import is \(job.status.rawValue); there is nothing to revert.", code: "import_reverted").localized("msg.import_not_revertable", [:])
        }
        let silent = job.updatedAt < services.clock.now().addingTimeInterval(-120)
        guard job.status != .running || silent else {
            throw GuanxiError(.conflict, "The import is still running; cancel it first.", code: "import_running").localized("msg.import_cancel_first", [:])
        }
        guard job.status != .reverting || silent || queued else {
            throw GuanxiError(.conflict, "The import is being reverted; wait until that is done.", code: "import_reverting").localized("msg.import_reverting", [:])
        }
        return job
    }

    /// Undoes an import here and now (`guanxi import --revert`, and the background worker):
    /// records it updated get back the fields it changed, latest row first; then the
    /// records it created are deleted, a few hundred in each transaction (its own kind
    /// first, then any it created along, such as the companies a contact file named). Each
    /// undone record is marked off the job's list, so a revert that stops half-way (a
    /// record someone else now holds) can be run again. A record deleted since is simply
    /// passed over. A running import must be cancelled first. `queuedFrom`: the worker
    /// reverts a job asked for by `revertLater`, which was in that status before.
    public func revert(_ id: UUID, by actor: Principal, queuedFrom previous: ImportJob.Status? = nil) async throws -> ImportJob {
        let job = try await revertable(id, by: actor, queued: previous != nil)
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
                try await store.touch(id)
            }
        }
        let status: ImportJob.Status = failures.isEmpty ? .reverted : previous ?? (job.status == .reverting ? .done : job.status)
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
