import FluentKit
import SQLKit

/// A new model's row — the columns Fluent would insert and their values — taken before a
/// transaction begins and written inside it with one plain statement.
///
/// Fluent's `create` reflects over the model's properties several times, and it does so
/// inside the transaction, while the transaction holds its connection (with SQLite, the
/// only one). For a record with forty columns that was a third of the time every other
/// request waited; collecting the row beforehand leaves only the insert itself.
struct PreparedInsert: Sendable {
    let table: String
    let columns: [String]
    /// nil stands for SQL NULL (a typed null bind would not fit every column in PostgreSQL).
    let values: [SQLBind?]

    init<M: Model>(_ model: M) {
        let collector = Collector()
        model.input(to: collector)
        table = M.schema
        columns = collector.pairs.map(\.0)
        values = collector.pairs.map { column, value in
            switch value {
            case .bind(let encodable): SQLBind(encodable)
            case .enumCase(let name): SQLBind(name)
            case .null: nil
            default: preconditionFailure("\(M.schema).\(column): only plain values can be prepared for insert")
            }
        }
    }

    /// Writes the row; the model then counts as saved, so a later `update(on:)` works.
    func run<M: Model>(for model: M, on db: any Database) async throws {
        let expressions: [any SQLExpression] = values.map { bind -> any SQLExpression in
            if let bind { return bind }
            return SQLLiteral.null
        }
        try await (db as! any SQLDatabase).insert(into: table).columns(columns).values(expressions).run()
        model._$idExists = true
    }

    /// Writes many rows of one table with as few statements as the engine allows: rows
    /// with the same columns share a statement (up to `perStatement` rows).
    static func runAll(_ rows: [PreparedInsert], on db: any Database, perStatement: Int = 200) async throws {
        let sql = db as! any SQLDatabase
        for (_, group) in Dictionary(grouping: rows, by: { $0.table + "|" + $0.columns.joined(separator: ",") }) {
            for chunk in stride(from: 0, to: group.count, by: perStatement) {
                var insert = sql.insert(into: group[0].table).columns(group[0].columns)
                for row in group[chunk..<min(chunk + perStatement, group.count)] {
                    insert = insert.values(row.values.map { bind -> any SQLExpression in bind.map { $0 as any SQLExpression } ?? SQLLiteral.null })
                }
                try await insert.run()
            }
        }
    }

    private final class Collector: DatabaseInput {
        var pairs: [(String, DatabaseQuery.Value)] = []
        func set(_ value: DatabaseQuery.Value, at key: FieldKey) { pairs.append((key.description, value)) }
    }
}
