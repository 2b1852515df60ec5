import FluentKit
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// Indexes hold only the rows a look-up through them can find.
///
/// - Columns most records leave empty — a contact's WeChat ID, manager and owner, a
///   company's parent and referrer, the customer a lead became — were indexed for every
///   row, empty or not: 42 MB a million imported contacts, for look-ups that always ask
///   for a value (`= ?`, `IN (…)`), which an index of the filled rows alone answers.
///   Customers and leads keep their whole owner index: their shared pool is looked up by
///   an empty owner.
/// - The indexes on a person's name after its first one or two characters serve a short
///   term that starts the given name after a surname (秀 finds 王秀英, 晓明 finds 欧阳晓明).
///   That reading holds for names written in an East Asian script, without a space after
///   the surname; for "Olivia" it only made "li" find her by accident. They now hold such
///   names alone (`SQLSearch.eastAsian`): about 63 MB less a million contacts of which a
///   third have Chinese names.
struct M0052_IndexOnlyRowsThatHoldAValue: GuanxiMigration {
    let name = "0052_IndexOnlyRowsThatHoldAValue"

    /// Index, table, columns: kept for the rows whose first column holds a value.
    static let sparse = [("contacts_wechat_idx", "contacts", "wechat"), ("contacts_reports_idx", "contacts", "reports_to_id"),
                         ("contacts_owner_name_sort_idx", "contacts", "owner_id, name_sort"),
                         ("customers_parent_idx", "customers", "parent_id"), ("customers_referrer_idx", "customers", "referred_by_id"),
                         ("leads_customer_idx", "leads", "converted_customer_id")]

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let engine: SQLEngine = sql.dialect.name == "postgresql" ? .postgres : .sqlite
        for (index, table, columns) in Self.sparse {
            let first = columns.split(separator: ",")[0]
            try await SetAsideIndexes.redefine(index, as: "CREATE INDEX \(index) ON \(table) (\(columns)) WHERE \(first) IS NOT NULL", on: sql)
        }
        for (index, table, columns) in Self.afterSurname(engine) {
            try await SetAsideIndexes.redefine(index, as: "CREATE INDEX \(index) ON \(table) \(columns) WHERE \(SQLSearch.eastAsian("name", engine: engine))", on: sql)
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let engine: SQLEngine = sql.dialect.name == "postgresql" ? .postgres : .sqlite
        for (index, table, columns) in Self.sparse {
            try await SetAsideIndexes.redefine(index, as: "CREATE INDEX \(index) ON \(table) (\(columns))", on: sql)
        }
        for (index, table, columns) in Self.afterSurname(engine) {
            try await SetAsideIndexes.redefine(index, as: "CREATE INDEX \(index) ON \(table) \(columns)", on: sql)
        }
    }

    /// The indexes on a person's name after one or two characters, with their columns as
    /// migrations 0043 (SQLite) and 0046 (PostgreSQL) left them.
    static func afterSurname(_ engine: SQLEngine) -> [(String, String, String)] {
        SQLSearch.personNames.sorted().flatMap { table in
            [2, 3].map { from in
                let columns = engine == .postgres ? "(substr(name, \(from))) INCLUDE (name, name_sort, id)" : "(substr(name, \(from)), name_sort, id)"
                return ("\(table)_name_from\(from)_idx", table, columns)
            }
        }
    }
}
