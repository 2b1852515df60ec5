import FluentKit
import SQLKit

/// A new model's row — the columns Fluent would insert and their values — taken before a
/// transaction begins and written inside it with one plain statement.
///
/// Fluent's `create` reflects over the model's properties several times, and it does so
/// inside the transaction, while the transaction holds its connection (with SQLite, the
/// only one). For a record with forty columns that was a third of the time every other
/// request waited; collecting the row beforehand leaves only the insert itself.
package struct PreparedInsert: Sendable {
    package let table: String
    package let columns: [String]
    package let values: [BulkValue]

    /// A row written out by hand, for the few models created by the hundred thousand
    /// (customers and contacts in an import), where even collecting Fluent's row once per
    /// record was a tenth of the time. Each such kind declares its row once, next to its
    /// model, and `RowCodecTests` checks it against Fluent's on both engines, so a column
    /// added to the model cannot be forgotten here.
    package init<M: Model>(_ model: M, columns: KeyValuePairs<String, BulkValue>) {
        table = M.schema
        self.columns = columns.map(\.key)
        values = columns.map(\.value)
    }

    package init<M: Model>(_ model: M) {
        let collector = Collector()
        model.input(to: collector)
        table = M.schema
        columns = collector.pairs.map(\.0)
        values = collector.pairs.map { column, value in
            switch value {
            case .bind(let encodable): BulkValue(any: encodable)
            case .enumCase(let name): .text(name)
            case .null: .null
            default: preconditionFailure("\(M.schema).\(column): only plain values can be prepared for insert")
            }
        }
    }

    /// Writes the row; the model then counts as saved, so a later `update(on:)` works.
    package func run<M: Model>(for model: M, on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: table).columns(columns).values(values.map(\.expression)).run()
        model._$idExists = true
    }

    /// Adds many rows to a batch's writes: rows of one table with the same columns share statements.
    package static func addAll(_ rows: [PreparedInsert], to writes: inout BulkWrites) throws {
        var groups: [String: [PreparedInsert]] = [:]
        var order: [String] = []
        for row in rows {
            let key = row.table + "|" + row.columns.joined(separator: ",")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        for key in order {
            let group = groups[key]!
            try writes.insert(into: group[0].table, columns: group[0].columns, rows: group.map(\.values))
        }
    }

    private final class Collector: DatabaseInput {
        package var pairs: [(String, DatabaseQuery.Value)] = []
        package func set(_ value: DatabaseQuery.Value, at key: FieldKey) { pairs.append((key.description, value)) }
    }
}
