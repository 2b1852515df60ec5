import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import GuanxiPlatform

@Suite("Shared pool")
struct CustomerPoolTests {
    func pooled(_ app: TestApp, _ names: [String]) async throws -> [Customer] {
        var out: [Customer] = []
        for name in names {
            var input = CustomerInput()
            input.name = name
            input.ownerID = .some(nil)
            out.append(try await app.services.customers.create(input, by: try await app.admin))
        }
        return out
    }

    @Test("A rep claims from the pool up to the limit; a claimed customer leaves the pool; release puts it back")
    func claimAndRelease() async throws {
        try await TestApp.run { app, client in
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .update], scope: .own)])
            let rep = try await app.makeUser("rep.a", roles: [role.id!])
            try await app.makeUser("rep.b", roles: [role.id!])
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await api.call(.put, "/settings/customer-pool", json: #"{"claimLimit":2,"returnAfterDays":30}"#).status == .ok)
            let customers = try await pooled(app, ["甲公司", "乙公司", "丙公司"])
            let a = APIClient(client: client, token: try await app.token(for: "rep.a"))
            let b = APIClient(client: client, token: try await app.token(for: "rep.b"))
            #expect((try await b.call(.get, "/customers")).json["items"].flatMap { $0 as? [Any] }?.count == 3)
            let first = try await a.call(.post, "/customers/\(customers[0].id!.uuidString)/claim")
            #expect(first.status == .ok)
            #expect(first.json["ownerId"] as? String == rep.id!.uuidString)
            #expect(try await b.call(.post, "/customers/\(customers[0].id!.uuidString)/claim").status == .notFound)
            #expect(try await a.call(.post, "/customers/\(customers[1].id!.uuidString)/claim").status == .ok)
            let third = try await a.call(.post, "/customers/\(customers[2].id!.uuidString)/claim")
            #expect(third.status == .conflict)
            #expect(third.errorBody["code"] as? String == "claim_limit")
            #expect((try await b.call(.get, "/customers")).json["items"].flatMap { $0 as? [Any] }?.count == 1)
            #expect(try await a.call(.post, "/customers/\(customers[0].id!.uuidString)/release").json["ownerId"] == nil)
            #expect((try await b.call(.get, "/customers?pool=true")).json["items"].flatMap { $0 as? [Any] }?.count == 2)
            let history = try await app.auditEntries(action: "update", kind: .customers, id: customers[0].id!.uuidString)
            #expect(history.map { $0.changes.first { $0.field == "owner_id" }?.new } == [nil, rep.id!.uuidString])
        }
    }

    @Test("Customers untouched for the configured days return to the pool at the hourly upkeep")
    func returnRule() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            try await app.services.customerPool.setRules(PoolRules(claimLimit: 100, returnAfterDays: 30), by: admin)
            var input = CustomerInput()
            input.name = "久未跟进"
            let neglected = try await app.services.customers.create(input, by: admin)
            app.clock.advance(by: 20 * 86_400)
            input.name = "最近跟进"
            let recent = try await app.services.customers.create(input, by: admin)
            app.clock.advance(by: 11 * 86_400)
            let worker = JobWorker(queue: app.services.jobs, handlers: app.services.jobHandlers(), pollInterval: 1, clock: app.clock, logger: Logger(label: "t"))
            try await worker.scheduleHousekeeping()
            #expect(try await worker.runOne())
            #expect(try await app.services.customers.find(neglected.id!, for: admin).ownerID == nil)
            #expect(try await app.services.customers.find(recent.id!, for: admin).ownerID == admin.userID)
            let entry = try #require(try await app.auditEntries(action: "update", kind: .customers, id: neglected.id!.uuidString).first)
            #expect(entry.actorName == "system")
        }
    }

    @Test("Pool rules and the grade scale are set on the settings page, and checked")
    func settingsPage() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("chief", admin: true)
            var browser = Browser(client)
            try await browser.signIn("chief", "Secret-pass-42")
            _ = try await browser.get("/admin/settings")
            let saved = try await browser.post("/admin/settings", ["grades": "金\n银\n铜", "claim_limit": "50", "return_after_days": "15"])
            #expect(saved.location == "/admin/settings?notice=saved")
            #expect(try await app.services.settings.customerGrades() == ["金", "银", "铜"])
            #expect(try await app.services.customerPool.rules() == PoolRules(claimLimit: 50, returnAfterDays: 15))
            _ = try await browser.get("/admin/settings")
            let bad = try await browser.post("/admin/settings", ["grades": "A", "claim_limit": "0", "return_after_days": "15"])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("领取上限须在 1 到 1000000 之间。"))
            try await app.makeUser("nobody")
            var other = Browser(client)
            try await other.signIn("nobody", "Secret-pass-42")
            #expect(try await other.get("/admin/settings").status == .forbidden)
        }
    }
}
