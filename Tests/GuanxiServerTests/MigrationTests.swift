import FluentKit
import Foundation
@testable import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import Logging
import SQLKit
import Testing
import GuanxiPlatform

@Suite("Migrations")
struct MigrationTests {
    func withDatabase(_ body: (DatabaseService) async throws -> Void) async throws {
        let scratch = try await ScratchDatabase.make(for: AppConfig.testing().database)
        var logger = Logger(label: "migration-test")
        logger.logLevel = .error
        let database = try DatabaseService(location: scratch.location, logger: logger, connectionsPerLoop: 2)
        do { try await body(database) } catch { await database.shutdown(); try await scratch.drop(); throw error }
        await database.shutdown()
        try await scratch.drop()
    }

    func tables(_ db: DatabaseService) async throws -> Set<String> {
        let sql = db.engine == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        return Set(try await db.sql.raw(SQLQueryString(sql)).all(decodingColumn: "name", as: String.self))
    }

    @Test("All migrations apply, then revert one by one back to an empty schema")
    func upAndDown() async throws {
        try await withDatabase { db in
            let migrator = Migrator(db: db.db, migrations: AllMigrations.list)
            #expect(try await migrator.migrate() == AllMigrations.list.map(\.name))
            #expect(try await migrator.state() == .current)
            #expect(try await tables(db).isSuperset(of: ["users", "departments", "roles", "sessions", "api_tokens", "audit_entries", "jobs"]))
            #expect(try await migrator.migrate().isEmpty)
            let reverted = try await migrator.revert(steps: AllMigrations.list.count)
            #expect(reverted == AllMigrations.list.map(\.name).reversed())
            #expect(try await tables(db) == [Migrator.table])
            #expect(try await migrator.migrate().count == AllMigrations.list.count)
        }
    }

    @Test("No table has two indexes on the same columns: each one is kept up on every write")
    func noIndexTwice() async throws {
        try await withDatabase { db in
            _ = try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
            // Each index as its table and what it indexes ("ON customers (lower(email))"), without its name, quotes, spaces or case.
            let definitions = db.engine == .sqlite
                ? "SELECT name, substr(sql, instr(upper(sql), ' ON ')) AS d FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                : "SELECT indexname AS name, substr(indexdef, strpos(indexdef, ' ON ')) AS d FROM pg_indexes WHERE schemaname = current_schema()"
            var seen: [String: String] = [:]
            var twice: [String] = []
            for row in try await db.sql.raw(SQLQueryString(definitions)).all() {
                let name = try row.decode(column: "name", as: String.self)
                let key = try row.decode(column: "d", as: String.self).lowercased().filter { $0 != "\"" && !$0.isWhitespace }
                if let first = seen[key] { twice.append("\(first) = \(name)") } else { seen[key] = name }
            }
            #expect(seen.count > 50)
            #expect(twice.isEmpty, "\(twice)")
        }
    }

