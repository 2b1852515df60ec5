import Foundation
import SQLKit

/// Substring matching that behaves the same on both engines: case-insensitive for
/// Latin letters (ILIKE on PostgreSQL, where a trigram index can serve it), and with
/// `%` and `_` in the search term matched literally.
public enum SQLSearch {
    public static func contains(_ column: String, _ term: String, engine: SQLEngine) -> any SQLExpression {
        let like = engine == .postgres ? "ILIKE" : "LIKE"
        return SQLQueryString("\(unsafeRaw: column) \(unsafeRaw: like) \(bind: "%" + escape(term) + "%") ESCAPE '\\'")
    }

    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// The text a record is found by: its searchable values, lower-cased, space-separated.
    public static func text(_ values: [String?]) -> String {
        values.compactMap { $0?.lowercased() }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Rows of `table` whose `search_text` contains `term`, in the form an index answers
    /// (`SearchCondition.indexed`): for a total or a count, which needs every match.
    public static func matches(_ table: String, _ term: String, engine: SQLEngine, nameColumn: String = "name") -> any SQLExpression {
        condition(table, term, engine: engine, nameColumn: nameColumn).indexed
    }

    /// Rows of `table` whose `search_text` contains `term`, in both forms (`SearchCondition`).
    /// A term that looks like a phone number is matched on its digits. SQLite answers from
    /// its FTS5 trigram index for terms of three characters or more; PostgreSQL from its
    /// pg_trgm index. Trigrams cannot serve one or two characters (a two-character Chinese
    /// name is common), so such terms match names only. For people (contacts, leads) a
    /// short term matches the start of the name, or — in a name written in an East Asian
    /// script (`eastAsian`) — of the given name after a one- or two-character surname:
    /// "王伟" finds 王伟东, "晓明" finds 欧阳晓明, "li" finds Lily but not Olivia. Each is
    /// answered from an index (the name-order index, and those on the name after one or two
    /// characters: migrations 0021, 0052, 0054) instead of reading a million names.
    public static func condition(_ table: String, _ term: String, engine: SQLEngine, nameColumn: String = "name") -> SearchCondition {
        let trimmed = term.trimmingCharacters(in: .whitespaces)
        if personNames.contains(table), trimmed.count < 3, !trimmed.isEmpty, !trimmed.allSatisfy(\.isNumber) {
            // Both as typed and capitalised, for Latin names ("em" finds "Emma").
            let variants = Array(Set([trimmed, trimmed.prefix(1).uppercased() + trimmed.dropFirst()])).sorted()
            let starting = { (start: String, prefix: String) in
                SQLQueryString("\(unsafeRaw: start) >= \(bind: prefix) AND \(unsafeRaw: start) < \(bind: prefix + "\u{10FFFF}")")
            }
            // The start of the name is read along name order (migration 0054): a name that
            // starts with the term has a sort key that starts with the term's — 王 "wang0",
            // "Li" "li" (`Pinyin.sortKey`) — and each entry of that range is tested on the
            // name the index holds beside it (汪 reads "wang0" too).
            let key = Pinyin.sortKey(trimmed, person: true)
            let named = SQLList(variants.map { SQLGroupExpression(starting("\(table).name", $0)) }, separator: SQLRaw(" OR "))
            let start = SQLQueryString("(\(starting("\(table).\(SQLiteSearchIndex.sortedBy)", key)) AND (\(named)))")
            let afterSurname = [2, 3].flatMap { from in
                variants.map { SQLQueryString("(\(starting("substr(\(table).name, \(from))", $0)) AND \(unsafeRaw: eastAsian("\(table).name", engine: engine)))") }
            }
            let each: [any SQLExpression] = [start] + afterSurname
            let ranges = any(each)
            guard engine == .sqlite else { return postgresShortName(table, ranges: each) }
            // Each range from its own index, one after the other, so counting can stop early.
            let sample = SQLList(each.map { SQLQueryString("SELECT id FROM \(ident: table) WHERE \($0)") }, separator: SQLRaw(" UNION ALL "))
            return SearchCondition(indexed: ranges, scanned: opaque(ranges), sample: sample, ordered: (SQLiteSearchIndex.sortedBy, namesInOrder(table, each, from: nil)),
                                   orderedFrom: { from, ascending, count in namesInOrder(table, each, from: from, ascending: ascending, count: count) })
        }
        var needle = term.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = needle.asciiDigits
        if digits.count >= 3, needle.allSatisfy({ $0.isNumber || " +-().".contains($0) }) { needle = digits }
        if needle.count < 3 { return SearchCondition(indexed: contains("\(table).\(nameColumn)", needle, engine: engine)) }
        let like = SQLQueryString("\(unsafeRaw: table).search_text LIKE \(bind: "%" + escape(needle) + "%") ESCAPE '\\'")
        guard engine == .sqlite else {
            return SearchCondition(indexed: like, scanned: opaque(like), sample: SQLQueryString("SELECT id FROM \(ident: table) WHERE \(like)"))
        }
        let (query, exact) = trigrams(needle)
        let fts = SQLiteSearchIndex.ftsTable(table)
        let matches = SQLQueryString("""
            SELECT k.record_id AS id FROM \(ident: fts) f JOIN search_keys k ON k.id = f.rowid \
            WHERE \(ident: fts) MATCH \(bind: query)
            """)
        let ordered = SQLQueryString("""
            SELECT k.record_id AS \(ident: SearchCondition.orderedID), k.sort AS \(ident: SearchCondition.orderedSort) FROM \(ident: fts) f \
            JOIN search_keys k ON k.id = f.rowid WHERE \(ident: fts) MATCH \(bind: query)
            """)
        // `search_text` is lower-cased, and SQLite's LIKE ignores the case of Latin letters: the
        // same rows as the trigram index, which folds case. The index answers a term of one
        // trigram exactly; a longer one's matches hold all its trigrams, and the record's
        // text confirms they stand together.
        // The matches of the first buckets of keys only, which are numbered by name (migration 0057).
        let orderedFrom: SearchCondition.OrderedFrom = { from, ascending, count in
            SQLQueryString("\(ordered) AND \(SQLiteSearchIndex.keysFrom(fts: fts, query: query, from: from, ascending: ascending, count: count))")
        }
        guard !exact else {
            return SearchCondition(indexed: SQLQueryString("\(unsafeRaw: table).id IN (\(matches))"), scanned: like, sample: matches,
                                   ordered: (SQLiteSearchIndex.sortedBy, ordered), orderedFrom: orderedFrom)
        }
        return SearchCondition(indexed: SQLQueryString("\(unsafeRaw: table).id IN (\(matches)) AND \(like)"), scanned: like, sample: matches,
                               ordered: (SQLiteSearchIndex.sortedBy, ordered), orderedFrom: orderedFrom, confirm: like)
    }

    /// The query of SQLite's trigram index (which keeps no positions, migration 0050) for
    /// `needle`: trigrams that cover it — one from every third character, and the last —
    /// each quoted, all required; `exact` when the needle is one trigram, whose matches
    /// need no confirming. FTS5's trigrams are of Unicode scalars, as here.
    package static func trigrams(_ needle: String) -> (query: String, exact: Bool) {
        let scalars = Array(needle.unicodeScalars)
        guard scalars.count > 3 else { return (quoted(needle), true) }
        let starts = Set(Array(stride(from: 0, to: scalars.count - 2, by: 3)) + [scalars.count - 3]).sorted()
        let tokens = starts.map { at in
            var token = String.UnicodeScalarView()
            token.append(contentsOf: scalars[at..<at + 3])
            return quoted(String(token))
        }
        return (tokens.joined(separator: " AND "), false)
    }

    private static func quoted(_ token: String) -> String { "\"" + token.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// A short name term on PostgreSQL, whose name indexes hold each person's place in name
    /// order and their name (migration 0046). Each range is read from its own index, less
    /// the names an earlier range already gave, so every match comes once: the sample
    /// counts without a `DISTINCT` (which PostgreSQL answers only after reading every
    /// match), and the matches' keys sort without reading a record. Combined through a
    /// bitmap of rows instead, 67,000 matches for "li" cost 140 ms to count and 180 ms to
    /// order for a page.
    private static func postgresShortName(_ table: String, ranges: [any SQLExpression]) -> SearchCondition {
        let once = ranges.indices.map { at in
            at == 0 ? ranges[0] : SQLQueryString("\(ranges[at]) AND NOT \(any(Array(ranges[..<at])))") as any SQLExpression
        }
        let union = { (columns: SQLQueryString) in
            SQLList(once.map { SQLQueryString("SELECT \(columns) FROM \(ident: table) WHERE \($0)") }, separator: SQLRaw(" UNION ALL "))
        }
        let sorted = SQLQueryString("id AS \(ident: SearchCondition.orderedID), \(ident: SQLiteSearchIndex.sortedBy) AS \(ident: SearchCondition.orderedSort)")
        return SearchCondition(indexed: any(ranges), scanned: opaque(any(ranges)), sample: union("id"), sampleIsDistinct: true,
                               ordered: (SQLiteSearchIndex.sortedBy, union(sorted)))
    }

    /// A short name term's matches on SQLite with their place in name order, each once:
    /// the ranges' matches merged in name order, from `from` (a sort key) on in the list's
    /// direction, the first `count` of them when told. The start of the name is read along
    /// the name-order index, already in that order; the given names after a surname (a few
    /// thousand for a common character) are put in order and merged with it. So the first
    /// page of "li" reads 200 names rather than the 34,000 that start with it.
    private static func namesInOrder(_ table: String, _ ranges: [any SQLExpression], from: String?, ascending: Bool = true, count: Int? = nil) -> SQLQueryString {
        let columns = SQLQueryString("id AS \(ident: SearchCondition.orderedID), \(ident: SQLiteSearchIndex.sortedBy) AS \(ident: SearchCondition.orderedSort)")
        let bound = from.map { SQLQueryString(" AND \(ident: table).\(ident: SQLiteSearchIndex.sortedBy) \(unsafeRaw: ascending ? ">=" : "<=") \(bind: $0)") } ?? ""
        let union = SQLList(ranges.map { SQLQueryString("SELECT \(columns) FROM \(ident: table) WHERE \($0)\(bound)") }, separator: SQLRaw(" UNION "))
        guard from != nil || count != nil else { return SQLQueryString("\(union)") }
        let direction = SQLRaw(ascending ? "ASC" : "DESC")
        let limit = count.map { SQLQueryString(" LIMIT \(literal: $0)") } ?? ""
        return "\(union) ORDER BY \(ident: SearchCondition.orderedSort) \(direction), \(ident: SearchCondition.orderedID) \(direction)\(limit)"
    }

    /// `condition` hidden from the query planner, which then cannot answer it from an index
    /// and tests it on each row it reads in the list's order.
    private static func opaque(_ condition: any SQLExpression) -> any SQLExpression {
        SQLQueryString("(CASE WHEN \(condition) THEN 1 ELSE 0 END) = 1")
    }

    /// Whether the name in `column` is written in an East Asian script — its first character
    /// at or past U+2E80: CJK radicals, kana, Hangul, ideographs — where the given name
    /// follows the surname without a space. The indexes on a name after its first
    /// characters hold only such names (migration 0052), and a query reaches them by this
    /// very condition.
    package static func eastAsian(_ column: String, engine: SQLEngine) -> String {
        "\(engine == .postgres ? "ascii" : "unicode")(\(column)) >= 11904"
    }

    /// Tables whose `name` is a person's name.
    package static let personNames: Set<String> = ["contacts", "leads"]

    /// Ors several conditions, in brackets.
    public static func any(_ parts: [any SQLExpression]) -> any SQLExpression {
        SQLGroupExpression(SQLList(parts, separator: SQLRaw(" OR ")))
    }
}

/// A search term as a condition, in two forms for the two shapes a result can have. With
/// few matches, the search index finds them all and the page sorts them (`indexed`). With
/// many — "mith" in every Smith, "ang" in every Zhang and Wang — sorting every match for a
/// page of fifty is the whole cost; reading the list's own order and testing each row
/// (`scanned`) fills the page after a few hundred rows instead. `Keyset.page(_:search:…)`
/// tries the second within a bound and falls back to the first.
public struct SearchCondition: Sendable {
    public let indexed: any SQLExpression
    /// Nil when no index serves the term anyway (a short term on a company name).
    public let scanned: (any SQLExpression)?
    /// A query of matching ids (column `id`) straight from the index, which can stop after
    /// a few (to tell a common term from a rare one); it may name a record twice, and may
    /// name records `confirm` turns down.
    public let sample: (any SQLExpression)?
    /// Whether `sample` names each record once, so a count of it needs no `DISTINCT`.
    public let sampleIsDistinct: Bool

    /// The matches with their place in the list's order, when the index keeps it beside
    /// them (`SQLiteSearchIndex.sortColumn`): a query of `orderedID` and `orderedSort`,
    /// and the column of the searched table whose order `orderedSort` is. A list in that
    /// order sorts the matches' keys and reads only the records its page shows
    /// (`Keyset.page(_:search:…)`).
    public let ordered: (column: String, matches: any SQLExpression)?
    /// `ordered`'s matches that a page starting after the sort key `from` (nil: the first
    /// page), in the direction given, can need: those as far as the `count`th match from
    /// there and everything sorting with it, or (count nil) all from there on. Nil when the
    /// index cannot tell (`ordered` then gives all). For SQLite's index, whose keys are
    /// numbered by name (`SQLiteSearchIndex.keysFrom`).
    public let orderedFrom: OrderedFrom?
    public typealias OrderedFrom = @Sendable (_ from: String?, _ ascending: Bool, _ count: Int?) -> any SQLExpression

    /// What a record among `sample`'s or `ordered`'s matches must also meet (its text
    /// holding the term, where the index answers for the term's trigrams only); `indexed`
    /// includes it. Telling a common term from a rare one goes without it.
    public let confirm: (any SQLExpression)?

    /// The names `ordered` gives its columns, apart from any column of a searched table.
    public static let orderedID = "search_record_id"
    public static let orderedSort = "search_sort"

    public init(indexed: any SQLExpression, scanned: (any SQLExpression)? = nil, sample: (any SQLExpression)? = nil, sampleIsDistinct: Bool = false,
                ordered: (column: String, matches: any SQLExpression)? = nil, orderedFrom: OrderedFrom? = nil, confirm: (any SQLExpression)? = nil) {
        (self.indexed, self.scanned, self.sample, self.sampleIsDistinct, self.ordered, self.confirm) = (indexed, scanned, sample, sampleIsDistinct, ordered, confirm)
        self.orderedFrom = orderedFrom
    }

    /// How many matches make a term common enough that a page reads the list's order
    /// first: a rare term goes straight to the index, without a read along the order
    /// that cannot fill the page.
    public static let commonAt = 1_000

    /// Whether the index holds at least `commonAt` matches; stops counting there.
    package func isCommon(on sql: any SQLDatabase, commonAt: Int = Self.commonAt) async throws -> Bool {
        guard let sample else { return false }
        let count = try await sql.raw("SELECT count(*) AS n FROM (\(sample) LIMIT \(unsafeRaw: String(commonAt))) s").first()?.decode(column: "n", as: Int.self) ?? 0
        return count >= commonAt
    }
}
