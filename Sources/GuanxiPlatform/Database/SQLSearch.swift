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

    /// Rows of `table` whose `search_text` contains `term`. A term that looks like a phone
    /// number is matched on its digits. SQLite answers from its FTS5 trigram index for
    /// terms of three characters or more; PostgreSQL from its pg_trgm index. Trigrams
    /// cannot serve one or two characters (a two-character Chinese name is common), so
    /// such terms match names only: lists are ordered by name, so the name index lets the
    /// scan stop as soon as a page is full. For people (contacts, leads) a short term
    /// matches the start of the name or of the given name after a one- or two-character
    /// surname — "王伟" finds 王伟东, "晓明" finds 欧阳晓明 — answered from indexes on those
    /// (migration 0021) instead of reading a million names that do not contain it.
    public static func matches(_ table: String, _ term: String, engine: SQLEngine, nameColumn: String = "name") -> any SQLExpression {
        let trimmed = term.trimmingCharacters(in: .whitespaces)
        if personNames.contains(table), trimmed.count < 3, !trimmed.isEmpty, !trimmed.allSatisfy(\.isNumber) {
            // Both as typed and capitalised, for Latin names ("em" finds "Emma").
            let variants = Array(Set([trimmed, trimmed.prefix(1).uppercased() + trimmed.dropFirst()]))
            let starts = ["\(table).name", "substr(\(table).name, 2)", "substr(\(table).name, 3)"]
            return any(variants.flatMap { prefix in
                starts.map { start in
                    SQLQueryString("(\(unsafeRaw: start) >= \(bind: prefix) AND \(unsafeRaw: start) < \(bind: prefix + "\u{10FFFF}"))") as any SQLExpression
                }
            })
        }
        var needle = term.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = needle.asciiDigits
        if digits.count >= 3, needle.allSatisfy({ $0.isNumber || " +-().".contains($0) }) { needle = digits }
        if engine == .sqlite, needle.count >= 3 {
            let phrase = "\"" + needle.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return SQLQueryString("""
                \(unsafeRaw: table).id IN (SELECT k.record_id FROM search_fts f JOIN search_keys k ON k.id = f.rowid \
                WHERE search_fts MATCH \(bind: phrase) AND k.kind = \(bind: table))
                """)
        }
        if needle.count < 3 { return contains("\(table).\(nameColumn)", needle, engine: engine) }
        return SQLQueryString("\(unsafeRaw: table).search_text LIKE \(bind: "%" + escape(needle) + "%") ESCAPE '\\'")
    }

    /// Tables whose `name` is a person's name.
    package static let personNames: Set<String> = ["contacts", "leads"]

    /// Ors several conditions, in brackets.
    public static func any(_ parts: [any SQLExpression]) -> any SQLExpression {
        SQLGroupExpression(SQLList(parts, separator: SQLRaw(" OR ")))
    }
}
