import Foundation
import SQLKit
import GuanxiPlatform

extension CustomValues {
    /// The keyset of a list sorted by a custom field, with the sort value selected as
    /// `custom_sort` so the next page's cursor can be read from the last row.
    package func sorted(_ query: SQLSelectBuilder, by key: String, descending: Bool, table: String, kind: RecordKind)
        async throws -> (query: SQLSelectBuilder, keyset: Keyset, value: (any SQLRow) throws -> Keyset.Value) {
        let sort = try await sort(by: key, table: table, kind: kind, ascending: !descending)
        let numeric = sort.numeric
        return (query.column(SQLAlias(sort.value, as: SQLIdentifier("custom_sort"))), sort.keyset, { row in
            numeric ? .number(try row.decode(column: "custom_sort", as: Double.self)) : .text(try row.decode(column: "custom_sort", as: String.self))
        })
    }
}
