import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import Testing
import GuanxiPlatform

@Suite("Audit log")
struct AuditTests {
    @Test("While an import's ledger notes some records, only their creation stays out of the log: another record created in the same batch, and a change to a noted one, are logged, also from steps run in the transaction")
    func ledgeredCreationsOnly() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let audit = app.services.audit
            let (noted, other) = (RecordID.new().text, RecordID.new().text)
            var writes = BulkWrites(engine: app.services.database.engine)
            try AuditLog.$ledgeredCreations.withValue([noted]) {
                try audit.writeAll([try audit.entry(actor: admin, action: .create, kind: .contacts, id: noted, label: "甲"),
                                    try audit.entry(actor: admin, action: .create, kind: .contacts, id: other, label: "乙"),
                                    try audit.entry(actor: admin, action: .update, kind: .contacts, id: noted, label: "甲")], to: &writes)
                writes.then { tx in try await audit.record(on: tx, actor: admin, action: .create, kind: .contacts, id: noted, label: "甲") }
                writes.then { tx in try await audit.record(on: tx, actor: admin, action: .create, kind: .customers, id: other, label: "丙") }
            }
            let batch = writes
            try await app.services.database.db.transaction { tx in try await batch.run(on: tx) }
            var logged: [String] = []
            for kind in [RecordKind.contacts, .customers] { logged += try await app.auditEntries(kind: kind).map { "\($0.action) \($0.recordLabel)" } }
            #expect(logged.sorted() == ["create 丙", "create 乙", "update 甲"])
            // Outside the batch, the same creation is logged.
            try await audit.record(on: app.services.database.db, actor: admin, action: .create, kind: .contacts, id: noted, label: "甲")
            #expect(try await app.auditEntries(action: "create", kind: .contacts, id: noted).count == 1)
        }
    }

    @Test("A batch's creation entries are made only for records the import's ledger does not note; the kind's caches hear of the batch either way")
    func createdEntriesMadeOnlyWhenLogged() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let audit = app.services.audit
            let cache: ShortLivedCache<String, Int> = app.services.caches.cache(forgettingOn: [.contacts])
            cache.store(1, for: "kept until a contact changes")
            let (noted, other) = (RecordID.new(), RecordID.new())
            var asked: [UUID] = []
            var writes = BulkWrites(engine: app.services.database.engine)
            try AuditLog.$ledgeredCreations.withValue([noted.text]) {
                try audit.writeCreated([(noted, "甲"), (other, "乙")], kind: .contacts, id: { $0.0 }, entry: { record in
                    asked.append(record.0)
                    return try audit.createdEntry(actor: admin, kind: .contacts, id: record.0.text, label: record.1, snapshot: ["name": record.1])
                }, to: &writes)
            }
            #expect(asked == [other])
            #expect(cache.value(for: "kept until a contact changes") == 1)
            let batch = writes
            try await app.services.database.db.transaction { tx in try await batch.run(on: tx) }
            #expect(try await app.auditEntries(kind: .contacts).map(\.recordLabel) == ["乙"])
            #expect(cache.value(for: "kept until a contact changes") == nil)

            // All noted: nothing logged, and the caches still hear of it.
            cache.store(2, for: "kept until a contact changes")
            var quiet = BulkWrites(engine: app.services.database.engine)
            try AuditLog.$ledgeredCreations.withValue([noted.text]) {
                try audit.writeCreated([noted], kind: .contacts, id: { $0 }, entry: { _ in Issue.record("made an entry the ledger notes"); throw CancellationError() },
                                       to: &quiet)
            }
            let quietBatch = quiet
            try await app.services.database.db.transaction { tx in try await quietBatch.run(on: tx) }
            #expect(try await app.auditEntries(kind: .contacts).count == 1)
            #expect(cache.value(for: "kept until a contact changes") == nil)
        }
    }

    @Test("Creating a user records every field from nothing to its value")
    func createEntry() async throws {
        try await TestApp.run { app, _ in
            let user = try await app.makeUser("gao")
            let entries = try await app.auditEntries(action: "create", kind: .users, id: user.id!.uuidString)
            let entry = try #require(entries.first)
            #expect(entry.actorName == "admin")
            #expect(entry.recordLabel == "gao")
            let username = try #require(entry.changes.first { $0.field == "username" })
            #expect(username.old == nil && username.new == "gao")
            // Secrets never reach the log.
            #expect(!entry.changes.contains { ["password_hash", "totp_secret"].contains($0.field) })
        }
    }

    @Test("Values with quotes, backslashes, line breaks, tabs and emoji come back from the log exactly as written")
    func escaping() async throws {
        try await TestApp.run { app, _ in
            var input = ContactInput()
            input.name = "李🌸 \"小\" 明"
            input.notes = "他说 \"好\"\\路径 C:\\temp\n第二行\t制表 ／ <b>&</b>"
            let contact = try await app.services.contacts.create(input, by: try await app.admin)
            let entry = try #require(try await app.auditEntries(action: "create", kind: .contacts, id: contact.id!.uuidString).first)
            #expect(entry.changes.first { $0.field == "name" }?.new == input.name)
            #expect(entry.changes.first { $0.field == "notes" }?.new == input.notes)
            #expect(entry.changes.allSatisfy { $0.old == nil })
        }
    }

    @Test("Records made one after another get ids that sort one after another (time-ordered, version 7), written as Foundation writes them")
    func idsInOrder() async throws {
        try await TestApp.run { app, _ in
            var ids: [UUID] = []
            for n in 1...20 {
                var input = CustomerInput()
                input.name = "顺序客户\(n)"
                ids.append(try await app.services.customers.create(input, by: try await app.admin).id!)
            }
            #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
            #expect(ids.allSatisfy { Array($0.uuidString)[14] == "7" })
            #expect(Set(ids).count == ids.count)
            // The text bulk writes store is Foundation's own, for these ids and any other.
            let others = (0..<500).map { _ in UUID() } + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                                                         UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
            #expect((ids + others).allSatisfy { $0.text == $0.uuidString })
        }
    }

    @Test("An update records only the changed fields with old and new values")
    func updateEntry() async throws {
        try await TestApp.run { app, _ in
            let user = try await app.makeUser("hezi")
            var changes = UserService.UserChanges()
            changes.displayName = "何小明"
            changes.email = "he@example.cn"
            _ = try await app.services.users.update(user.id!, changes, by: try await app.admin)
            let entry = try #require(try await app.auditEntries(action: "update", kind: .users, id: user.id!.uuidString).first)
            #expect(entry.changes == [
                FieldChange(field: "display_name", old: "hezi", new: "何小明"),
                FieldChange(field: "email", old: nil, new: "he@example.cn"),
            ])
        }
    }

    @Test("Department, team and role writes are audited; deletes keep the last values")
    func otherKinds() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let dept = try await app.services.departments.create(name: "市场部", parentID: nil, by: admin)
            _ = try await app.services.departments.update(dept.id!, name: "营销中心", parentID: nil, by: admin)
            try await app.services.departments.delete(dept.id!, by: admin)
            let entries = try await app.auditEntries(kind: .departments, id: dept.id!.uuidString)
            #expect(entries.map(\.action) == ["delete", "update", "create"])
            #expect(entries[1].changes == [FieldChange(field: "name", old: "市场部", new: "营销中心")])
            #expect(entries[0].changes == [FieldChange(field: "name", old: "营销中心", new: nil)])

            let role = try await app.makeRole("Reader", [.audit: Grant(actions: [.read], scope: .all)])
            _ = try await app.services.roles.update(role.id!, name: nil, description: "reads the log", grants: nil, by: admin)
            let roleEntry = try #require(try await app.auditEntries(action: "update", kind: .roles).first)
            #expect(roleEntry.changes == [FieldChange(field: "description", old: "", new: "reads the log")])

            let team = try await app.services.teams.create(name: "华东销售", description: nil, memberIDs: [], by: admin)
            let teamEntry = try #require(try await app.auditEntries(action: "create", kind: .teams, id: team.id!.uuidString).first)
            #expect(teamEntry.changes.contains(FieldChange(field: "name", old: nil, new: "华东销售")))
        }
    }

    @Test("A failed write leaves neither the change nor an audit entry")
    func atomicity() async throws {
        try await TestApp.run { app, _ in
            let before = try await app.auditEntries().count
            await #expect(throws: GuanxiError.self) {
                var new = UserService.NewUser()
                new.username = "bad"
                new.password = "Secret-pass-42"
                new.departmentID = UUID()
                _ = try await app.services.users.create(new, by: try await app.admin)
            }
            #expect(try await app.services.users.find(username: "bad") == nil)
            #expect(try await app.auditEntries().count == before)
        }
    }

    @Test("The audit scope limits whose actions a reader sees")
    func auditScope() async throws {
        try await TestApp.run { app, _ in
            let reader = try await app.makeRole("own-audit", [.audit: Grant(actions: [.read], scope: .own),
                                                             .departments: Grant(actions: [.create], scope: .all)])
            try await app.makeUser("qian", roles: [reader.id!])
            let qian = try await app.principal("qian")
            _ = try await app.services.departments.create(name: "Qian's", parentID: nil, by: qian)
            let visible = try await app.services.auditQuery.list(AuditFilter(), for: qian).entries
            #expect(!visible.isEmpty)
            #expect(visible.allSatisfy { $0.actorName == "qian" })
        }
    }
}
