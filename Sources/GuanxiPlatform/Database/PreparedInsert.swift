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

    /// A row written out by hand, for the few kinds created by the hundred thousand
    /// (customers and contacts in an import), where even collecting Fluent's row once per
    /// record was a tenth of the time. Each such kind declares its row once, next to its
    /// model — its columns one list shared by every row, so a batch groups its rows without
    /// comparing the names — and `RowCodecTests` checks it against Fluent's on both
    /// engines, so a column added to the model cannot be forgotten here.
    package init(table: String, columns: [String], values: [BulkValue]) {
        assert(columns.count == values.count, "\(table): \(columns.count) columns, \(values.count) values")
        (self.table, self.columns, self.values) = (table, columns, values)
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
        try await run(on: db)
        model._$idExists = true
    }

    package func run(on db: any Database) async throws {
        try await (db as! any SQLDatabase).insert(into: table).columns(columns).values(values.map(\.expression)).run()
    }

    /// Adds many rows to a batch's writes: rows of one table with the same columns share statements.
    package static func addAll(_ rows: [PreparedInsert], to writes: inout BulkWrites) throws {
        // Rows come in a few shapes, mostly one: compared with the groups so far (joining
        // forty column names into a key for each row was a fifth of making the statements).
        var groups: [(table: String, columns: [String], rows: [[BulkValue]])] = []
        for row in rows {
            if let at = groups.lastIndex(where: { $0.table == row.table && $0.columns == row.columns }) { groups[at].rows.append(row.values) }
            else { groups.append((row.table, row.columns, [row.values])) }
        }
        for group in groups { try writes.insert(into: group.table, columns: group.columns, rows: group.rows) }
    }

    private final class Collector: DatabaseInput {
        package var pairs: [(String, DatabaseQuery.Value)] = []
        package func set(_ value: DatabaseQuery.Value, at key: FieldKey) { pairs.append((key.description, value)) }
    }
}
