import Foundation
import SQLKit
import Testing
@testable import GuanxiCustomerFile
@testable import GuanxiDataExchange
@testable import GuanxiPlatform
@testable import GuanxiServer

@Suite("Reverting imports: many records at a time, each audited, refusals line by line")
struct ImportRevertTests {
    @Test("A revert deletes a large import's records some hundreds at a time, each with its own audit entry keeping its last state and what hangs on it; one the reverter may not delete is refused by its line, one deleted since is passed over, and a second run finishes")
    func inSets() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let sql = app.services.database.sql
            var field = CustomFieldInput()
            (field.recordKind, field.key, field.label, field.type) = ("contacts", "hobby", "爱好", "text")
            _ = try await app.services.customFields.create(field, by: admin)
            // Reads every contact and customer; creates, changes, deletes and imports only its own.
            let reader = try await app.makeRole("reads all", [.contacts: Grant(actions: [.read], scope: .all), .customers: Grant(actions: [.read], scope: .all)])
            let importer = try await app.makeRole("imports", [.contacts: Grant(actions: [.read, .create, .update, .delete, .import], scope: .own),
                                                              .customers: Grant(actions: [.read, .create, .update, .delete], scope: .own)])
            try await app.makeUser("rep", roles: [reader.id!, importer.id!])
            let rep = try await app.principal("rep")

            // 1,203 contacts: three transactions of a revert. The first names a company nobody has, which the import creates.
            let rows = (1...1_203).map { n in "联系人\(n),\(n == 1 ? "新公司" : ""),c\(n)@x.cn,1390000\(String(format: "%04d", n))" }
            let imports = DataImport(services: app.services.customerFile)
            let started = try await imports.start(.contacts, fileName: "名片.csv", data: Data(("姓名,公司,邮箱,手机\n" + rows.joined(separator: "\n") + "\n").utf8),
                                                  settings: ImportSettings(), queue: false, by: rep)
            let job = try await imports.run(started.id, by: rep)
            #expect((job.created, job.rejected) == (1_203, 0))
            func contact(_ n: Int) async throws -> UUID {
                try #require(try await sql.select().column("id").from("contacts").where("name", .equal, "联系人\(n)").first(decodingColumn: "id", as: UUID.self))
            }
            let (first, hobbyist, gone) = (try await contact(1), try await contact(600), try await contact(7))
            // Since the import: the first contact given to someone else, one given a custom value, one deleted by hand.
            var given = ContactInput()
            given.ownerID = .some(admin.userID)
            _ = try await app.services.contacts.update(first, given, expectedVersion: nil, by: admin)
            var hobby = ContactInput()
            hobby.customFields = ["hobby": .text("围棋")]
            _ = try await app.services.contacts.update(hobbyist, hobby, expectedVersion: nil, by: rep)
            try await app.services.contacts.delete(gone, expectedVersion: nil, by: admin)

