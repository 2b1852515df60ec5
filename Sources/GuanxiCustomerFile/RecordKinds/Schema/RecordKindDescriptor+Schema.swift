import Foundation
import GuanxiPlatform

extension RecordKindDescriptor {
    /// Everything a kind declared as data offers: finding one record, its list and export,
    /// search, import, bulk assignment and deletion, duplicates and merge, a timeline
    /// (activities can be about its records), attachments and hand-over.
    package static func schema(_ schema: RecordSchema, _ services: CustomerFileServices) -> RecordKindDescriptor {
        let records = SchemaRecords(schema, services: services)
        var d = RecordKindDescriptor(kind: schema.kind)
        d.schema = schema
        d.labelColumn = schema.nameField
        d.migrations = [SchemaMigration(schema: schema)]
        d.find = { id, actor, action in
            let record = try await records.find(id, for: actor, action: action)
            return FoundRecord(kind: schema.kind, id: id, name: record.values[schema.nameField] ?? "", customerID: nil)
        }
        d.list = SchemaList(records: records, users: services.users, localizer: services.localizer)
        d.search = { term, actor, limit in
            try await records.page(search: term, ownerID: nil, cursor: nil, limit: limit, for: actor).records.map { record in
                SearchHit(kind: schema.kind, id: record.id, title: record.values[schema.nameField] ?? "",
                          detail: schema.fields.dropFirst().filter(\.searchable).compactMap { record.values[$0.key] }.joined(separator: " · "))
            }
        }
        d.importTarget = { _ in SchemaImportTarget(records: records) }
        d.bulkActions = [
            .assign: { id, arguments, actor in try await records.update(id, [:], ownerID: .some(arguments.ownerID), expectedVersion: nil, by: actor) },
            .delete: { id, _, actor in try await records.delete(id, expectedVersion: nil, by: actor) },
        ]
        d.duplicateKeys = schema.duplicateFields.map { field, reason in
            .same(field, in: schema.table, reason: reason, nameColumn: schema.nameField)
        }
        d.merging = schema.duplicateFields.isEmpty ? nil : .schema(records, users: services.users, clock: services.clock)
        (d.savedViews, d.timeline, d.attachments, d.handOver) = (true, true, true, true)
        return d
    }
}

extension SchemaRecords {
    /// The records of `schema`, written through its kind's `RecordWriter`.
    package init(_ schema: RecordSchema, services: CustomerFileServices) {
        self.init(schema: schema, database: services.database, permissions: services.permissions,
                  writer: services.writer(schema.kind, schema.table, schema.kind.rawValue))
    }
}
