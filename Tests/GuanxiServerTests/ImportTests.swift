import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import SQLKit
import Testing
import GuanxiPlatform

@Suite("Imports: files in, modes, keys, jobs, revert")
struct ImportTests {
    static func gbk(_ text: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        process.arguments = ["-f", "UTF-8", "-t", "GB18030"]
        let (input, output) = (Pipe(), Pipe())
        (process.standardInput, process.standardOutput) = (input, output)
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    @Test("An import's file is kept deflated, a piece at a time, and reads back byte for byte; a piece stored as it came (before migration 0048) still reads; a damaged one stops the import with a clear error")
    func storedDeflated() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            let store = ImportJobStore(services: app.services.customerFile)
            let sql = app.services.database.sql
            // About 1.5 MB: two pieces.
            let note = String(repeating: "长备注 long note ", count: 50)
            let csv = Data((["名称,备注"] + (0..<1_500).map { "压缩公司\($0),\(note)\($0)" }).joined(separator: "\n").utf8)
            let job = try await imports.start(.customers, fileName: "deflated.csv", data: csv, settings: Self.settings(), queue: false, by: admin)
            let pieces = try await sql.raw("SELECT length(data) AS size, deflated FROM import_job_chunks WHERE job_id = \(bind: job.id) ORDER BY position").all()
            #expect(pieces.count == 2)
            #expect(try pieces.allSatisfy { try $0.decode(column: "deflated", as: Bool.self) })
            let kept = try pieces.reduce(0) { $0 + (try $1.decode(column: "size", as: Int.self)) }
            #expect(kept * 4 < csv.count, "\(kept) bytes kept for \(csv.count)")
            #expect(try await store.content(job.id) == [UInt8](csv))
            #expect(try await imports.run(job.id, by: admin).created == 1_500)
            #expect(try await sql.raw("SELECT count(*) AS n FROM customers WHERE name LIKE '压缩公司%' AND notes LIKE '长备注%'").first(decodingColumn: "n", as: Int.self) == 1_500)

            // A file stored by an older version: its piece as it came.
            let older = try await imports.start(.customers, fileName: "older.csv", data: Data("名称\n旧版公司\n".utf8), settings: Self.settings(), queue: false, by: admin)
            try await sql.raw("UPDATE import_job_chunks SET data = \(bind: Data("名称\n旧版公司甲\n".utf8)), deflated = \(bind: false) WHERE job_id = \(bind: older.id)").run()
            #expect(try await imports.run(older.id, by: admin).created == 1)
            #expect(try await sql.raw("SELECT count(*) AS n FROM customers WHERE name = '旧版公司甲'").first(decodingColumn: "n", as: Int.self) == 1)

            // A damaged piece: the import stops and says so, in the job too.
            let damaged = try await imports.start(.customers, fileName: "damaged.csv", data: Data("名称\n损坏公司\n".utf8), settings: Self.settings(), queue: false, by: admin)
            try await sql.raw("UPDATE import_job_chunks SET data = \(bind: Data("not deflated".utf8)) WHERE job_id = \(bind: damaged.id)").run()
            do {
                _ = try await imports.run(damaged.id, by: admin)
                Issue.record("a damaged file should stop the import")
            } catch let error as GuanxiError {
                #expect(error.message.contains("Piece 1 of this import's stored file is damaged"), "\(error.message)")
            }
            let failed = try await store.find(damaged.id)
            // In the administrator's language.
            #expect(failed.status == .failed && ["damaged", "损坏"].contains { failed.error?.contains($0) == true }, "\(failed.error ?? "")")
            #expect(try await sql.raw("SELECT count(*) AS n FROM customers WHERE name = '损坏公司'").first(decodingColumn: "n", as: Int.self) == 0)

            // Deflate itself: what is not deflated data, or inflates past the limit, reads as nothing.
            let bytes = [UInt8](csv)
            #expect(Deflate.decompress(Deflate.compress(bytes), limit: bytes.count) == bytes)
            #expect(Deflate.decompress(Deflate.compress(bytes), limit: bytes.count - 1) == nil)
            #expect(Deflate.decompress(Array(Deflate.compress(bytes).dropLast(10)), limit: bytes.count) == nil)
            #expect(Deflate.decompress([UInt8]("名称,备注".utf8), limit: 1_000) == nil)
        }
    }

    @Test("A local file (guanxi import) streams into its job a piece at a time, rows across pieces arrive whole; GB18030 is read; a refused file leaves no job")
    func localFile() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            let sql = app.services.database.sql
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gx-local-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // About 1.4 MB: two pieces, one row cut by the boundary between them.
            let note = String(repeating: "长备注 long note ", count: 70)
            let big = folder.appendingPathComponent("big.csv")
            try Data((["名称,备注"] + (0..<1_000).map { "本地公司\($0),\(note)" }).joined(separator: "\n").utf8).write(to: big)
            let job = try await imports.start(.customers, file: big, settings: Self.settings(), queue: false, by: admin)
            #expect(job.totalRows == 1_000 && job.fileName == "big.csv" && job.status == .queued)
            #expect(try await sql.select().column("position").from("import_job_chunks").where("job_id", .equal, job.id).all().count == 2)
            let done = try await imports.run(job.id, by: admin)
            #expect(done.created == 1_000 && done.rejected == 0)
            let whole = try await sql.raw("SELECT COUNT(*) AS n FROM customers WHERE name LIKE '本地公司%' AND length(notes) = 979").first(decodingColumn: "n", as: Int.self)
            #expect(whole == 1_000)

            let chinese = folder.appendingPathComponent("gb.csv")
            try Self.gbk("名称,城市\n甲骨文贸易,北京\n").write(to: chinese)
            let gb = try await imports.run(try await imports.start(.customers, file: chinese, settings: Self.settings(), queue: false, by: admin).id, by: admin)
            #expect(gb.created == 1)
            #expect(try await sql.select().column("city").from("customers").where("name", .equal, "甲骨文贸易").first(decodingColumn: "city", as: String.self) == "北京")

            let jobs = try await sql.raw("SELECT COUNT(*) AS n FROM import_jobs").first(decodingColumn: "n", as: Int.self)
            let headless = folder.appendingPathComponent("no-name.csv")
            try Data("城市\n北京\n".utf8).write(to: headless)
            await #expect(throws: GuanxiError.self) { _ = try await imports.start(.customers, file: headless, settings: Self.settings(), queue: false, by: admin) }
            await #expect(throws: GuanxiError.self) { _ = try await imports.start(.customers, file: folder.appendingPathComponent("gone.csv"), settings: Self.settings(), queue: false, by: admin) }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM import_jobs").first(decodingColumn: "n", as: Int.self) == jobs)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM import_job_chunks WHERE job_id NOT IN (SELECT id FROM import_jobs)").first(decodingColumn: "n", as: Int.self) == 0)
        }
    }

    @Test("Customers' external ids are looked up a batch at a time: one already held, and one used twice in the file, are rejected on their lines; the rest land")
    func externalIDsByBatch() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var held = CustomerInput()
            (held.name, held.externalID) = ("老客户", "C-1")
            _ = try await app.services.customers.create(held, by: admin)
            // "Create all": the rows reach the database, whose uniqueness rejects the two.
            let job = try await Self.importing(app, .customers, "名称,客户编号\n新客户甲,C-2\n冒名客户,C-1\n新客户乙,C-3\n重复客户,C-3\n无编号客户,\n", Self.settings(duplicates: .create))
            #expect((job.created, job.rejected) == (3, 2))
            let rejects = CSV.parse(String(try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin).dropFirst())).dropFirst()
            #expect(rejects.map { $0[$0.count - 3] } == ["3", "5"])
            #expect(rejects.first?.last?.contains("C-1") == true)
            #expect(rejects.last?.last?.contains("冲突") == true)
            let ids = try await app.services.database.sql.raw("SELECT name, external_id FROM customers ORDER BY name").all()
                .map { "\(try $0.decode(column: "name", as: String.self))=\(try $0.decode(column: "external_id", as: String?.self) ?? "")" }
            #expect(Set(ids) == ["老客户=C-1", "新客户甲=C-2", "新客户乙=C-3", "无编号客户="])
            // Saved one at a time after the batch was refused, the rows are still audited by
            // the import's ledger, not the log: only the customer made by hand is logged.
            #expect(try await app.auditEntries(action: "create", kind: .customers).map(\.recordLabel) == ["老客户"])
            let landed = try #require(try await app.services.database.sql.select().column("id").from("customers").where("name", .equal, "新客户乙").first())
            let history = try await app.services.auditQuery.history(kind: .customers, id: try landed.decode(column: "id", as: UUID.self).uuidString)
            #expect(history.map { $0.changes.map(\.new) } == [["test.csv", "4"]])
        }
    }

    @Test("Skipping duplicates without a key still finds them: by external id, else e-mail, else phone, whichever the file fills")
    func skipWithoutKey() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var held = CustomerInput()
            (held.name, held.email, held.externalID) = ("星辰科技", "info@xingchen.cn", "C-1")
            _ = try await app.services.customers.create(held, by: admin)
            // No key chosen; the file has e-mails: the same company again, and twice within the file.
            var job = try await Self.importing(app, .customers, "名称,邮箱\n星辰科技有限公司,INFO@xingchen.cn\n云海贸易,sales@yunhai.cn\n云海贸易（重复）,sales@yunhai.cn\n", Self.settings())
            #expect((job.created, job.skipped, job.rejected) == (1, 2, 0))
            let reasons = CSV.parse(String(try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin).dropFirst())).dropFirst().map { $0.last! }
            #expect(reasons == ["邮箱为 INFO@xingchen.cn 的记录已存在，已跳过。", "邮箱与第 3 行相同，已跳过。"])
            // External ids come first when the file has them.
            job = try await Self.importing(app, .customers, "名称,客户编号,邮箱\n星辰（新名）,C-1,new@xingchen.cn\n", Self.settings())
            #expect((job.created, job.skipped) == (0, 1))
            // "Create all" looks for nothing, and a file with no e-mail, phone or id creates every row.
            job = try await Self.importing(app, .customers, "名称,邮箱\n星辰科技,info@xingchen.cn\n", Self.settings(duplicates: .create))
            #expect(job.created == 1)
            job = try await Self.importing(app, .customers, "名称\n星辰科技\n", Self.settings())
            #expect(job.created == 1)
        }
    }

    static func settings(_ mode: ImportSettings.Mode = .create, key: String? = nil, duplicates: ImportSettings.Duplicates = .skip) -> ImportSettings {
        var s = ImportSettings()
        (s.mode, s.key, s.duplicates) = (mode, key, duplicates)
        return s
    }

    static func importing(_ app: TestApp, _ kind: RecordKind, _ text: String, _ settings: ImportSettings, as actor: Principal? = nil) async throws -> ImportJob {
        let imports = DataImport(services: app.services.customerFile)
        let admin = try await app.admin
        let actor = actor ?? admin
        let job = try await imports.start(kind, fileName: "test.csv", data: Data(text.utf8), settings: settings, queue: false, by: actor)
        return try await imports.run(job.id, by: actor)
    }

    static func contactRows(_ app: TestApp) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for row in try await app.services.database.sql.raw("SELECT c.name, ch.label, ch.value FROM contacts c LEFT JOIN contact_channels ch ON ch.contact_id = c.id ORDER BY ch.kind, ch.position").all() {
            let label = try row.decode(column: "label", as: String?.self)
            let value = try row.decode(column: "value", as: String?.self)
            out[try row.decode(column: "name", as: String.self), default: []] += value.map { [(label.map { "\($0): " } ?? "") + $0] } ?? []
        }
        return out
    }

    @Test("Records an import creates are audited by its ledger: each history names the import, the line and who ran it; the log keeps the import's own entry; a revert leaves the creation in the history")
    func ledgerAudits() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            let started = try await imports.start(.contacts, fileName: "名片.csv", data: Data("姓名,公司\n王伟,星辰科技\n李娜,星辰科技\n".utf8),
                                                  settings: ImportSettings(), queue: false, by: admin)
            let job = try await imports.run(started.id, by: admin)
            #expect(job.created == 2)
            #expect(try await app.auditEntries(action: "create", kind: .contacts).isEmpty)
            #expect(try await app.auditEntries(action: "create", kind: .customers).isEmpty)
            #expect(try await app.auditEntries(action: "import", kind: .contacts).map(\.recordLabel) == ["名片.csv"])
            let sql = app.services.database.sql
            func id(_ table: String, _ name: String) async throws -> String {
                try #require(try await sql.select().column("id").from(table).where("name", .equal, name).first()).decode(column: "id", as: UUID.self).uuidString
            }
            let (wang, li, company) = (try await id("contacts", "王伟"), try await id("contacts", "李娜"), try await id("customers", "星辰科技"))
            func history(_ kind: RecordKind, _ id: String) async throws -> [AuditEntry] { try await app.services.auditQuery.history(kind: kind, id: id) }
            let created = try #require(try await history(.contacts, wang).first)
            #expect((created.seq, created.action, created.actorName, created.actorID, created.recordLabel) == (0, "create", "admin", admin.userID, "王伟"))
            #expect(created.changes == [FieldChange(field: "import", old: nil, new: "名片.csv"), FieldChange(field: "import_line", old: nil, new: "2")])
            #expect(created.at == job.createdAt)
            #expect(try await history(.contacts, li).first?.changes.last?.new == "3")
            // A history reads each import's ledger by its key, never the whole ledger.
            if app.services.database.engine == .sqlite {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN \(ImportLedger.lines(kind: "contacts", id: try #require(UUID(uuidString: wang))))").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.contains("SEARCH r USING PRIMARY KEY (job_id=? AND record_id=?)") } && !plan.contains { $0.contains("SCAN r") }, "\(plan)")
            }
            // The company made with the first row is noted with that row.
            #expect(try await history(.customers, company).map { $0.changes.map(\.new) } == [["名片.csv", "2"]])

            // A later change comes first; a page of one entry leads on to the creation.
            var change = ContactInput()
            change.title = "经理"
            _ = try await app.services.contacts.update(try #require(UUID(uuidString: wang)), change, expectedVersion: nil, by: admin)
            #expect(try await history(.contacts, wang).map(\.action) == ["update", "create"])
            var filter = AuditFilter()
            (filter.recordKind, filter.recordID, filter.limit) = ("contacts", wang, 1)
            let first = try await app.services.auditQuery.list(filter, for: admin)
            #expect(first.entries.map(\.action) == ["update"])
            filter.before = try #require(first.next)
            let second = try await app.services.auditQuery.list(filter, for: admin)
            #expect(second.entries.map(\.action) == ["create"] && second.next == nil)
            filter.action = "update"
            #expect(try await app.services.auditQuery.list(filter, for: admin).entries.isEmpty)

            // Through the API and on the contact's page.
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let items = try #require(try await api.call(.get, "/customers/\(company)/history").json["items"] as? [[String: Any]])
            #expect(items.map { $0["action"] as? String } == ["create"] && items.first?["seq"] as? Int == 0)
            #expect((items.first?["changes"] as? [[String: Any]])?.first?["new"] as? String == "名片.csv")
            var browser = try await app.signedInBrowser(client, as: "boss")
            let page = try await browser.get("/contacts/\(wang)").text
            #expect(page.contains("名片.csv") && (page.contains("导入自文件") || page.contains("Imported from")))

            // A kind saved a record at a time (leads) is audited the same way.
            let leads = try await imports.run(try await imports.start(.leads, fileName: "线索.csv", data: Data("姓名,公司\n小明,云帆贸易\n".utf8),
                                                                        settings: ImportSettings(), queue: false, by: admin).id, by: admin)
            #expect(leads.created == 1)
            #expect(try await app.auditEntries(action: "create", kind: .leads).isEmpty)
            #expect(try await history(.leads, try await id("leads", "小明")).map { $0.changes.map(\.new) } == [["线索.csv", "2"]])

            // Reverted, the contacts are gone; their histories keep the creation and the deletion.
            _ = try await imports.revert(job.id, by: admin)
            #expect(try await sql.select().column("id").from("contacts").all().isEmpty)
            #expect(try await history(.contacts, li).map(\.action) == ["delete", "create"])
            #expect(try await history(.customers, company).map(\.action) == ["delete", "create"])
            // Nothing is left to revert.
            await #expect(throws: GuanxiError.self) { _ = try await imports.revert(job.id, by: admin) }
        }
    }

    @Test("A GBK, semicolon-separated file of business cards imports: Chinese headers recognised, quoted line breaks kept, two phone columns labelled, companies created and tagged, bad rows rejected by line and column")
    func businessCards() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let file = try Self.gbk("""
                姓名;公司名称;职务;手机;座机;电子邮箱;备注\r
                王伟;北京星辰科技有限公司;采购经理;138 0013 8000;010-6666 8888;wang@xingchen.cn;"展会上认识\r
                想要报价"\r
                李娜;上海云海贸易;总监;139 1111 2222;;li@yunhai.cn;\r
                张三;北京星辰科技有限公司;;;;not-an-email;\r
                坏行;只有两列\r
                ;无名公司;;;;;\r
                赵敏;北京星辰科技有限公司;工程师;;;zhao@xingchen.cn;\r

                """)
            var settings = ImportSettings()
            (settings.tag, settings.source) = ("广交会", "展会")
            let imports = DataImport(services: app.services.customerFile)
            let preview = try await imports.preview(.contacts, data: file, settings: settings, by: admin)
            #expect(preview.fields == ["name", "customer", "title", "phones", "phones", "emails", "notes"])
            #expect(preview.totalRows == 6)
            #expect(preview.rows.first?["phones"] == "手机: 138 0013 8000\n座机: 010-6666 8888")
            let started = try await imports.start(.contacts, fileName: "名片.csv", data: file, settings: settings, queue: false, by: admin)
            #expect(started.totalRows == 6 && started.status == .queued)
            let job = try await imports.run(started.id, by: admin)
            #expect((job.status, job.created, job.updated, job.rejected, job.nextLine) == (.done, 3, 0, 3, 9))
            let contacts = try await Self.contactRows(app)
            #expect(contacts["王伟"] == ["wang@xingchen.cn", "手机: 138 0013 8000", "座机: 010-6666 8888"])
            #expect(contacts["李娜"] == ["li@yunhai.cn", "手机: 139 1111 2222"])
            let wang = try #require(try await app.services.database.sql.select().columns("notes", "customer_id").from("contacts").where("name", .equal, "王伟").first())
            #expect(try wang.decode(column: "notes", as: String.self) == "展会上认识\n想要报价")
            var filter = CustomerFilter()
            filter.tag = "广交会"
            let companies = try await app.services.customerQuery.list(filter, for: admin).customers
            #expect(companies.map(\.name).sorted() == ["上海云海贸易", "北京星辰科技有限公司"])
            #expect(companies.allSatisfy { $0.source == "展会" })
            #expect(try wang.decode(column: "customer_id", as: UUID.self) == companies.first { $0.name == "北京星辰科技有限公司" }?.id)
            let rejects = CSV.parse(String(try await imports.rejectsCSV(job.id, by: admin).dropFirst()))
            // The rejects are the file again — its header, each row as it was — with where and why at the end,
            // so the file can be corrected and imported again.
            #expect(rejects[0] == ["姓名", "公司名称", "职务", "手机", "座机", "电子邮箱", "备注", "（问题）行号", "（问题）列", "（问题）原因"])
            #expect(rejects.dropFirst().map { Array($0.suffix(3).prefix(2)) } == [["5", "电子邮箱"], ["6", ""], ["7", "姓名"]])
            #expect(rejects[2] == ["坏行", "只有两列", "", "", "", "", "", "6", "", "这一行有 2 个字段，表头有 7 个。"])
            #expect(rejects[1].prefix(7) == ["张三", "北京星辰科技有限公司", "", "", "", "not-an-email", ""])
            // The import's ledger audits what it created; the log holds the import itself.
            #expect(try await app.auditEntries(action: "create", kind: .contacts).isEmpty)
            let audit = try #require(try await app.auditEntries(action: "import", kind: .contacts).first)
            #expect(audit.recordLabel == "名片.csv" && audit.changes.contains(FieldChange(field: "rejected", old: nil, new: "3")))
            // Corrected, the same file imports, its three note columns left aside.
            let corrected = try await imports.run(try await imports.start(.contacts, fileName: "改正.csv",
                data: Data(CSVText.document(header: rejects[0], rows: [["张三", "北京星辰科技有限公司", "", "", "", "zhang@xingchen.cn", "", "5", "电子邮箱", "…"]]).utf8),
                settings: settings, queue: false, by: admin).id, by: admin)
            #expect((corrected.created, corrected.rejected) == (1, 0))
        }
    }

    @Test("Upsert finds customers by e-mail, phone, external id and a custom field; update mode rejects rows that find none, blank keys and keys that find two")
    func upsertByEachKey() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("customers", "tax_no", "税号", "text")
            _ = try await app.services.customFields.create(field, by: admin)
            for (name, email, phone, external, tax) in [("甲公司", "a@jia.cn", "010-1111 2222", "C-001", "91110000A"), ("乙公司", "b@yi.cn", "021-3333 4444", "C-002", "91310000B"),
                                                       ("丙公司", nil, "021-3333 4444", nil, nil)] as [(String, String?, String, String?, String?)] {
                var input = CustomerInput()
                (input.name, input.email, input.phone, input.externalID) = (name, email, phone, external)
                if let tax { input.customFields = ["tax_no": .text(tax)] }
                _ = try await app.services.customers.create(input, by: admin)
            }
            func industries() async throws -> [String: String] {
                var out: [String: String] = [:]
                for row in try await app.services.database.sql.select().columns("name", "industry").from("customers").all() {
                    out[try row.decode(column: "name", as: String.self)] = try row.decode(column: "industry", as: String?.self) ?? ""
                }
                return out
            }
            var job = try await Self.importing(app, .customers, "邮箱,行业\nA@JIA.CN,制造\nnew@x.cn,零售\n", Self.settings(.upsert, key: "email"))
            #expect((job.created, job.updated, job.rejected) == (0, 1, 1))
            #expect(try await industries()["甲公司"] == "制造")
            let rejects = try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin)
            #expect(rejects.contains("名称") || rejects.contains("name"))
            job = try await Self.importing(app, .customers, "名称,客户编号,行业\n乙公司（新）,C-002,物流\n新客户,C-003,教育\n", Self.settings(.upsert, key: "external_id"))
            #expect((job.created, job.updated, job.rejected) == (1, 1, 0))
            #expect(try await industries() == ["甲公司": "制造", "乙公司（新）": "物流", "丙公司": "", "新客户": "教育"])
            job = try await Self.importing(app, .customers, "税号,行业\n91110000A,化工\n", Self.settings(.update, key: "cf.tax_no"))
            #expect(job.updated == 1)
            #expect(try await industries()["甲公司"] == "化工")
            job = try await Self.importing(app, .customers, "电话,行业\n(010) 1111-2222,能源\n021 3333 4444,金融\n,空\n099-0000 0000,无\n", Self.settings(.update, key: "phone"))
            #expect((job.updated, job.rejected) == (1, 3))
            #expect(try await industries()["甲公司"] == "能源")
            let reasons = CSV.parse(String(try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin).dropFirst())).dropFirst().map { $0.last! }
            #expect(reasons == ["有 2 条记录的电话是 021 3333 4444，无法确定更新哪一条。", "电话 为空；导入要靠它找到记录。", "没有记录的电话是 099-0000 0000。"])
            await #expect(throws: GuanxiError.self) { _ = try await Self.importing(app, .customers, "行业\n制造\n", Self.settings(.update, key: "email")) }
            await #expect(throws: GuanxiError.self) { _ = try await Self.importing(app, .customers, "邮箱\na@b.cn\n", Self.settings(.update, key: "wechat")) }
            await #expect(throws: GuanxiError.self) { _ = try await Self.importing(app, .customers, "邮箱\na@b.cn\n", Self.settings(.update)) }
        }
    }

    @Test("In create mode, rows matching a record or an earlier row by the key are skipped, merged (empty fields filled) or created, as chosen")
    func duplicates() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var existing = CustomerInput()
            (existing.name, existing.email, existing.industry) = ("老客户", "old@x.cn", "制造")
            _ = try await app.services.customers.create(existing, by: admin)
            let file = "名称,邮箱,行业,城市\n老客户二,OLD@x.cn,零售,苏州\n新客户,new@x.cn,,\n新客户重复,new@x.cn,教育,\n"
            var job = try await Self.importing(app, .customers, file, Self.settings(key: "email"))
            #expect((job.created, job.skipped) == (1, 2))
            let reasons = CSV.parse(String(try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin).dropFirst())).dropFirst().map { $0.last! }
            #expect(reasons == ["邮箱为 OLD@x.cn 的记录已存在，已跳过。", "邮箱与第 3 行相同，已跳过。"])
            job = try await Self.importing(app, .customers, file, Self.settings(key: "email", duplicates: .merge))
            #expect((job.created, job.updated) == (0, 3))
            let rows = try await app.services.database.sql.select().columns("name", "industry", "city").from("customers").orderBy("name").all()
            let found = try rows.map { [try $0.decode(column: "name", as: String.self), try $0.decode(column: "industry", as: String?.self) ?? "", try $0.decode(column: "city", as: String?.self) ?? ""] }
            #expect(found == [["新客户", "教育", ""], ["老客户", "制造", "苏州"]])
            job = try await Self.importing(app, .customers, "名称,邮箱\n老客户,old@x.cn\n", Self.settings(key: "email", duplicates: .create))
            #expect(job.created == 1)
        }
    }

    @Test("A dry run reports what the import would do, updates included, and writes nothing")
    func dryRun() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var existing = CustomerInput()
            (existing.name, existing.email) = ("老客户", "old@x.cn")
            _ = try await app.services.customers.create(existing, by: admin)
            let before = try await app.auditEntries().count
            let report = try await DataImport(services: app.services.customerFile).dryRun(.customers, data: Data("名称,邮箱,网站\n改名,old@x.cn,\n新,new@x.cn,\n坏,bad@x.cn,not a site\n".utf8),
                                                                              settings: Self.settings(.upsert, key: "email"), by: admin)
            #expect((report.job.created, report.job.updated, report.job.rejected, report.job.totalRows) == (1, 1, 1, 3))
            #expect(report.problems.map(\.line) == [4])
            #expect(report.problems.first?.column == "网站")
            #expect(try await app.services.database.sql.select().column("name").from("customers").all().map { try $0.decode(column: "name", as: String.self) } == ["老客户"])
            #expect(try await app.auditEntries().count == before)
            #expect(try await app.services.database.sql.select().column("id").from("import_jobs").all().isEmpty)
        }
    }

    @Test("Revert removes what an import created (companies it made for contacts included) and restores exactly what it updated")
    func revert() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("customers", "region", "区域", "text")
            _ = try await app.services.customFields.create(field, by: admin)
            var existing = CustomerInput()
            (existing.name, existing.email, existing.tags, existing.industry) = ("老客户", "old@x.cn", ["VIP"], nil)
            existing.customFields = ["region": .text("华北")]
            let old = try await app.services.customers.create(existing, by: admin)
            var settings = Self.settings(.upsert, key: "email")
            settings.tag = "迁移"
            let job = try await Self.importing(app, .customers, "名称,邮箱,行业,区域\n老客户（改）,old@x.cn,制造,华东\n新客户,new@x.cn,零售,\n", settings)
            #expect((job.created, job.updated) == (1, 1))
            #expect(try await app.services.customers.tags(of: old.id!) == ["VIP", "迁移"])
            let contacts = try await Self.importing(app, .contacts, "姓名,公司\n赵六,全新公司\n", ImportSettings())
            #expect(contacts.created == 1)
            #expect(try await app.services.database.sql.select().column("id").from("customers").where("name", .equal, "全新公司").first() != nil)
            let imports = DataImport(services: app.services.customerFile)
            let reverted = try await imports.revert(job.id, by: admin)
            #expect(reverted.status == .reverted)
            let restored = try await app.services.customers.find(old.id!, for: admin)
            #expect((restored.name, restored.industry) == ("老客户", nil))
            #expect(try await app.services.customers.tags(of: old.id!) == ["VIP"])
            #expect(try await app.services.customValues.values(of: .customers, id: old.id!)["region"] == .text("华北"))
            #expect(try await app.services.database.sql.select().column("id").from("customers").where("name", .equal, "新客户").first() == nil)
            _ = try await imports.revert(contacts.id, by: admin)
            #expect(try await app.services.database.sql.select().column("id").from("customers").where("name", .equal, "全新公司").first() == nil)
            #expect(try await app.services.database.sql.select().column("id").from("contacts").all().isEmpty)
            await #expect(throws: GuanxiError.self) { _ = try await imports.revert(job.id, by: admin) }
            #expect(try await app.auditEntries(action: "import_revert").count == 2)
        }
    }

    @Test("A process killed mid-import leaves whole rows only; the job resumes where its last batch ended and every row lands once")
    func killAndResume() async throws {
        try await TestApp.run(configure: { $0.importBatchRows = 500 }) { app, _ in
            let admin = try await app.admin
            let lines = (1...1_203).map { String(format: "客户%04d,c%04d@x.cn", $0, $0) }
            let file = Data(("名称,邮箱\n" + lines.joined(separator: "\n") + "\n").utf8)
            let imports = DataImport(services: app.services.customerFile)
            let job = try await imports.start(.customers, fileName: "big.csv", data: file, settings: Self.settings(key: "email"), queue: false, by: admin)
            struct Killed: Error {}
            await #expect(throws: Killed.self) { _ = try await imports.run(job.id, by: admin) { _ in throw Killed() } }
            // A killed process leaves its job "running"; only its first batch committed.
            try await app.services.database.sql.update("import_jobs").set("status", to: "running").where("id", .equal, job.id).run()
            func customers() async throws -> Int { try await app.services.database.sql.select().column("id").from("customers").all().count }
            #expect(try await customers() == 500)
            let stored = try await imports.find(job.id, by: admin)
            #expect((stored.created, stored.nextLine) == (500, 502))
            #expect(try await app.services.database.sql.select().column("record_id").from("import_job_records").all().count == 500)
            await #expect(throws: GuanxiError.self) { _ = try await imports.run(job.id, by: admin) }
            app.clock.advance(by: 180)
            let resumed = try await imports.run(job.id, by: admin)
            #expect((resumed.status, resumed.created, resumed.skipped, resumed.rejected) == (.done, 1_203, 0, 0))
            #expect(try await customers() == 1_203)
            let names = try await app.services.database.sql.select().column("name").from("customers").all().map { try $0.decode(column: "name", as: String.self) }
            #expect(Set(names).count == 1_203)
            _ = try await imports.revert(job.id, by: admin)
            #expect(try await customers() == 0)
        }
    }

    @Test("A large import sets aside the indexes its records land all over and the search index (on PostgreSQL its trigram indexes), and builds them again, unchanged, when it stops — records saved meanwhile are found by the search; those of a killed import are built once it no longer runs; on PostgreSQL it refreshes the planner's statistics")
    func setAsideIndexes() async throws {
        try await TestApp.run(configure: { ($0.importBatchRows, $0.importSetAsideRows) = (10, 20) }) { app, _ in
            let admin = try await app.admin
            let sql = app.services.database.sql
            let imports = DataImport(services: app.services.customerFile)
            // The file fills phones, so the import's automatic key is the phone: it reads the
            // phones on file once (a snapshot), and their index is set aside with the others.
            let sqlite = app.services.database.engine == .sqlite
            let scattered = (["contact_channels_value_idx", "contacts_name_from2_idx", "contacts_name_from3_idx", "contacts_name_sort_idx",
                              "contacts_owner_name_sort_idx"]
                + (sqlite ? ["contacts_search_insert", "customers_search_insert"] : ["contacts_name_trgm_idx", "contacts_search_trgm_idx"])).sorted()
            func indexes() async throws -> [String: String] {
                guard sqlite else {
                    return try await sql.raw("""
                        SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND (tablename LIKE 'contact%' OR tablename = 'customers')
                        """).all()
                        .reduce(into: [:]) { out, row in out[try row.decode(column: "indexname", as: String.self)] = try row.decode(column: "indexdef", as: String.self) }
                }
                return try await sql.raw("""
                    SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND (name LIKE 'contact%' OR name LIKE 'customers_search%') AND sql IS NOT NULL
                    """).all()
                    .reduce(into: [:]) { out, row in out[try row.decode(column: "name", as: String.self)] = try row.decode(column: "sql", as: String.self) }
            }
            @Sendable func setAside() async throws -> [String] {
                try await sql.raw("SELECT name FROM set_aside_indexes ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
            }
            func file(_ count: Int, from first: Int) -> Data {
                Data(("姓名,手机,公司\n" + (first..<first + count).map { "联系人\($0),1390000\(String(format: "%04d", $0)),公司\($0 % 3)" }.joined(separator: "\n") + "\n").utf8)
            }
            let before = try await indexes()
            @Sendable func analysed() async throws -> Bool {
                try await sql.raw("SELECT last_analyze IS NOT NULL AS done FROM pg_stat_user_tables WHERE relname = 'contacts' AND schemaname = current_schema()")
                    .first()?.decode(column: "done", as: Bool.self) ?? false
            }
            if !sqlite { #expect(try await analysed() == false) }
            #expect(Set(scattered).isSubset(of: before.keys))

            // 25 rows to go: set aside while it runs (seen after each batch), built again at its end.
            let big = try await imports.start(.contacts, fileName: "big.csv", data: file(25, from: 0), settings: ImportSettings(), queue: false, by: admin)
            let during = Observed()
            let done = try await imports.run(big.id, by: admin) { _ in await during.add(try await setAside()) }
            #expect(done.created == 25)
            // Ids written by the bulk path read back as the ids the records were made with:
            // each contact's customer is one the import made, and each contact's history finds
            // its line in the import's ledger (ids bound by Foundation in every statement).
            let companies = Set(try await sql.raw("SELECT id FROM customers").all().map { try $0.decode(column: "id", as: UUID.self) })
            for row in try await sql.raw("SELECT id, customer_id FROM contacts").all() {
                let (id, customer) = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "customer_id", as: UUID.self))
                #expect(companies.contains(customer))
                let entry = try #require(try await app.services.auditQuery.history(kind: .contacts, id: id.uuidString).first)
                #expect(entry.action == "create" && entry.changes.first?.new == "big.csv")
            }
            let seen = await during.seen
            #expect(seen.allSatisfy { $0 == scattered } && seen.count >= 2)
            // On PostgreSQL a large import leaves the planner's statistics up to date.
            if !sqlite { #expect(try await analysed()) }
            #expect(try await indexes() == before)
            #expect(try await setAside().isEmpty)
            if sqlite { #expect(try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self) == "ok") }
            // The rebuilt indexes answer: the name search and the phone look-up find the new people.
            #expect(try await sql.raw("SELECT count(*) AS n FROM contacts WHERE name >= '联系人1' AND name < '联系人2'").first()?.decode(column: "n", as: Int.self) == 11)
            // The search finds every contact and company of the import.
            @Sendable func found(_ table: String, _ term: String) async throws -> Set<String> {
                Set(try await sql.select().column("name").from(table).where(SQLSearch.matches(table, term, engine: app.services.database.engine)).all()
                    .map { try $0.decode(column: "name", as: String.self) })
            }
            #expect(try await found("contacts", "联系人").count == 25)
            #expect(try await found("contacts", "1390000001") == ["联系人10", "联系人11", "联系人12", "联系人13", "联系人14", "联系人15", "联系人16", "联系人17", "联系人18", "联系人19"])
            #expect(try await found("customers", "公司") == ["公司0", "公司1", "公司2"])

            // Found by phone, chosen: the phones on file are read once and the index goes aside too.
            let keyed = try await imports.start(.contacts, fileName: "keyed.csv", data: file(25, from: 100), settings: Self.settings(key: "phone"), queue: false, by: admin)
            let keyedDuring = Observed()
            _ = try await imports.run(keyed.id, by: admin) { _ in await keyedDuring.add(try await setAside()) }
            #expect(await keyedDuring.seen.allSatisfy { $0 == scattered })
            // The same people again, with two new ones, while the phone index is aside: the
            // 25 on file are found through the snapshot and skipped, the new ones created.
            let again = try await imports.start(.contacts, fileName: "again.csv", data: file(27, from: 100), settings: ImportSettings(), queue: false, by: admin)
            let repeated = try await imports.run(again.id, by: admin)
            #expect((repeated.created, repeated.skipped) == (2, 25))
            // A file with no key column (names only) looks nothing up.
            let names = Data(("姓名,公司\n" + (400..<425).map { "联系人\($0),公司\($0 % 3)" }.joined(separator: "\n") + "\n").utf8)
            let unkeyed = try await imports.start(.contacts, fileName: "names.csv", data: names, settings: ImportSettings(), queue: false, by: admin)
            let unkeyedDuring = Observed()
            _ = try await imports.run(unkeyed.id, by: admin) { _ in await unkeyedDuring.add(try await setAside()) }
            #expect(await unkeyedDuring.seen.allSatisfy { $0 == scattered })
            #expect(await unkeyedDuring.seen.count >= 2)
            // Fewer rows than the threshold: nothing is set aside.
            let small = try await imports.start(.contacts, fileName: "small.csv", data: file(5, from: 200), settings: ImportSettings(), queue: false, by: admin)
            let smallDuring = Observed()
            _ = try await imports.run(small.id, by: admin) { _ in await smallDuring.add(try await setAside()) }
            #expect(await smallDuring.seen.allSatisfy(\.isEmpty))
            #expect(try await indexes() == before)

            // A process killed mid-import leaves its job "running" and the indexes aside:
            // they stay while the job may still be alive, and are built once it is silent.
            let killed = try await imports.start(.contacts, fileName: "killed.csv", data: file(25, from: 300), settings: ImportSettings(), queue: false, by: admin)
            try await sql.update("import_jobs").set("status", to: "running").set("updated_at", to: app.clock.now()).where("id", .equal, killed.id).run()
            // What a killed process leaves: the indexes dropped, their definitions noted for its job.
            for name in scattered {
                try await sql.insert(into: "set_aside_indexes").columns("name", "definition", "job_id", "set_aside_at")
                    .values(SQLBind(name), SQLBind(before[name]!), SQLBind(killed.id), SQLBind(app.clock.now())).run()
                try await sql.raw("DROP \(unsafeRaw: name.hasSuffix("_insert") ? "TRIGGER" : "INDEX") \(ident: name)").run()
            }
            _ = try await Self.importing(app, .contacts, "姓名\n某甲一\n", ImportSettings())
            #expect(try await setAside() == scattered)
            // Saved while the search trigger is away, then renamed: not found yet, and the
            // rename leaves no stray index row behind.
            let jia = try #require(try await sql.select().column("id").from("contacts").where("name", .equal, "某甲一").first()?.decode(column: "id", as: UUID.self))
            var rename = ContactInput()
            rename.name = "某丙一"
            _ = try await app.services.contacts.update(jia, rename, expectedVersion: nil, by: admin)
            // (PostgreSQL's search reads the table itself meanwhile: it finds the new name.)
            #expect(try await found("contacts", "某甲一").isEmpty)
            #expect(try await found("contacts", "某丙一") == (sqlite ? [] : ["某丙一"]))
            if sqlite {
                #expect(try await sql.raw("SELECT count(*) AS n FROM contacts_search_fts WHERE contacts_search_fts MATCH '\"某丙一\"'").first()?.decode(column: "n", as: Int.self) == 0)
            }
            // One of them built again by hand meanwhile: the others are still built, that one left as it is.
            try await sql.raw("\(unsafeRaw: before["contacts_name_sort_idx"]!)").run()
            app.clock.advance(by: 180)
            _ = try await Self.importing(app, .contacts, "姓名\n某乙一\n", ImportSettings())
            #expect(try await setAside().isEmpty)
            #expect(try await indexes() == before)
            // Caught up: the renamed contact under its new name only, the one saved after it too.
            #expect(try await found("contacts", "某丙一") == ["某丙一"])
            #expect(try await found("contacts", "某乙一") == ["某乙一"])
            #expect(try await found("contacts", "某甲一").isEmpty)
            guard sqlite else { return }
            #expect(try await sql.raw("SELECT count(*) AS n FROM contacts_search_fts WHERE contacts_search_fts MATCH '\"某甲一\"'").first()?.decode(column: "n", as: Int.self) == 0)
            #expect(try await sql.raw("SELECT (SELECT count(*) FROM search_keys WHERE kind = 'contacts') = (SELECT count(*) FROM contacts) AS same").first()?
                .decode(column: "same", as: Bool.self) == true)
        }
    }

    @Test("A file longer than one stored piece is read a piece at a time: a quoted line break and a Chinese character cut by the piece boundary arrive whole, and line numbers run on")
    func filePieces() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            // The import keeps its file in 1 MB pieces. The special row is placed so that the
            // piece boundary falls inside the three bytes of 中, within a quoted field that
            // also holds a line break.
            let special = "特别客户,\"第一行\r\n第二行中文\"\r\n"
            let cut = "特别客户,\"第一行\r\n第二行".utf8.count
            let target = 1_048_576 - 1 - cut
            var text = "名称,备注\r\n"
            var fillers = 0
            let filling = String(repeating: "填充", count: 150)
            while text.utf8.count + "客户\(fillers),\(filling)\r\n".utf8.count + 10 <= target {
                text += "客户\(fillers),\(filling)\r\n"
                fillers += 1
            }
            text += "补齐," + String(repeating: "x", count: target - text.utf8.count - 9) + "\r\n"
            #expect(text.utf8.count + cut == 1_048_575)
            text += special
            let badLine = text.utf8.filter { $0 == 10 }.count + 1
            text += ",没有名字\r\n最后客户,完\r\n"
            let job = try await Self.importing(app, .customers, text, ImportSettings())
            #expect((job.created, job.rejected) == (fillers + 3, 1))
            let notes = try await app.services.database.sql.raw("SELECT name, notes FROM customers WHERE name IN ('特别客户', '最后客户') ORDER BY name DESC").all()
                .map { [try $0.decode(column: "name", as: String.self), try $0.decode(column: "notes", as: String.self)] }
            #expect(notes == [["特别客户", "第一行\n第二行中文"], ["最后客户", "完"]])
            let rejects = CSV.parse(String(try await DataImport(services: app.services.customerFile).rejectsCSV(job.id, by: admin).dropFirst()))
            #expect(rejects.dropFirst().map { $0[$0.count - 3] } == [String(badLine)])
        }
    }

    @Test("Cancelling stops an import after the batch in hand; it can be resumed later")
    func cancel() async throws {
        try await TestApp.run(configure: { $0.importBatchRows = 500 }) { app, _ in
            let admin = try await app.admin
            let file = Data(("名称\n" + (1...1_100).map { "客户\($0)" }.joined(separator: "\n")).utf8)
            let imports = DataImport(services: app.services.customerFile)
            let job = try await imports.start(.customers, fileName: "c.csv", data: file, settings: ImportSettings(), queue: false, by: admin)
            let services = app.services
            let stopped = try await imports.run(job.id, by: admin) { progress in
                if progress.created == 500 { _ = try await DataImport(services: services.customerFile).cancel(progress.id, by: try await services.principals.load(userID: progress.createdBy!, channel: .session, address: "")!) }
            }
            // Asked after the first batch was handed to the writer, while the second was
            // being read: the second is finished, the third never started.
            #expect((stopped.status, stopped.created) == (.cancelled, 1_000))
            #expect(try await imports.find(job.id, by: admin).status == .cancelled)
            let finished = try await imports.run(job.id, by: admin)
            #expect((finished.status, finished.created) == (.done, 1_100))
        }
    }

    @Test("Malformed files are refused with a reason naming the problem, and nothing is written")
    func malformedFiles() async throws {
        try await TestApp.run(configure: { $0.maxImportBytes = 2_048 }) { app, _ in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            func refusal(_ data: Data, _ settings: ImportSettings = ImportSettings()) async -> GuanxiError? {
                do { _ = try await imports.start(.customers, fileName: "x.csv", data: data, settings: settings, queue: false, by: admin); return nil }
                catch let error as GuanxiError { return error } catch { return nil }
            }
            #expect(await refusal(Data("名称,邮箱\n\"未闭合,a@b.cn\n".utf8))?.message == "Line 2: a quoted field is never closed.")
            #expect(await refusal(Data())?.message == "The file is empty.")
            #expect(await refusal(Data("\n\n".utf8))?.message == "The file is empty.")
            #expect(await refusal(Data([0x41, 0xFF, 0xFF, 0x0A]))?.field == "file")
            #expect(await refusal(Data(String(repeating: "名称\n", count: 1_000).utf8))?.kind == .payloadTooLarge)
            #expect(await refusal(Data("颜色,尺寸\n红,大\n".utf8))?.message == "No column of the file maps to a field (headers: 颜色, 尺寸).")
            #expect(await refusal(Data("邮箱\na@b.cn\n".utf8))?.message == "No column fills name, which every record needs.")
            var mapped = ImportSettings()
            mapped.mapping = ["颜色": "colour"]
            #expect(await refusal(Data("名称,颜色\n甲,红\n".utf8), mapped)?.field == "mapping")
            #expect(await refusal(Data("名称,公司\n甲,乙\n".utf8))?.message == "Columns 名称 and 公司 both fill name; map one of them to nothing.")
            #expect(try await app.services.database.sql.select().column("id").from("import_jobs").all().isEmpty)
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("customers", "staff", "员工数", "number")
            _ = try await app.services.customFields.create(field, by: admin)
            let job = try await Self.importing(app, .customers, "名称,员工数,生日\n甲,很多,\n乙,120,2099-01-01\n丙,35,\n", ImportSettings())
            #expect((job.created, job.rejected) == (1, 2))
            let rejects = CSV.parse(String(try await imports.rejectsCSV(job.id, by: admin).dropFirst())).dropFirst()
            #expect(rejects.map { [$0[$0.count - 3], $0[$0.count - 2]] } == [["2", "员工数"], ["3", "生日"]])
        }
    }

    @Test("A mapping saved as a template maps the next file; importing needs the import permission")
    func templatesAndPermission() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let templates = ImportTemplates(services: app.services.customerFile)
            _ = try await templates.save(.customers, name: "旧系统", mapping: ["客户全称": "name", "内部备注": ""], by: admin)
            var settings = ImportSettings()
            settings.mapping = try await templates.find(.customers, name: "旧系统", by: admin).mapping
            let job = try await Self.importing(app, .customers, "客户全称,内部备注\n甲公司,不要导入\n", settings)
            #expect(job.created == 1)
            #expect(try await app.services.database.sql.select().column("notes").from("customers").first()?.decode(column: "notes", as: String.self) == "")
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .create, .update], scope: .own)])
            _ = try await app.makeUser("rep.zhou", roles: [role.id!])
            let rep = try await app.principal("rep.zhou")
            await #expect(throws: GuanxiError.self) { _ = try await Self.importing(app, .customers, "名称\n乙\n", ImportSettings(), as: rep) }
            await #expect(throws: GuanxiError.self) { _ = try await templates.list(.customers, by: rep) }
        }
    }

    @Test("Business cards import as leads sourced by the fair and assigned by the lead rules, round-robin through the team; upsert by phone digits updates a lead")
    func leadsByRules() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let role = try await app.makeRole("rep", [.leads: Grant(actions: [.read, .create, .update], scope: .own)])
            let a = try await app.makeUser("team.a", roles: [role.id!])
            let b = try await app.makeUser("team.b", roles: [role.id!])
            let team = try await app.services.teams.create(name: "展会组", description: nil, memberIDs: [a.id!, b.id!], by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await api.call(.put, "/settings/lead-routing", json: "{\"territories\":[],\"fallbackTeamId\":\"\(team.id!.uuidString)\"}").status == .ok)
            var settings = ImportSettings()
            (settings.source, settings.assignByRules) = ("2026 广交会", true)
            let job = try await Self.importing(app, .leads, "姓名,公司,手机,热度\n甲,一号公司,138 0000 0001,热\n乙,二号公司,138 0000 0002,Warm\n丙,三号公司,138 0000 0003,cold\n", settings)
            #expect(job.created == 3)
            let rows = try await app.services.database.sql.select().columns("name", "owner_id", "source", "rating").from("leads").orderBy("phone_digits").all()
            #expect(try rows.map { try $0.decode(column: "owner_id", as: UUID?.self) } == [a.id, b.id, a.id])
            #expect(try rows.map { try $0.decode(column: "source", as: String?.self) } == ["2026 广交会", "2026 广交会", "2026 广交会"])
            #expect(try rows.map { try $0.decode(column: "rating", as: String?.self) } == ["hot", "warm", "cold"])
            let update = try await Self.importing(app, .leads, "手机,职务\n(138) 0000-0002,采购总监\n+86 139 0000 0000,经理\n", Self.settings(.upsert, key: "phone"))
            #expect((update.created, update.updated, update.rejected) == (0, 1, 1))
            #expect(try await app.services.database.sql.select().column("title").from("leads").where("name", .equal, "乙").first()?.decode(column: "title", as: String?.self) == "采购总监")
        }
    }
}

