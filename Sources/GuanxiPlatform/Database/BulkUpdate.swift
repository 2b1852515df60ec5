import Foundation
import FluentKit
import FluentSQLiteDriver
import SQLKit

/// New values for some columns of many rows of one table, each row found by its id, in as
/// few statements as the engine allows: the rows travel as a `VALUES` list the table is
/// joined with (`WITH u AS (VALUES …) UPDATE … FROM u`; SQLite has had `UPDATE … FROM` since 3.33). One statement per row
/// was nine-tenths of an analytics run that restages 100,000 customers.
package struct BulkUpdate: Sendable {
    /// A column the update sets, with its SQL type — which PostgreSQL needs for a `VALUES`
    /// list of bound values (SQLite takes values as they come).
    package struct Column: Sendable {
        package let name: String
        package let postgresType: String
        package init(_ name: String, _ postgresType: String) { (self.name, self.postgresType) = (name, postgresType) }
    }

    /// Sets `columns` of the rows of `table` whose `id` is each row's first value; `rows`
    /// hold the id and then one value per column.
    package static func run(_ table: String, set columns: [Column], rows: [(id: UUID, values: [BulkValue])], on db: any Database) async throws {
        let width = columns.count + 1
        let perStatement = max(1, BulkInsert.valuesPerStatement / width)
        let names = columns.map(\.name)
        let assignments = names.map { "\"\($0)\" = u.\"\($0)\"" }.joined(separator: ", ")
        let list = (["k"] + names).map { "\"\($0)\"" }.joined(separator: ", ")
        let update = ") UPDATE \"\(table)\" SET \(assignments) FROM u WHERE \"\(table)\".id = u.k"
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            for row in chunk { precondition(row.values.count == columns.count, "a bulk update row needs one value per column") }
            if let sqlite = db as? any SQLiteDatabase {
                // SQLite is handed the text and its values directly, as `BulkInsert` does:
                // SQLKit's expression tree for 300,000 values cost more than the update.
                let row = "(" + repeatElement("?", count: width).joined(separator: ",") + ")"
                let text = "WITH u(\(list)) AS (VALUES " + repeatElement(row, count: chunk.count).joined(separator: ",") + update
                let encoder = SQLiteDataEncoder()
                var values: [SQLiteData] = []
                values.reserveCapacity(chunk.count * width)
                for row in chunk {
                    values.append(try BulkValue.id(row.id).sqlite(encoder))
                    for value in row.values { values.append(try value.sqlite(encoder)) }
                }
                try await sqlite.query(text, values) { _ in }
            } else {
                var text = SQLQueryString("WITH u(\(unsafeRaw: list)) AS (VALUES ")
                for (n, row) in chunk.enumerated() {
                    text.appendLiteral(n == 0 ? "(" : ", (")
                    text.appendInterpolation(cast(.id(row.id), "UUID"))
                    for (value, column) in zip(row.values, columns) {
                        text.appendLiteral(", ")
                        text.appendInterpolation(cast(value, column.postgresType))
                    }
                    text.appendLiteral(")")
                }
                text.appendInterpolation(unsafeRaw: update)
                try await (db as! any SQLDatabase).raw(text).run()
            }
        }
    }

    /// PostgreSQL types a `VALUES` list's bound values from the casts.
    private static func cast(_ value: BulkValue, _ type: String) -> any SQLExpression {
        SQLQueryString("CAST(\(value.expression) AS \(unsafeRaw: type))")
    }
}
