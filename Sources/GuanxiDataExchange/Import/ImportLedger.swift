import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// The records an import created, as their histories read them: "created by the import
/// of contacts.csv, line 2", by whoever started it, when it started. The import's ledger
/// (`import_job_records`, which a revert reads too) is what audits them
/// (`AuditLog.ledgeredCreations`); the log holds the import's own entry with its counts.
package struct ImportLedger: AuditLedger {
    package let services: CustomerFileServices

    package init(services: CustomerFileServices) { self.services = services }

    package func entries(kind: String, id: String) async throws -> [AuditEntry] {
        guard let recordID = UUID(uuidString: id) else { return [] }
        let rows = try await services.database.sql.raw(Self.lines(kind: kind, id: recordID)).all()
        guard !rows.isEmpty else { return [] }
        let label = try await self.label(of: RecordKind(rawValue: kind), recordID)
        return try rows.map { row in
            let actor = try row.decode(column: "created_by", as: UUID?.self)
            return AuditEntry(
                seq: 0, at: try row.decode(column: "created_at", as: Date.self), actorID: actor,
                // Only an import from the command line has no user (`DataImport.start`).
                actorName: try row.decode(column: "username", as: String?.self) ?? (actor == nil ? "console" : ""),
                address: "", action: AuditAction.create.rawValue, recordKind: kind, recordID: id,
                recordLabel: label,
                changes: [FieldChange(field: "import", old: nil, new: try row.decode(column: "file_name", as: String.self)),
                          FieldChange(field: "import_line", old: nil, new: String(try row.decode(column: "line", as: Int.self)))])
        }
    }

    /// The import and line of each import that created the record. For each import, one
    /// look-up of its ledger's key (job, record): imports are few, the records they noted
    /// are millions, and the ledger has no index by record alone — a join let SQLite read
    /// the whole ledger instead.
    package static func lines(kind: String, id: UUID) -> SQLQueryString {
        """
        SELECT * FROM (
            SELECT j.file_name, j.created_by, j.created_at, u.username,
                (SELECT r.line FROM import_job_records r
                 WHERE r.job_id = j.id AND r.record_id = \(bind: id) AND \(unsafeRaw: ImportJobStore.ledgerRecordKind) = \(bind: kind)
                 AND r.action IN (\(literal: ImportJobStore.LedgerAction.created.rawValue), \(literal: ImportJobStore.LedgerAction.reverted.rawValue))) AS line
            FROM import_jobs j LEFT JOIN users u ON u.id = j.created_by
        ) noted WHERE line IS NOT NULL
        """
    }

    /// The record's name as the log would have labelled it; "" once it is gone (reverted).
    private func label(of kind: RecordKind, _ id: UUID) async throws -> String {
        guard let descriptor = services.records[kind] else { return "" }
        let column = descriptor.labelColumn
        return try await services.database.sql.select().column(SQLIdentifier(column)).from(descriptor.table).where("id", .equal, id).first()
            .flatMap { try $0.decode(column: column, as: String?.self) } ?? ""
    }
}