            await #expect(throws: GuanxiError.self) { _ = try await imports.revert(job.id, by: rep) }
            let stopped = try await imports.find(job.id, by: rep)
            #expect(stopped.status == .done)
            #expect(stopped.error?.hasPrefix("line 2:") == true)
            #expect(try await sql.select().column("id").from("contacts").all(decodingColumn: "id", as: UUID.self) == [first])
            // Each deleted contact has its own entry, by the reverter, keeping its phones, e-mails and custom values.
            let deleted = try await app.auditEntries(action: "delete", kind: .contacts).filter { $0.actorName == "rep" }
            #expect(deleted.count == 1_201)
            #expect(Set(deleted.map(\.recordID)).count == 1_201)
            let last = try #require(deleted.first { $0.recordID == hobbyist.text })
            #expect(last.recordLabel == "联系人600")
            #expect(last.changes.first { $0.field == "emails" }?.old == "c600@x.cn")
            #expect(last.changes.first { $0.field == "phones" }?.old == "13900000600")
            #expect(last.changes.first { $0.field == "cf.hobby" }?.old == "围棋")
            // The company went too, noting the contact that still names it.
            let company = try #require(try await app.auditEntries(action: "delete", kind: .customers).first)
            #expect(company.recordLabel == "新公司")
            #expect(company.changes.first { $0.field == "with.contacts" }?.old == "1 detached")
            #expect(try await sql.select().column("customer_id").from("contacts").first(decodingColumn: "customer_id", as: UUID?.self) == .some(nil))
            // Nothing of the deleted contacts is left: channels, custom values, search keys.
            #expect(try await sql.select().column("contact_id").from("contact_channels").all(decodingColumn: "contact_id", as: UUID.self) == [first, first])
            #expect(try await sql.select().column("record_id").from("custom_values").all().isEmpty)
            if app.services.database.engine == .sqlite {
                #expect(try await sql.select().column("record_id").from("search_keys").where("kind", .equal, "contacts").all(decodingColumn: "record_id", as: UUID.self) == [first])
            }
            // The ledger: the refused contact is still to revert, the others (the one deleted by hand too) are marked.
            let ledger = try await sql.select().column("action").column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("import_job_records")
                .where("job_id", .equal, job.id).groupBy("action").all()
                .reduce(into: [Int: Int]()) { $0[try $1.decode(column: "action", as: Int.self)] = try $1.decode(column: "n", as: Int.self) }
            #expect(ledger == [ImportJobStore.LedgerAction.created.rawValue: 1, ImportJobStore.LedgerAction.reverted.rawValue: 1_203])

