import FluentKit
import SQLKit
import Foundation
import GuanxiPlatform
import Testing
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange

/// The rows written out by hand for bulk inserts (`PreparedInsert(table:columns:values:)`): each
/// kind declares its row once, and these tests check it against Fluent's own on the
/// engine the tests run on (SQLite, and PostgreSQL in the second pass). A record written
/// through the hand-written row must read back exactly like one Fluent inserted.
@Suite("Hand-written rows match Fluent's")
struct RowCodecTests {
    @Test("A customer written through its hand-written row reads back like one Fluent inserted")
    func customers() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let relative = try await app.services.customers.create(named("上级公司"), by: admin)
            let at = Date(timeIntervalSince1970: 1_790_000_000.25)
            func filled() -> Customer {
                let c = Customer()
                (c.id, c.name, c.kind, c.industry, c.size, c.province, c.city, c.district) = (UUID(), "华东 Trading 有限公司", "company", "制造", "50-199", "上海", "上海", "浦东")
                (c.address, c.postcode, c.phone, c.phoneDigits, c.email, c.website, c.source) = ("世纪大道 1 号", "200120", "+86 21 5555 0101", "862155550101", "info@example.cn", "https://example.cn", "展会")
                (c.externalID, c.ownerID, c.grade, c.valueTier, c.lifecycleStage, c.relationship) = ("EXT-\(UUID().uuidString.prefix(6))", admin.userID, "A", "high", "active", "customer")
                (c.parentID, c.referredByID, c.birthday, c.anniversary, c.notes) = (relative.id, relative.id, "1990-05-01", "2010-09-09", "备注 notes")
                (c.consentEmail, c.consentEmailAt, c.consentEmailVia) = ("opted_in", at, "网站")
                (c.consentSMS, c.consentSMSAt, c.consentSMSVia) = ("opted_out", at, "电话")
                (c.consentPhone, c.consentPhoneAt, c.consentPhoneVia) = ("opted_in", at, "面谈")
                (c.searchText, c.nameKey, c.version, c.createdBy, c.createdAt, c.updatedAt) = ("华东 trading", "华东trading", 3, admin.userID, at, at.addingTimeInterval(60))
                c.nameSort = "hua0dong0trading0"
                return c
            }
            let (byHand, byFluent) = (filled(), filled())
            try await compare(byHand, byFluent, on: app, unique: ["externalID": (byHand.externalID!, byFluent.externalID!)]) { model, tx in
                try await model.values.insertRow.run(for: model, on: tx)
            }
            // A new customer is checked and written as plain values; the model that answers
            // for it afterwards holds every one of them.
            let answering = Customer(saved: byHand.values)
            #expect("\(answering.values.insertRow.values)" == "\(byHand.values.insertRow.values)" && answering.$id.exists)

            // The audit entry's fields come from the same values as the row.
            let audited = byHand.values.auditSnapshot
            #expect(audited["consent_email"] == "opted_in (网站)" && audited["consent_sms"] == "opted_out (电话)" && audited["name"] == "华东 Trading 有限公司")
            #expect(audited["owner_id"] == admin.userID.uuidString && audited["parent_id"] == relative.id?.uuidString && audited["notes"] == "备注 notes")
            byHand.consentEmail = "unknown"
            #expect(byHand.auditSnapshot.keys.contains("consent_email") == false && byHand.auditSnapshot.keys.contains("industry"))

            // Read back by hand, as list pages read it: the same as Fluent's reading, and a
            // difference in any one field shows.
            let row = try #require(try await app.services.database.sql.select().column("*").from("customers").where("id", .equal, byHand.id!).first())
            let read = try Customer(row: row)
            #expect(read.matchesFluent(row))
            #expect(read.consentPhoneVia == "面谈" && read.nameKey == "华东trading" && read.updatedAt == at.addingTimeInterval(60))
            // As plain values, as list pages and the API's list read it: the same.
            let stored = "\(read.values.insertRow.values)"
            #expect("\(try Customer.Values(row: row).insertRow.values)" == stored && stored.contains("opted_in"))
            let listed = try await app.services.customerQuery.list(CustomerFilter(), for: admin).customers.filter { $0.id == byHand.id }
            #expect(listed.map { "\($0.insertRow.values)" } == [stored])
            read.consentSMSVia = nil
            #expect(!read.matchesFluent(row))

