import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// The rows that point at a record, which a merge moves to the survivor and an undo moves
/// back: each relation is a table, the column holding the record's id, and an optional
/// condition (activities point at contacts through `related_id` only when `related_kind`
/// says so). Rows are identified by their `id`; what moved is remembered by those ids.
package struct MergeRelation: Sendable, Codable, Hashable {
    package let table: String
    package let column: String
    /// `column = value` that must also hold, e.g. `related_kind = contacts`.
    package var condition: [String]?

    /// A record's attachments, which move with it whatever its kind.
    package static func attachments(of kind: RecordKind) -> MergeRelation {
        MergeRelation(table: "attachments", column: "record_id", condition: ["record_kind", kind.rawValue])
    }

    /// Activities about a record (`related_kind`/`related_id`).
    package static func activities(about kind: RecordKind) -> MergeRelation {
        MergeRelation(table: "activities", column: "related_id", condition: ["related_kind", kind.rawValue])
    }

    /// Moves the rows pointing at `from` to `to`; returns the ids of the rows moved.
    package func move(from: [UUID], to: UUID, on sql: any SQLDatabase) async throws -> [UUID] {
        var select = sql.select().column("id").from(table).where(SQLIdentifier(column), .in, from)
        if let condition { select = select.where(SQLIdentifier(condition[0]), .equal, SQLBind(condition[1])) }
        let ids = try await select.all().map { try $0.decode(column: "id", as: UUID.self) }.filter { $0 != to }
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            try await sql.update(table).set(SQLIdentifier(column), to: SQLBind(to)).where("id", .in, Array(ids[chunk..<min(chunk + 500, ids.count)])).run()
        }
        return ids
    }

    /// Puts moved rows back on the record they came from.
    package func restore(_ ids: [UUID], to original: UUID, on sql: any SQLDatabase) async throws {
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            try await sql.update(table).set(SQLIdentifier(column), to: SQLBind(original)).where("id", .in, Array(ids[chunk..<min(chunk + 500, ids.count)])).run()
        }
    }
}
