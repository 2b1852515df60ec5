import FluentKit
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Short searches on people's names: a one- or two-character term matches the start of
/// the name, or of the name after a one- or two-character surname (王 | 晓明, 欧阳 | 晓明),
/// each answered from an index instead of reading every name.
struct M0021_AddGivenNameIndexes: GuanxiMigration {
    let name = "0021_AddGivenNameIndexes"
    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in ["contacts", "leads"] {
            for offset in [2, 3] {
                try await sql.raw("CREATE INDEX \(unsafeRaw: table)_name_from\(unsafeRaw: String(offset))_idx ON \(unsafeRaw: table) (substr(name, \(unsafeRaw: String(offset))))").run()
            }
        }
    }
    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for table in ["contacts", "leads"] {
            for offset in [2, 3] { try await sql.raw("DROP INDEX \(unsafeRaw: table)_name_from\(unsafeRaw: String(offset))_idx").run() }
        }
    }
}