@Suite("Import upkeep")
struct ImportUpkeepTests {
    @Test("Drafts nobody started go after a week; a finished import lets its file go after 30 days and can still be reverted")
    func purge() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            let draft = try await imports.draft(.customers, fileName: "d.csv", data: Data("名称\n甲\n".utf8), settings: ImportSettings(), by: admin)
            let done = try await ImportTests.importing(app, .customers, "名称\n乙\n", ImportSettings())
            app.clock.advance(by: 8 * 86_400)
            try await imports.purgeOld()
            await #expect(throws: GuanxiError.self) { _ = try await imports.find(draft.id, by: admin) }
            #expect(try await app.services.database.sql.select().column("position").from("import_job_chunks").where("job_id", .equal, done.id).all().count == 1)
            app.clock.advance(by: 30 * 86_400)
            try await imports.purgeOld()
            #expect(try await app.services.database.sql.select().column("position").from("import_job_chunks").where("job_id", .equal, done.id).all().isEmpty)
            #expect(try await imports.revert(done.id, by: admin).status == .reverted)
            #expect(try await app.services.database.sql.select().column("id").from("customers").all().isEmpty)
        }
    }
}

@Suite("Imports on the web")
struct ImportPagesTests {
    @Test("Upload, check the mapping and the first rows, fix a column and save it as a template, dry run, start, follow to the end, download the rejects, revert")
    func wholeFlow() async throws {
        try await TestApp.run(runJobs: true) { app, client in
            var browser = try await app.signedInBrowser(client, as: "chief")
            let form = try await browser.get("/imports")
            #expect(form.text.contains("enctype=\"multipart/form-data\"") && form.text.contains("href=\"/imports\""))
            let csv = "姓名,公司,手机,爱好\n王伟,星辰科技,138 0013 8000,登山\n坏人,星辰科技,12,\n"
            let uploaded = try await browser.upload("/imports", ["kind": "contacts", "mode": "create", "duplicates": "skip", "tag": "广交会"],
                                                    file: ("file", "名片.csv", Data(csv.utf8)))
            let location = try #require(uploaded.location)
            var page = try await browser.get(location)
            #expect(page.text.contains("<option value=\"phones\" selected>"))
            #expect(page.text.contains("不导入的列：爱好"))
            #expect(page.text.contains("<tr><td>王伟</td><td>星辰科技</td><td>138 0013 8000</td></tr>"))
            let wrongMode = try await browser.post("\(location)/settings", ["map_0": "name", "mode": "replace-all", "duplicates": "skip"])
            #expect(wrongMode.status == .badRequest && wrongMode.text.contains("mode"))
            _ = try await browser.get(location)
            let saved = try await browser.post("\(location)/settings", ["map_0": "name", "map_1": "customer", "map_2": "phones", "map_3": "notes", "mode": "create",
                                                                        "duplicates": "skip", "tag": "广交会", "template_name": "名片模板"])
            #expect(saved.status == .seeOther)
            page = try await browser.get(location)
            #expect(page.text.contains("<td>登山</td>"))
            #expect(try await ImportTemplates(services: app.services.customerFile).find(.contacts, name: "名片模板", by: try await app.principal("chief")).mapping["爱好"] == "notes")
            let dry = try await browser.post("\(location)/dry-run", [:])
            #expect(dry.text.contains("新建：1 · 更新：0 · 跳过：0 · 拒绝：1"))
            #expect(dry.text.contains("<tr><td>3</td><td>手机</td>"))
            #expect(try await app.services.database.sql.select().column("id").from("contacts").all().isEmpty)
            _ = try await browser.get(location)
            #expect(try await browser.post("\(location)/start", [:]).status == .seeOther)
            var status = ""
            for _ in 0..<200 {
                page = try await browser.get(location)
                if page.text.contains("data-status=\"done\"") { status = "done"; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == "done")
            #expect(page.text.contains("<progress value=\"2\" max=\"2\""))
            let rejects = try await browser.get("\(location)/rejects")
            #expect(rejects.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(rejects.text.contains("3,手机,"))
            #expect(try await app.services.database.sql.select().column("notes").from("contacts").first()?.decode(column: "notes", as: String.self) == "登山")
            _ = try await browser.get(location)
            #expect(try await browser.post("\(location)/revert", [:]).status == .seeOther)
            for _ in 0..<200 {
                page = try await browser.get(location)
                if page.text.contains("data-status=\"reverted\"") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(page.text.contains("data-status=\"reverted\""))
            #expect(try await app.services.database.sql.select().column("id").from("contacts").all().isEmpty)
            let list = try await browser.get("/imports")
            #expect(list.text.contains("名片.csv") && list.text.contains("已撤销"))
        }
    }

    @Test("Someone without the import permission sees no import menu and cannot upload")
    func permission() async throws {
        try await TestApp.run { app, client in
            let role = try await app.makeRole("reader", [.customers: Grant(actions: [.read, .create], scope: .own)])
            _ = try await app.makeUser("rep.qian", roles: [role.id!])
            var browser = Browser(client)
            try await browser.signIn("rep.qian", "Secret-pass-42")
            #expect(!(try await browser.get("/customers")).text.contains("href=\"/imports\""))
            #expect(try await browser.get("/imports").status == .forbidden)
            let upload = try await browser.upload("/imports", ["kind": "customers"], file: ("file", "a.csv", Data("名称\n甲\n".utf8)))
            #expect(upload.status == .forbidden)
        }
    }
}

@Suite("Imports and exports over the API")
struct DataExchangeAPITests {
    @Test("POST /imports checks the file, dry-runs or queues it; the job is followed, its rejects read and it is reverted; GET /exports streams a list as CSV")
    func importAndExport() async throws {
        try await TestApp.run(runJobs: true) { app, client in
            _ = try await app.makeUser("integrator", admin: true)
            let api = APIClient(client: client, token: try await app.token(for: "integrator"))
            let csv = "name,company,mobile,email\nWang Wei,Xingchen,138 0013 8000,wang@xc.cn\nBad,Xingchen,,not-mail\n"
            let dry = try await api.send(.post, "/imports?kind=contacts&dryRun=true", body: csv, contentType: "text/csv")
            #expect(dry.status == .ok)
            #expect(dry.json["created"] as? Int == 1 && dry.json["rejected"] as? Int == 1)
            #expect((dry.json["problems"] as? [[String: Any]])?.first?["column"] as? String == "email")
            #expect(try await app.services.database.sql.select().column("id").from("contacts").all().isEmpty)
            let bad = try await api.send(.post, "/imports?kind=contacts&map=colour", body: csv, contentType: "text/csv")
            #expect(bad.status == .badRequest && bad.errorBody["field"] as? String == "map")
            let started = try await api.send(.post, "/imports?kind=contacts&filename=cards.csv&tag=%E5%B1%95%E4%BC%9A", body: csv, contentType: "text/csv")
            #expect(started.status == .accepted)
            let id = try #require(started.json["id"] as? String)
            var job: [String: Any] = [:]
            for _ in 0..<200 {
                job = try await api.call(.get, "/imports/\(id)").json
                if job["status"] as? String == "done" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(job["status"] as? String == "done" && job["created"] as? Int == 1 && job["rejected"] as? Int == 1 && job["fileName"] as? String == "cards.csv")
            let rejects = try await api.call(.get, "/imports/\(id)/rejects")
            #expect(rejects.text.contains("3,email,"))
            let export = try await api.call(.get, "/exports/contacts?bom=false&locale=en&query=col%3Dcustomer%26col%3Dphones")
            #expect(export.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(export.text == "Name,Customers,Phones\r\nWang Wei,Xingchen,138 0013 8000\r\n")
            #expect(try await api.call(.get, "/exports/contacts?view=nothing").status == .notFound)
            let cards = try await api.call(.get, "/exports/contacts?format=vcard4")
            #expect(cards.headers[.contentType]?.hasPrefix("text/vcard") == true)
            #expect(cards.text.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\n") && cards.text.contains("FN:Wang Wei\r\n") && cards.text.contains("TEL;VALUE=text;TYPE=voice:138 0013 8000"))
            #expect(try await api.call(.get, "/exports/customers?format=ical").errorBody["field"] as? String == "format")
            let calendar = try await api.call(.get, "/exports/activities?format=ical")
            #expect(calendar.text.hasPrefix("BEGIN:VCALENDAR\r\n") && calendar.text.hasSuffix("END:VCALENDAR\r\n"))
            let reverting = try await api.call(.post, "/imports/\(id)/revert")
            #expect(reverting.status == .accepted)
            for _ in 0..<200 {
                job = try await api.call(.get, "/imports/\(id)").json
                if job["status"] as? String == "reverted" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(job["status"] as? String == "reverted")
            #expect(try await api.call(.get, "/exports/contacts?bom=false&locale=en").text == "Name,Customers,Title,Phones,E-mails,WeChat ID\r\n")
        }
    }
}

@Suite("Imports of deals and activities")
struct DealAndActivityImportTests {
    @Test("Deals import onto customers named by external id or name, with pipeline and stage by name; activities import with times in the importer's zone; unknown customers and stages are rejected by column; revert removes them")
    func dealsAndActivities() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            var input = CustomerInput()
            (input.name, input.externalID) = ("北京星辰科技有限公司", "C-001")
            let star = try await app.services.customers.create(input, by: admin)
            let pipelines = try await app.services.sales.pipelines.list()
            let pipeline = try #require(pipelines.first)
            let stage = pipeline.stages[1]
            let deals = try await ImportTests.importing(app, .opportunities, """
                商机名称,客户,阶段,金额,预计成交日期,概率
                年度框架,C-001,\(stage.name),120000.50,2026-12-31,40%
                扩容项目,北京星辰科技有限公司,,50000,,
                无主商机,不存在的公司,,1,,
                错阶段,C-001,不存在的阶段,1,,
                """, ImportSettings())
            #expect((deals.created, deals.rejected) == (2, 2))
            let rows = try await app.services.database.sql.select().columns("name", "customer_id", "stage_id", "amount_minor", "probability").from("opportunities").orderBy("name").all()
            #expect(try rows.map { try $0.decode(column: "customer_id", as: UUID.self) } == [star.id!, star.id!])
            let framework = try #require(try rows.first { try $0.decode(column: "name", as: String.self) == "年度框架" })
            #expect(try framework.decode(column: "stage_id", as: UUID.self) == stage.id)
            #expect(try framework.decode(column: "amount_minor", as: Int.self) == 12_000_050)
            #expect(try framework.decode(column: "probability", as: Int.self) == 40)
            let rejects = CSV.parse(String(try await DataImport(services: app.services.customerFile).rejectsCSV(deals.id, by: admin).dropFirst())).dropFirst()
            #expect(rejects.map { [$0[$0.count - 3], $0[$0.count - 2]] } == [["4", "客户"], ["5", "阶段"]])
            let calls = try await ImportTests.importing(app, .activities, """
                类型,主题,客户,开始时间,结束时间,状态,结果
                电话,回访采购经理,C-001,2026-03-02 09:30,2026-03-02 09:45,已完成,同意下周报价
                meeting,季度会议,北京星辰科技有限公司,2026-03-05 14:00,2026-03-05 15:00,done,
                飞鸽传书,无效类型,C-001,2026-03-05,,,
                """, ImportSettings())
            #expect((calls.created, calls.rejected) == (2, 1))
            let call = try #require(try await app.services.database.sql.select().columns("kind", "status", "starts_at", "customer_id", "outcome").from("activities")
                .where("subject", .equal, "回访采购经理").first())
            #expect(try call.decode(column: "kind", as: String.self) == "call" && call.decode(column: "status", as: String.self) == "done")
            #expect(try call.decode(column: "starts_at", as: Date.self) == ISO8601DateFormatter().date(from: "2026-03-02T01:30:00Z"))
            #expect(try call.decode(column: "customer_id", as: UUID.self) == star.id)
            _ = try await DataImport(services: app.services.customerFile).revert(deals.id, by: admin)
            _ = try await DataImport(services: app.services.customerFile).revert(calls.id, by: admin)
            #expect(try await app.services.database.sql.select().column("id").from("opportunities").all().isEmpty)
            #expect(try await app.services.database.sql.select().column("id").from("activities").all().isEmpty)
        }
    }
}

/// What a test saw while an import ran (its progress callback may run on any thread).
actor Observed {
    private(set) var seen: [[String]] = []
    func add(_ names: [String]) { seen.append(names) }
}
