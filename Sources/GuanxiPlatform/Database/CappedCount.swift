import SQLKit

/// How many rows a list's filters select, counted up to a cap: a list of a few hundred
/// shows its exact size, a larger one "more than the cap", and no count reads more than
/// `cap` + 1 index entries — never a `COUNT` over a million rows for a page of fifty.
package enum CappedCount {
    /// The rows `query` selects (its columns and order set aside), at most `cap` + 1.
    package static func count(_ query: SQLSelectBuilder, table: String, cap: Int, on sql: any SQLDatabase) async throws -> Int {
        var inner = query.select
        inner.columns = [SQLColumn("id", table: table)]
        (inner.orderBy, inner.limit, inner.offset) = ([], cap + 1, nil)
        return try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
            .from(SQLAlias(SQLGroupExpression(inner), as: SQLIdentifier("capped")))
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
