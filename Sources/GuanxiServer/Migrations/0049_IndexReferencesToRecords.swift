import FluentKit
import SQLKit
import GuanxiPlatform

/// Three columns that name a record had no index: a lead's converted contact, a deal's
/// contact and a follow-up's activity. Deleting a contact (by hand, in a merge, or by
/// reverting an import) made the database look for the leads and deals naming it — to
/// clear the reference — by reading every lead and every deal; with 50,000 leads that was
/// about 11 ms a contact on SQLite, three hours more to revert an import of a million
/// contacts. PostgreSQL's reference checks read the same way. The indexes hold only the
/// rows that name something (most name nothing), so they take little room.
struct M0049_IndexReferencesToRecords: GuanxiMigration {
    let name = "0049_IndexReferencesToRecords"
    static let indexes = [("leads_converted_contact_idx", "leads", "converted_contact_id"),
                          ("opportunities_contact_idx", "opportunities", "contact_id"),
                          ("activities_follow_up_idx", "activities", "follow_up_of")]

    func prepare(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for (index, table, column) in Self.indexes {
            try await sql.raw("CREATE INDEX \(ident: index) ON \(ident: table) (\(ident: column)) WHERE \(ident: column) IS NOT NULL").run()
        }
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for (index, _, _) in Self.indexes { try await sql.raw("DROP INDEX \(ident: index)").run() }
    }
}