            _ = try await app.services.contacts.update(first, { var back = ContactInput(); back.ownerID = .some(rep.userID); return back }(), expectedVersion: nil, by: admin)
            let done = try await imports.revert(job.id, by: rep)
            #expect((done.status, done.error) == (.reverted, nil))
            #expect(try await sql.select().column("id").from("contacts").all().isEmpty)
            let counts = try await app.auditEntries(action: "import_revert").map { entry in entry.changes.first { $0.field == "undone" }?.new }
            #expect(counts.sorted { ($0 ?? "") < ($1 ?? "") } == ["1", "1202"])
            await #expect(throws: GuanxiError.self) { _ = try await imports.revert(job.id, by: rep) }
        }
    }

    @Test("A lead import is reverted in sets as well, each lead's deletion audited")
    func leads() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let imports = DataImport(services: app.services.customerFile)
            let rows = (1...520).map { "线索\($0),公司\($0)" }.joined(separator: "\n")
            let job = try await imports.run(try await imports.start(.leads, fileName: "线索.csv", data: Data("姓名,公司\n\(rows)\n".utf8),
                                                                    settings: ImportSettings(), queue: false, by: admin).id, by: admin)
            #expect(job.created == 520)
            let reverted = try await imports.revert(job.id, by: admin)
            #expect(reverted.status == .reverted)
            #expect(try await app.services.database.sql.select().column("id").from("leads").all().isEmpty)
            let entries = try await app.auditEntries(action: "delete", kind: .leads)
            #expect(entries.count == 520)
            #expect(entries.contains { $0.recordLabel == "线索333" && $0.changes.contains { $0.field == "company" && $0.old == "公司333" } })
        }
    }

    @Test("Asked on the web page, a revert runs in the background: the page shows it reverting and how many records are gone, a second request waits its turn, the worker reverts as the user who asked; refusals put the import back as it was with their lines; a lost worker's revert is taken over after two minutes of silence")
    func inTheBackground() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let sql = app.services.database.sql
            let imports = DataImport(services: app.services.customerFile)
            func load(_ prefix: String, as actor: Principal) async throws -> ImportJob {
                let rows = (1...30).map { "\(prefix)\($0),\(prefix)\($0)@x.cn" }.joined(separator: "\n")
                return try await imports.run(try await imports.start(.customers, fileName: "\(prefix).csv", data: Data("名称,邮箱\n\(rows)\n".utf8),
                                                                     settings: ImportSettings(), queue: false, by: actor).id, by: actor)
            }
            func customers(_ prefix: String) async throws -> Int {
                try await sql.select().column("id").from("customers").where("name", .like, "\(prefix)%").all().count
            }
            /// The reverts queued for an import (the test plays the worker).
            func queued(_ id: UUID) async throws -> [String] {
                try await sql.select().column("payload").from("jobs").where("kind", .equal, DataImport.revertJobKind).where("status", .equal, "queued")
                    .all(decodingColumn: "payload", as: String.self).filter { $0.contains(id.uuidString) }
            }
            var browser = try await app.signedInBrowser(client, as: "chief")
            let job = try await load("甲", as: admin)
            let location = "/imports/\(job.id)"
            _ = try await browser.get(location)
            // A time a stored date does not keep to the last digit, as a real clock's.
            app.clock.advance(by: 0.123_456_789_123)
            #expect(try await browser.post("\(location)/revert", [:]).status == .seeOther)
            let page = try await browser.get(location)
            #expect(page.text.contains("data-status=\"reverting\""))
            #expect(page.text.contains("<progress value=\"0\" max=\"30\""))
            #expect(page.text.contains("正在撤销：0 / 30 条记录已删除"))
            #expect(page.text.contains("http-equiv=\"refresh\""))
            #expect(!page.text.contains("action=\"\(location)/revert\""))
            #expect(try await browser.post("\(location)/revert", [:]).status == .conflict)
            let payloads = try await queued(job.id)
            #expect(payloads.count == 1)
            try await imports.revertQueued(try #require(payloads.first))
            #expect(try await imports.find(job.id, by: admin).status == .reverted)
            #expect(try await customers("甲") == 0)
            #expect(try await app.auditEntries(action: "import_revert").first?.actorName == "chief")
            try await imports.revertQueued(try #require(payloads.first))
            #expect(try await app.auditEntries(action: "import_revert").count == 1)

            // A worker that took the revert notes it as it goes; another leaves it alone until it has been silent for two minutes.
            let second = try await load("乙", as: admin)
            _ = try await imports.revertLater(second.id, by: admin)
            let payload = try #require(try await queued(second.id).first)
            app.clock.advance(by: 10)
            try await ImportJobStore(services: app.services.customerFile).touch(second.id)
            try await imports.revertQueued(payload)
            #expect(try await customers("乙") == 30)
            #expect(try await imports.find(second.id, by: admin).status == .reverting)
            await #expect(throws: GuanxiError.self) { _ = try await imports.revertLater(second.id, by: admin) }
            app.clock.advance(by: 130)
            try await imports.revertQueued(payload)
            #expect(try await imports.find(second.id, by: admin).status == .reverted)
            #expect(try await customers("乙") == 0)

            // A rep's import with a record given since to someone else: the revert stops short, the import is done again, the line named.
            let role = try await app.makeRole("imports", [.customers: Grant(actions: [.read, .create, .update, .delete, .import], scope: .own)])
            let reader = try await app.makeRole("reads", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("rep", roles: [role.id!, reader.id!])
            let rep = try await app.principal("rep")
            let third = try await load("丙", as: rep)
            let given = try #require(try await sql.select().column("id").from("customers").where("name", .equal, "丙5").first(decodingColumn: "id", as: UUID.self))
            var input = CustomerInput()
            input.ownerID = .some(admin.userID)
            _ = try await app.services.customers.update(given, input, expectedVersion: nil, by: admin)
            _ = try await imports.revertLater(third.id, by: rep)
            try await imports.revertQueued(try #require(try await queued(third.id).first))
            let stopped = try await imports.find(third.id, by: rep)
            #expect(stopped.status == .done)
            #expect(stopped.error?.hasPrefix("line 6:") == true)
            #expect(try await customers("丙") == 1)
        }
    }
}