    @Test("On SQLite an import's ledger and contacts' phones and e-mails are stored in key order (0045): no second copy of the key; rows and indexes kept through revert and migrate")
    func storedByKey() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            _ = try await ImportTests.importing(app, .contacts, "姓名,公司,手机,邮箱\n王伟,星辰科技,138 0013 8000,wang@xingchen.cn\n李娜,星辰科技,139 1111 2222,\n", ImportSettings())
            let sql = app.services.database.sql
            let tables = ["import_job_records", "contact_channels"]
            // Ids as hex digits, whether kept as bytes or (before migration 0047) as text.
            func id(_ column: String) -> String { "replace(CASE typeof(\(column)) WHEN 'blob' THEN hex(\(column)) ELSE \(column) END, '-', '')" }
            func rows() async throws -> [String] {
                try await sql.raw(SQLQueryString("SELECT \(id("contact_id")) || kind || position || value || normalized AS r FROM contact_channels ORDER BY r")).all(decodingColumn: "r", as: String.self)
                    // The ledger's kind and action as words, whether kept in full or (after migration 0055) compact.
                    + sql.raw(SQLQueryString("""
                        SELECT \(id("job_id")) || coalesce(record_kind, (SELECT kind FROM import_jobs j WHERE j.id = job_id)) || \(id("record_id")) || line
                            || CASE action WHEN 0 THEN 'created' WHEN 1 THEN 'updated' WHEN 2 THEN 'reverted' ELSE action END AS r FROM import_job_records ORDER BY r
                        """)).all(decodingColumn: "r", as: String.self)
            }
            func keyed() async throws -> [Bool] {
                var out: [Bool] = []
                for table in tables {
                    out.append(try #require(try await sql.raw("SELECT sql FROM sqlite_master WHERE name = \(bind: table)").first()).decode(column: "sql", as: String.self).hasSuffix("WITHOUT ROWID"))
                }
                return out
            }
            func indexes() async throws -> [String] {
                try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('contact_channels', 'import_job_records') ORDER BY name")
                    .all(decodingColumn: "name", as: String.self)
            }
            let before = try await rows()
            #expect(before.count == 3 + 3)
            #expect(try await keyed() == [true, true])
            #expect(try await indexes() == ["contact_channels_value_idx"])
            let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT value FROM contact_channels WHERE contact_id = 'x'").all(decodingColumn: "detail", as: String.self)
            #expect(plan.contains { $0.contains("USING PRIMARY KEY") }, "\(plan)")

            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 13) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers", "0052_IndexOnlyRowsThatHoldAValue", "0051_DropOwnerNameIndexes", "0050_IndexSearchTrigramsWithoutPositions", "0049_IndexReferencesToRecords", "0048_DeflateImportFiles", "0047_StoreIDsAsBytes", "0046_CoverSearchesOnPostgreSQL", "0045_StoreLedgerAndChannelsByKey"])
            #expect(try await keyed() == [false, false])
            #expect(try await indexes() == ["contact_channels_value_idx", "sqlite_autoindex_contact_channels_1", "sqlite_autoindex_import_job_records_1"])
            #expect(try await rows() == before)
            #expect(try await migrator.migrate() == ["0045_StoreLedgerAndChannelsByKey", "0046_CoverSearchesOnPostgreSQL", "0047_StoreIDsAsBytes", "0048_DeflateImportFiles", "0049_IndexReferencesToRecords", "0050_IndexSearchTrigramsWithoutPositions", "0051_DropOwnerNameIndexes", "0052_IndexOnlyRowsThatHoldAValue", "0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await keyed() == [true, true])
            #expect(try await indexes() == ["contact_channels_value_idx"])
            #expect(try await rows() == before)
            #expect(try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok")
            // Foreign keys still hold: a contact's deletion takes its phones, an import's its ledger.
            try await sql.raw("DELETE FROM contacts WHERE name = '王伟'").run()
            try await sql.raw("DELETE FROM import_jobs").run()
            #expect(try await rows().count == 1)
        }
    }

    @Test("On SQLite every id is kept as its 16 bytes; migration 0047 turns the text ids an older build wrote into bytes and back, references, searches and lists intact")
    func idsAsBytes() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            let file = "姓名,公司,手机,邮箱\n王伟,星辰科技,138 0013 8000,wang@xingchen.cn\n李娜,星辰科技,139 1111 2222,\n"
            _ = try await ImportTests.importing(app, .contacts, file, ImportSettings())
            let sql = app.services.database.sql
            let admin = try await app.admin
            let columns = try await M0047_StoreIDsAsBytes.idColumns(on: sql)
            for expected in [("contacts", "id"), ("contacts", "customer_id"), ("customers", "id"), ("users", "id"), ("search_keys", "record_id"),
                             ("contact_channels", "contact_id"), ("import_job_records", "record_id"), ("audit_entries", "actor_id")] {
                #expect(columns.contains { $0 == expected }, "\(expected)")
            }
            #expect(!columns.contains { $0 == ("audit_entries", "record_id") }, "the audit trail names records as text")
            // What the id columns hold: "table.column: type length".
            func stored() async throws -> Set<String> {
                var out: Set<String> = []
                for (table, column) in columns {
                    for kind in try await sql.raw("SELECT DISTINCT typeof(\(ident: column)) || ' ' || length(\(ident: column)) AS k FROM \(ident: table) WHERE \(ident: column) IS NOT NULL")
                        .all(decodingColumn: "k", as: String.self) { out.insert("\(table).\(column): \(kind)") }
                }
                return out
            }
            // What the application reads through them: a search, a customer's contacts, a contact's phones.
            func reads() async throws -> [String] {
                var search = ContactFilter()
                search.search = "王伟"
                let found = try await app.services.contactQuery.list(search, for: admin).contacts
                var ofCustomer = ContactFilter()
                ofCustomer.customerID = try #require(found.first?.customerID)
                let staff = try await app.services.contactQuery.list(ofCustomer, for: admin).contacts
                let phones = try await app.services.contacts.channels(of: try #require(found.first?.id)).map(\.value)
                return found.map(\.name) + staff.map(\.name) + phones
            }
            let asBytes = try await stored()
            for column in ["contacts.id", "customers.id", "search_keys.record_id", "contact_channels.contact_id", "import_job_records.record_id", "audit_entries.actor_id"] {
                #expect(asBytes.contains("\(column): blob 16"), "\(asBytes)")
            }
            #expect(asBytes.allSatisfy { $0.hasSuffix(": blob 16") }, "\(asBytes)")
            let read = try await reads()
            #expect(read == ["王伟", "李娜", "王伟", "wang@xingchen.cn", "138 0013 8000"])
            let wang = try #require(try await app.services.contactQuery.list(ContactFilter(), for: admin).contacts.first { $0.name == "王伟" }?.id)

            // Back to text, as an older build wrote it (upper case, with hyphens).
            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 11) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers", "0052_IndexOnlyRowsThatHoldAValue", "0051_DropOwnerNameIndexes", "0050_IndexSearchTrigramsWithoutPositions", "0049_IndexReferencesToRecords", "0048_DeflateImportFiles", "0047_StoreIDsAsBytes"])
            // The import's file is as it came again (migration 0048), for an older build.
            #expect(try await sql.raw("SELECT data FROM import_job_chunks").all(decodingColumn: "data", as: Data.self) == [Data(file.utf8)])
            #expect(try await sql.raw("SELECT count(*) AS n FROM pragma_table_info('import_job_chunks') WHERE name = 'deflated'").first(decodingColumn: "n", as: Int.self) == 0)
            let asText = try await stored()
            #expect(asText.allSatisfy { $0.hasSuffix(": text 36") }, "\(asText)")
            #expect(Set(asText.map { $0.prefix { $0 != ":" } }) == Set(asBytes.map { $0.prefix { $0 != ":" } }))
            #expect(try await sql.raw("SELECT count(*) AS n FROM contacts WHERE id = \(bind: wang.uuidString)").first(decodingColumn: "n", as: Int.self) == 1)
            // A row an older build wrote, and text in an id column that is no id: the first becomes bytes, the second stays.
            let older = UUID()
            try await sql.raw("INSERT INTO contact_channels (contact_id, kind, position, value, normalized) VALUES (\(bind: wang.uuidString), 'phone', 9, '010 1234 5678', '01012345678')").run()
            try await sql.raw("INSERT INTO search_keys (kind, record_id) VALUES ('elsewhere', \(bind: older.uuidString)), ('elsewhere', 'not-an-id')").run()

            #expect(try await migrator.migrate() == ["0047_StoreIDsAsBytes", "0048_DeflateImportFiles", "0049_IndexReferencesToRecords", "0050_IndexSearchTrigramsWithoutPositions", "0051_DropOwnerNameIndexes", "0052_IndexOnlyRowsThatHoldAValue", "0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await stored() == asBytes.union(["search_keys.record_id: text 9"]))
            #expect(try await sql.raw("SELECT count(*) AS n FROM search_keys WHERE record_id = \(bind: older)").first(decodingColumn: "n", as: Int.self) == 1)
            #expect(try await sql.raw("SELECT count(*) AS n FROM contact_channels WHERE contact_id = \(bind: wang)").first(decodingColumn: "n", as: Int.self) == 3)
            try await sql.raw("DELETE FROM search_keys WHERE kind = 'elsewhere'").run()
            try await sql.raw("DELETE FROM contact_channels WHERE position = 9").run()
            #expect(try await reads() == read)
            #expect(try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok")
            #expect(try await sql.raw("SELECT count(*) AS n FROM pragma_foreign_key_check").first(decodingColumn: "n", as: Int.self) == 0)
            // References are checked again after the run: a phone of no contact is refused.
            await #expect(throws: (any Error).self) {
                try await app.services.database.sql.raw("INSERT INTO contact_channels (contact_id, kind, position, value) VALUES (\(bind: UUID()), 'phone', 0, '1')").run()
            }
        }
    }

    /// Rewrites a key and leaves a reference to the old one behind.
    struct Dangling: GuanxiMigration {
        let name = "0998_LeavesAReferenceBehind"
        let rewritesKeys: Bool
        func prepare(on db: any Database) async throws {
            let sql = db as! any SQLDatabase
            try await sql.raw("CREATE TABLE parent_rows (id UUID PRIMARY KEY)").run()
            try await sql.raw("CREATE TABLE child_rows (parent_id UUID REFERENCES parent_rows (id))").run()
            try await sql.raw("INSERT INTO parent_rows (id) VALUES ('a')").run()
            try await sql.raw("INSERT INTO child_rows (parent_id) VALUES ('a')").run()
            try await sql.raw("UPDATE parent_rows SET id = 'b'").run()
        }
        func revert(on db: any Database) async throws {}
    }

    @Test("On SQLite a migration that rewrites keys runs with references checked once at its end: one left pointing nowhere undoes the whole run")
    func keysCheckedAtEnd() async throws {
        try await withDatabase { db in
            guard db.engine == .sqlite else { return }
            // Checked row by row, the rewrite itself is refused.
            await #expect(throws: (any Error).self) { try await Migrator(db: db.db, migrations: AllMigrations.list + [Dangling(rewritesKeys: false)]).migrate() }
            #expect(try await tables(db) == [Migrator.table])
            // Checked at the end, the run goes through its steps and is then refused as a whole.
            do {
                try await Migrator(db: db.db, migrations: AllMigrations.list + [Dangling(rewritesKeys: true)]).migrate()
                Issue.record("the run should be refused")
            } catch let error as GuanxiError {
                #expect(error.message.contains("references to records that do not exist (1 more than before)"), "\(error.message)")
            }
            #expect(try await tables(db) == [Migrator.table])
            #expect(try await (db.db as! any SQLDatabase).raw("PRAGMA foreign_keys").first(decodingColumn: "foreign_keys", as: Int.self) == 1)
            // The same run without the dangling reference commits, and checks are on again afterwards.
            #expect(try await Migrator(db: db.db, migrations: AllMigrations.list).migrate().count == AllMigrations.list.count)
            #expect(try await (db.db as! any SQLDatabase).raw("PRAGMA foreign_keys").first(decodingColumn: "foreign_keys", as: Int.self) == 1)
        }
    }

    @Test("Customers, contacts and leads keep one index starting with their owner, by place in name order: the one by owner and name is gone (and not built again by an import that set it aside), a look-up by owner reads the other; reverting brings it back")
    func ownerIndexes() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let sqlite = app.services.database.engine == .sqlite
            func indexes() async throws -> Set<String> {
                let query: SQLQueryString = sqlite ? "SELECT name FROM sqlite_master WHERE type = 'index'" : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"
                return Set(try await sql.raw(query).all(decodingColumn: "name", as: String.self).filter { $0.contains("_owner_") })
            }
            let tables = M0051_DropOwnerNameIndexes.tables
            #expect(try await indexes().isSuperset(of: tables.map { "\($0)_owner_name_sort_idx" }))
            #expect(try await indexes().isDisjoint(with: tables.map { "\($0)_owner_idx" }))
            if sqlite {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT id, name FROM contacts WHERE owner_id = \(bind: UUID())").all(decodingColumn: "detail", as: String.self)
                #expect(plan.contains { $0.contains("contacts_owner_name_sort_idx") }, "\(plan)")
            }
            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 7) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers", "0052_IndexOnlyRowsThatHoldAValue", "0051_DropOwnerNameIndexes"])
            #expect(try await indexes().isSuperset(of: tables.map { "\($0)_owner_idx" }))
            // As an import that stopped leaves an index it set aside.
            try await sql.insert(into: "set_aside_indexes").columns("name", "definition", "job_id", "set_aside_at")
                .values(SQLBind("contacts_owner_idx"), SQLBind("CREATE INDEX contacts_owner_idx ON contacts (owner_id, name)"), SQLBind(UUID()), SQLBind(Date())).run()
            #expect(try await migrator.migrate() == ["0051_DropOwnerNameIndexes", "0052_IndexOnlyRowsThatHoldAValue", "0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await indexes().isDisjoint(with: tables.map { "\($0)_owner_idx" }))
            #expect(try await sql.select().column("name").from("set_aside_indexes").all().isEmpty)
        }
    }

    @Test("Indexes on columns most records leave empty, and on a name after its surname, hold only the rows a look-up can find; a look-up by value still reads them; reverting makes them whole again")
    func partialIndexes() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let engine = app.services.database.engine
            let names = M0052_IndexOnlyRowsThatHoldAValue.sparse.map(\.0) + M0052_IndexOnlyRowsThatHoldAValue.afterSurname(engine).map(\.0)
            #expect(names.count == 10)
            func partial() async throws -> Set<String> {
                let query: SQLQueryString = engine == .sqlite
                    ? "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
                    : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND indexdef LIKE '% WHERE %'"
                return Set(try await sql.raw(query).all(decodingColumn: "name", as: String.self))
            }
            #expect(try await partial().isSuperset(of: names))
            if engine == .sqlite {
                for (query, index) in [("SELECT id FROM contacts WHERE wechat = 'wx_li'", "contacts_wechat_idx"),
                                       ("SELECT id FROM contacts WHERE owner_id IN (x'00', x'01') ORDER BY name_sort", "contacts_owner_name_sort_idx"),
                                       ("SELECT id FROM contacts WHERE reports_to_id = x'00'", "contacts_reports_idx"),
                                       ("SELECT id FROM customers WHERE parent_id = x'00'", "customers_parent_idx")] {
                    let plan = try await sql.raw("EXPLAIN QUERY PLAN \(unsafeRaw: query)").all(decodingColumn: "detail", as: String.self)
                    #expect(plan.contains { $0.contains("INDEX \(index) ") }, "\(query) \(plan)")
                }
            }
            // A manager deleted: the contact reporting to them, found through the partial index, reports to no one.
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "北京星辰科技有限公司"
            let customer = try await app.services.customers.create(company, by: admin)
            var boss = ContactInput()
            boss.name = "王经理"
            boss.customerID = .some(customer.id)
            let manager = try await app.services.contacts.create(boss, by: admin)
            var report = ContactInput()
            report.name = "李秀"
            report.customerID = .some(customer.id)
            report.wechat = "wx_li_xiu"
            report.reportsToID = .some(manager.id)
            let staff = try await app.services.contacts.create(report, by: admin)
            try await app.services.contacts.delete(manager.id!, expectedVersion: nil, by: admin)
            #expect(try await app.services.contacts.find(staff.id!, for: admin).reportsToID == nil)

            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 6) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers", "0052_IndexOnlyRowsThatHoldAValue"])
            #expect(try await partial().isDisjoint(with: names))
            #expect(try await migrator.migrate() == ["0052_IndexOnlyRowsThatHoldAValue", "0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await partial().isSuperset(of: names))
        }
    }

    @Test("A contact's phone or e-mail keeps its normal form only where it differs from the value as typed; look-ups read the normal form as before; reverting stores it whole again")
    func channelsNormalFormApart() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let sqlite = app.services.database.engine == .sqlite
            let admin = try await app.admin
            var input = ContactInput()
            input.name = "王秀英"
            input.emails = [ContactChannel(kind: .email, value: "Wang.Xiuying@Example.cn"), ContactChannel(kind: .email, value: "xiuying@example.cn")]
            input.phones = [ContactChannel(kind: .phone, value: "+86 138 0013 8000"), ContactChannel(kind: .phone, value: "13900139000")]
            let contact = try await app.services.contacts.create(input, by: admin)
            func rows(_ apart: Bool) async throws -> [String] {
                try await sql.raw("SELECT value, \(unsafeRaw: apart ? "normalized_apart" : "NULL") AS apart, normalized FROM contact_channels WHERE contact_id = \(bind: contact.id) ORDER BY kind, position").all().map {
                    "\(try $0.decode(column: "value", as: String.self)) | \(try $0.decode(column: "apart", as: String?.self) ?? "-") | \(try $0.decode(column: "normalized", as: String.self))"
                }
            }
            #expect(try await rows(true) == ["Wang.Xiuying@Example.cn | wang.xiuying@example.cn | wang.xiuying@example.cn", "xiuying@example.cn | - | xiuying@example.cn",
                                             "+86 138 0013 8000 | 8613800138000 | 8613800138000", "13900139000 | - | 13900139000"])
            // Found by either address, however it is typed, and by the phone's digits.
            let check = DuplicateCheck(database: app.services.database, permissions: app.services.permissions)
            for channel in [ContactChannel(kind: .email, value: "wang.xiuying@example.cn"), ContactChannel(kind: .email, value: "XIUYING@example.cn"),
                            ContactChannel(kind: .phone, value: "+86-138-0013-8000")] {
                let twin = Contact()
                twin.name = "王秀英"
                #expect(try await check.contacts(like: twin, channels: [channel], for: admin).map(\.id) == [contact.id!], "\(channel.value)")
            }
            if sqlite {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT contact_id FROM contact_channels WHERE kind = 'phone' AND normalized = '8613800138000'")
                    .all(decodingColumn: "detail", as: String.self)
                #expect(plan.contains { $0.contains("contact_channels_value_idx") }, "\(plan)")
                // Computed, not stored.
                #expect(try await sql.raw("SELECT hidden FROM pragma_table_xinfo('contact_channels') WHERE name = 'normalized'").first(decodingColumn: "hidden", as: Int.self) == 2)
            }
            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 5) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact", "0054_FindShortNamesAlongNameOrder", "0053_KeepChannelsNormalFormWhereItDiffers"])
            #expect(try await rows(false) == ["Wang.Xiuying@Example.cn | - | wang.xiuying@example.cn", "xiuying@example.cn | - | xiuying@example.cn",
                                              "+86 138 0013 8000 | - | 8613800138000", "13900139000 | - | 13900139000"])
            #expect(try await migrator.migrate() == ["0053_KeepChannelsNormalFormWhereItDiffers", "0054_FindShortNamesAlongNameOrder", "0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await rows(true).count == 4)
            #expect(try await rows(true)[1] == "xiuying@example.cn | - | xiuying@example.cn")
        }
    }

    @Test("An import's ledger notes a record's kind only when it is not the import's own, and what befell it as a number; histories and reverts read it as before; reverting the migration writes the words again")
    func ledgerCompact() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let job = try await ImportTests.importing(app, .contacts, "姓名,公司,手机\n王伟,新星科技,13800138000\n李娜,新星科技,13911112222\n", ImportSettings())
            func ledger() async throws -> [String] {
                try await sql.raw("SELECT r.record_kind, CAST(r.action AS TEXT) AS action, r.line FROM import_job_records r WHERE r.job_id = \(bind: job.id) ORDER BY r.line, coalesce(r.record_kind, '')").all().map {
                    "\(try $0.decode(column: "line", as: Int.self)) \(try $0.decode(column: "record_kind", as: String?.self) ?? "-") \(try $0.decode(column: "action", as: String.self))"
                }
            }
            // The company the file named, created along with the first contact.
            #expect(try await ledger() == ["2 - 0", "2 customers 0", "3 - 0"])
            let store = ImportJobStore(services: app.services.customerFile)
            #expect(try await store.createdKinds(of: job.id, first: .contacts) == [.contacts, .customers])
            #expect(try await store.created(of: job.id, kind: .customers, after: nil, limit: 10).map(\.line) == [2])
            let wang = try #require(try await sql.select().column("id").from("contacts").where("name", .equal, "王伟").first(decodingColumn: "id", as: UUID.self))
            let history = try await ImportLedger(services: app.services.customerFile).entries(kind: "contacts", id: wang.uuidString)
            #expect(history.map { $0.changes.map(\.new) } == [["test.csv", "2"]])

            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 3) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps", "0055_KeepLedgerCompact"])
            #expect(try await ledger() == ["2 contacts created", "2 customers created", "3 contacts created"])
            #expect(try await migrator.migrate() == ["0055_KeepLedgerCompact", "0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await ledger() == ["2 - 0", "2 customers 0", "3 - 0"])

            // A revert marks what it deleted, by number.
            let reverted = try await DataImport(services: app.services.customerFile).revert(job.id, by: try await app.admin)
            #expect(reverted.status == .reverted)
            #expect(try await ledger() == ["2 - 2", "2 customers 2", "3 - 2"])
            #expect(try await store.revertedCount(of: job.id) == 3)
        }
    }

    @Test("A customer's contacts are indexed by the customer alone, and on SQLite a search key by its record id alone; look-ups and searches read them, through a revert of the migration and back")
    func narrowIndexes() async throws {
        try await TestApp.run { app, _ in
            let sql = app.services.database.sql
            let sqlite = app.services.database.engine == .sqlite
            let admin = try await app.admin
            var company = CustomerInput()
            company.name = "星辰科技"
            let customer = try await app.services.customers.create(company, by: admin)
            for name in ["王秀英", "Emma Wang", "李娜"] {
                var input = ContactInput()
                (input.name, input.customerID) = (name, .some(customer.id))
                _ = try await app.services.contacts.create(input, by: admin)
            }
            func columns(_ index: String) async throws -> [String] {
                guard sqlite else {
                    let definition = try await sql.raw("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = \(bind: index)")
                        .first(decodingColumn: "indexdef", as: String.self) ?? ""
                    return definition.split(separator: "(").last.map { $0.dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
                }
                return try await sql.raw("SELECT name FROM pragma_index_info(\(bind: index)) ORDER BY seqno").all(decodingColumn: "name", as: String.self)
            }
            func keyColumns() async throws -> [String] {
                let index = try await sql.raw("SELECT name FROM pragma_index_list('search_keys') WHERE \"unique\" = 1").first(decodingColumn: "name", as: String.self) ?? ""
                return try await columns(index)
            }
            func found() async throws -> [String] {
                var filter = ContactFilter()
                filter.search = "王秀英"
                return try await app.services.contactQuery.list(filter, for: admin).contacts.map(\.name)
            }
            func ofCustomer() async throws -> [String] {
                var filter = ContactFilter()
                filter.customerID = customer.id
                return try await app.services.contactQuery.list(filter, for: admin).contacts.map(\.name)
            }
            #expect(try await columns("contacts_customer_idx") == ["customer_id"])
            if sqlite {
                #expect(try await keyColumns() == ["record_id"])
                let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE customer_id = \(bind: customer.id) ORDER BY name_sort").all(decodingColumn: "detail", as: String.self)
                #expect(plan.contains { $0.contains("contacts_customer_idx") }, "\(plan)")
            }
            #expect(try await found() == ["王秀英"])
            #expect(try await ofCustomer() == ["Emma Wang", "李娜", "王秀英"])

            let migrator = Migrator(db: app.services.database.db, migrations: AllMigrations.list)
            #expect(try await migrator.revert(steps: 2) == ["0057_NumberSearchKeysByName", "0056_NarrowIndexesToTheirLookUps"])
            #expect(try await columns("contacts_customer_idx") == ["customer_id", "name"])
            if sqlite { #expect(try await keyColumns() == ["kind", "record_id"]) }
            #expect(try await found() == ["王秀英"])
            #expect(try await migrator.migrate() == ["0056_NarrowIndexesToTheirLookUps", "0057_NumberSearchKeysByName"])
            #expect(try await columns("contacts_customer_idx") == ["customer_id"])
            if sqlite { #expect(try await keyColumns() == ["record_id"]) }
            // The search index still finds records by their keys' numbers, old and new.
            #expect(try await found() == ["王秀英"])
            var later = ContactInput()
            (later.name, later.customerID) = ("王秀英", .some(customer.id))
            _ = try await app.services.contacts.create(later, by: admin)
            #expect(try await found() == ["王秀英", "王秀英"])
            if sqlite { #expect(try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok") }
        }
    }

    @Test("Every column naming a record that can be deleted has an index that starts with it: deleting the record finds the rows naming it without reading their whole table")
    func referencesIndexed() async throws {
        try await withDatabase { db in
            _ = try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
            // Set-up records — people, roles, teams, message templates — are few and seldom deleted.
            let setUp = "('users', 'roles', 'teams', 'message_templates')"
            let unindexed: [String]
            if db.engine == .sqlite {
                unindexed = try await db.sql.raw(SQLQueryString("""
                    SELECT m.name || '.' || f."from" AS c FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
                    WHERE m.type = 'table' AND f."table" NOT IN \(setUp) \
                    AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name = f."from")
                    """)).all(decodingColumn: "c", as: String.self)
                for (index, table, column) in M0049_IndexReferencesToRecords.indexes {
                    let plan = try await db.sql.raw("EXPLAIN QUERY PLAN SELECT 1 FROM \(ident: table) WHERE \(ident: column) = \(bind: UUID())").all(decodingColumn: "detail", as: String.self)
                    #expect(plan.contains { $0.contains("INDEX \(index)") }, "\(plan)")
                }
            } else {
                unindexed = try await db.sql.raw(SQLQueryString("""
                    SELECT c.conrelid::regclass::text || '.' || a.attname AS c FROM pg_constraint c \
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                    WHERE c.contype = 'f' AND c.confrelid::regclass::text NOT IN \(setUp) \
                    AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) \
                    AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
                    """)).all(decodingColumn: "c", as: String.self)
            }
            #expect(unindexed.isEmpty, "\(unindexed)")
            let references = try await db.sql.raw(SQLQueryString(db.engine == .sqlite
                ? "SELECT count(*) AS n FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" NOT IN \(setUp)"
                : "SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f' AND confrelid::regclass::text NOT IN \(setUp) AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"))
                .first(decodingColumn: "n", as: Int.self)
            #expect((references ?? 0) > 20, "the check saw the references")
        }
    }

    struct Failing: GuanxiMigration {
        let name = "0999_Fails"
        func prepare(on db: any Database) async throws {
            try await db.schema("half_done").field("id", .int).create()
            throw GuanxiError(.internal, "boom")
        }
        func revert(on db: any Database) async throws {}
    }

    @Test("A failed migration run leaves the database exactly as it was")
    func failureRollsBack() async throws {
        try await withDatabase { db in
            let migrator = Migrator(db: db.db, migrations: AllMigrations.list + [Failing()])
            await #expect(throws: GuanxiError.self) { try await migrator.migrate() }
            let left = try await tables(db)
            #expect(left == [Migrator.table])
            let state = try await Migrator(db: db.db, migrations: AllMigrations.list).state()
            #expect(state == .pending(AllMigrations.list.map(\.name)))
        }
    }

    @Test("A schema written by a newer Guanxi is refused with a clear message")
    func newerSchema() async throws {
        try await withDatabase { db in
            try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
            try await db.sql.insert(into: Migrator.table).columns("name", "applied_at").values(SQLBind("0999_FromTheFuture"), SQLBind(Date())).run()
            #expect(try await Migrator(db: db.db, migrations: AllMigrations.list).state() == .newerThanThisBuild(["0999_FromTheFuture"]))
            do {
                try await Migrator(db: db.db, migrations: AllMigrations.list).migrate()
                Issue.record("migrate should refuse")
            } catch let error as GuanxiError {
                #expect(error.message.contains("newer version of Guanxi"))
                #expect(error.message.contains("0999_FromTheFuture"))
            }
        }
    }

    @Test("The server does not start on a schema it does not know")
    func serverRefuses() async throws {
        // A shared in-memory database would vanish with its connection, so use a file.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = AppConfig.testing(environment: [:])
        config.database = .sqliteFile(dir.appendingPathComponent("g.sqlite").path)
        let first = try await AppServices(config: config, logger: Logger(label: "t"), bcryptCost: 4)
        try await Migrator(db: first.database.db, migrations: AllMigrations.list).migrate()
        try await first.database.sql.insert(into: Migrator.table).columns("name", "applied_at").values(SQLBind("0999_FromTheFuture"), SQLBind(Date())).run()
        await #expect(throws: GuanxiError.self) { _ = try await GuanxiApp.build(services: first, runJobs: false) }
        await first.database.shutdown()
    }
}
