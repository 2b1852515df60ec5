import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Creates a schema kind's table, its indexes and its place in the search index.
package struct SchemaMigration: GuanxiMigration {
    package let schema: RecordSchema
    package var name: String { schema.migrationName }

    package func prepare(on db: any Database) async throws {
        var builder = db.schema(schema.table).id()
        for field in schema.fields {
            let type: DatabaseSchema.DataType = switch field.type {
            case .text, .date: .string
            case .number: .int64
            }
            builder = field.required ? builder.field(.string(field.key), type, .required) : builder.field(.string(field.key), type)
        }
        try await builder
            .field("owner_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("search_text", .string, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        let sql = db as! any SQLDatabase
        let t = schema.table
        var indexes: [(String, [String])] = [("\(t)_name_idx", [schema.nameField, "id"]), ("\(t)_owner_idx", ["owner_id", schema.nameField]),
                                             ("\(t)_created_idx", ["created_at", "id"])]
        for (key, _) in schema.duplicateFields where key != schema.nameField { indexes.append(("\(t)_\(key)_idx", [key])) }
        for (name, columns) in indexes {
            var index = sql.create(index: SQLIdentifier(name)).on(t)
            for column in columns { index = index.column(column) }
            try await index.run()
        }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("CREATE INDEX \(ident: "\(t)_search_trgm_idx") ON \(ident: t) USING gin (search_text gin_trgm_ops)").run()
        } else {
            try await SQLiteSearchIndex.index(t, on: sql)
        }
    }

    package func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        if sql.dialect.name != "postgresql" { try await SQLiteSearchIndex.dropIndex(schema.table, on: sql) }
        try await db.schema(schema.table).delete()
    }
}