            // Found by id the same way (a record page's read), and through the permission check.
            let found = try #require(try await Customer.find(byID: byHand.id!, on: app.services.database.sql))
            #expect(found.matchesFluent(row) && found.$id.exists)
            #expect(try await Customer.find(byID: UUID(), on: app.services.database.sql) == nil)
            #expect(try await app.services.customers.find(byHand.id!, for: admin).consentSMSVia == "电话")
            try await app.makeUser("outsider")
            let outsider = try await app.principal("outsider")
            await #expect(throws: GuanxiError.self) { try await app.services.customers.find(byHand.id!, for: outsider) }
        }
    }

    @Test("A contact written through its hand-written row reads back like one Fluent inserted")
    func contacts() async throws {
        try await TestApp.run { app, _ in
            let admin = try await app.admin
            let company = try await app.services.customers.create(named("联系人的公司"), by: admin)
            var boss = ContactInput()
            boss.name = "上司"
            let manager = try await app.services.contacts.create(boss, by: admin)
            let at = Date(timeIntervalSince1970: 1_790_000_000.5)
            func filled() -> Contact {
                let c = Contact()
                (c.id, c.customerID, c.name, c.title, c.department, c.reportsToID) = (UUID(), company.id, "王 Wei", "采购经理", "采购部", manager.id)
                (c.wechat, c.birthday, c.notes, c.ownerID, c.searchText) = ("wang_wei", "1985-03-04", "备注", admin.userID, "王 wei wang_wei")
                c.nameSort = "wang0wei0"
                (c.version, c.createdBy, c.createdAt, c.updatedAt) = (2, admin.userID, at, at.addingTimeInterval(5))
                return c
            }
            let byHand = filled()
            try await compare(byHand, filled(), on: app) { model, tx in try await model.values.insertRow.run(for: model, on: tx) }
            // A new contact is checked and written as plain values; the model that answers
            // for it afterwards holds every one of them.
            let answering = Contact(saved: byHand.values)
            #expect("\(answering.values.insertRow.values)" == "\(byHand.values.insertRow.values)" && answering.$id.exists)

            // Read back by hand as plain values, as list pages read it: the same as Fluent's
            // reading, and a difference in any one field shows.
            let row = try #require(try await app.services.database.sql.select().column("*").from("contacts").where("id", .equal, byHand.id!).first())
            let values = try Contact.Values(row: row)
            #expect("\(values.insertRow.values)" == "\(byHand.values.insertRow.values)")
            let read = try Contact(row: row)
            #expect(read.matchesFluent(row) && read.$id.exists)
            read.department = nil
            #expect(!read.matchesFluent(row))
            // A list page holds the same values.
            var filter = ContactFilter()
            filter.customerID = company.id
            #expect(try await app.services.contactQuery.list(filter, for: admin).contacts.map { "\($0.insertRow.values)" }.contains("\(values.insertRow.values)"))
        }
    }

    private func named(_ name: String) -> CustomerInput {
        var input = CustomerInput()
        input.name = name
        return input
    }

    /// Writes `byHand` through its hand-written row and `byFluent` through Fluent, then
    /// reads both back with Fluent and compares every column but the id. Every field of
    /// the fixture is set, so a column the hand-written row forgets shows as a difference.
    /// Fields a unique index keeps apart (`unique`) must read back as each was written.
    private func compare<M: Model>(_ byHand: M, _ byFluent: M, on app: TestApp, unique: [String: (hand: String, fluent: String)] = [:],
                                   write: @escaping @Sendable (M, any Database) async throws -> Void) async throws where M.IDValue == UUID {
        let fluentRow = PreparedInsert(byFluent)
        let unset = zip(fluentRow.columns, fluentRow.values).filter { if case .null = $0.1 { true } else { false } }.map(\.0)
        #expect(unset.isEmpty, "the fixture must set every field; unset: \(unset)")
        try await app.services.database.db.transaction { tx in
            try await write(byHand, tx)
            try await byFluent.create(on: tx)
        }
        let (handID, fluentID) = (try #require(byHand.id), try #require(byFluent.id))
        let readHand = try #require(try await M.find(handID, on: app.services.database.db))
        let readFluent = try #require(try await M.find(fluentID, on: app.services.database.db))
        // Every field as Fluent decoded it from the row, but the id.
        func fields(_ model: M) throws -> [String: String] {
            let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(model)) as? [String: Any] ?? [:]
            return object.filter { $0.key != "id" }.mapValues { "\($0)" }
        }
        let (hand, fluent) = (try fields(readHand), try fields(readFluent))
        #expect(fluent.count == fluentRow.columns.count - 1, "every column comes back")
        #expect(hand.keys.sorted() == fluent.keys.sorted())
        for (field, value) in fluent where unique[field] == nil { #expect(hand[field] == value, "\(M.schema).\(field)") }
        for (field, written) in unique { #expect(hand[field] == written.hand && fluent[field] == written.fluent, "\(M.schema).\(field)") }
    }
}
