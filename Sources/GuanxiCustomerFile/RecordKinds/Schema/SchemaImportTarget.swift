import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A schema kind's records from a CSV file: a column per field, found by its key or the
/// headers the schema gives; the duplicate fields find existing records.
package struct SchemaImportTarget: ImportTarget {
    package let records: SchemaRecords

    package var kind: RecordKind { records.kind }
    package var keys: [String] { records.schema.duplicateFields.map(\.field) }
    package var fields: [ImportField] {
        records.schema.fields.map { ImportField(key: $0.key, names: [$0.key] + $0.headers, required: $0.required) }
    }

    package func input(_ values: [String: String], settings: ImportSettings, isNew: Bool, row: ImportRow, by actor: Principal) async throws -> [String: String] {
        values.filter { records.schema.field($0.key) != nil }
    }

    package func prepare(_ input: [String: String], by actor: Principal) async throws -> (prepared: SchemaRecord, id: UUID) {
        let record = try await records.prepare(input, ownerID: nil, by: actor)
        return (record, record.id)
    }

    package func insert(_ prepared: SchemaRecord, by actor: Principal, on tx: any Database) async throws {
        try await records.insert(prepared, by: actor, on: tx)
    }

    package func update(_ id: UUID, _ input: [String: String], restoring: Bool, by actor: Principal, alsoIn: @escaping @Sendable (any Database) async throws -> Void) async throws {
        try await records.update(id, input, expectedVersion: nil, by: actor, alsoIn: alsoIn)
    }

    package func values(of id: UUID, fields: [String], by actor: Principal) async throws -> [String: String] {
        let record = try await records.find(id, for: actor)
        return fields.reduce(into: [:]) { out, key in out[key] = record.values[key] ?? "" }
    }

    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        try await records.delete(ids, by: actor)
    }

    package func find(_ key: String, _ value: String, on sql: any SQLDatabase) async throws -> [UUID] {
        guard keys.contains(key) else { return [] }
        return try await sql.select().column("id").from(records.schema.table).where(SQLIdentifier(key), .equal, value).limit(3).all()
            .map { try $0.decode(column: "id", as: UUID.self) }
    }
}
