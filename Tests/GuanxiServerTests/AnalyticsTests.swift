import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Logging
import SQLKit
import Testing
import GuanxiPlatform

/// Purchases and the analytics run: what it writes onto customers, what the API and the
/// customer page show. The test clock starts on 2026-09-21.
@Suite("Analytics in the app")
struct AnalyticsTests {
    @Test("Purchases are recorded with every field checked, a reference once, returns allowed, and noted in the customer's history")
    func purchases() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customer = try await api.call(.post, "/customers", json: #"{"name":"星辰百货"}"#).json["id"] as! String
            let path = "/customers/\(customer)/purchases"
            let first = try await api.call(.post, path, json: #"{"reference":"SO-1001","date":"2026-05-12","amount":"1,299.5","margin":"300","items":["蛋糕","花束"]}"#)
            #expect(first.status == .created)
            #expect(first.json["amount"] as? String == "1299.50")
            #expect(first.json["margin"] as? String == "300.00")
            #expect(first.json["currency"] as? String == "CNY")
            #expect(first.json["items"] as? [String] == ["蛋糕", "花束"])
            let refund = try await api.call(.post, path, json: #"{"date":"2026-06-01","amount":"-50","currency":"cny"}"#)
            #expect(refund.status == .created)
            #expect(refund.json["amount"] as? String == "-50.00")

            for (body, field) in [
                (#"{"date":"2026-02-30","amount":"1"}"#, "date"),
                (#"{"date":"2027-01-01","amount":"1"}"#, "date"),
                (#"{"date":"2026-05-01","amount":"一百"}"#, "amount"),
                (#"{"date":"2026-05-01","amount":"10","margin":"20"}"#, "margin"),
                (#"{"date":"2026-05-01","amount":"10","currency":"RMB1"}"#, "currency"),
                (#"{"date":"2026-05-01"}"#, "amount"),
            ] {
                let refused = try await api.call(.post, path, json: body)
                #expect(refused.status == .badRequest, "\(body)")
                #expect(refused.errorBody["field"] as? String == field, "\(body): \(refused.text)")
            }
            let unknown = try await api.call(.post, path, json: #"{"date":"2026-05-01","amount":"1","colour":"red"}"#)
            #expect(unknown.status == .badRequest)
            let again = try await api.call(.post, path, json: #"{"reference":"SO-1001","date":"2026-05-13","amount":"5"}"#)
            #expect(again.status == .conflict)
            #expect(again.errorBody["field"] as? String == "reference")

            let list = try await api.call(.get, path)
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.map { $0["date"] as? String } == ["2026-06-01", "2026-05-12"])
            let history = try await app.auditEntries(action: "update", kind: .customers, id: customer)
            #expect(history.contains { $0.changes.contains { $0.field == "purchases" && $0.new == "2026-05-12 CNY 1299.50 (SO-1001)" } })

            #expect(try await api.call(.delete, "/purchases/\(first.json["id"] as! String)").status == .noContent)
            #expect((try await api.call(.get, path).json["items"] as? [[String: Any]])?.count == 1)
            #expect(try await api.call(.delete, "/purchases/\(first.json["id"] as! String)").status == .notFound)
        }
    }

    @Test("Purchases of a customer the caller cannot see are out of reach")
    func purchasePermissions() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var input = CustomerInput()
            input.name = "别人的客户"
            let customer = try await app.services.customers.create(input, by: admin)
            _ = try await PurchaseService(services: app.services.customerFile).add(purchaseInput("2026-03-01", "100"), to: customer.id!, by: admin)
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .update], scope: .own)])
            try await app.makeUser("rep", roles: [role.id!])
            let rep = APIClient(client: client, token: try await app.token(for: "rep"))
            #expect(try await rep.call(.get, "/customers/\(customer.id!)/purchases").status == .notFound)
            #expect(try await rep.call(.post, "/customers/\(customer.id!)/purchases", json: #"{"date":"2026-03-02","amount":"1"}"#).status == .notFound)
            #expect(try await rep.call(.get, "/customers/\(customer.id!)/scores").status == .notFound)
            #expect(try await rep.call(.get, "/analytics/summary").status == .forbidden)
        }
    }

    @Test("The analysis scores every customer, writes tier and stage without touching versions, and is audited")
    func analysisRun() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let service = PurchaseService(services: app.services.customerFile)
            var ids: [UUID] = []
            for i in 0..<40 {
                var input = CustomerInput()
                input.name = "客户\(i)"
                let customer = try await app.services.customers.create(input, by: admin)
                ids.append(customer.id!)
                // Customer i buys (i % 8) + 1 times, every 40 days back from early September;
                // the later customers spend more on each purchase.
                for k in 0..<(i % 8 + 1) {
                    let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: -40 * k - (i % 5) * 30, to: Date(timeIntervalSince1970: 1_788_000_000))!
                    let text = ISO8601DateFormatter.string(from: day, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
                    var purchase = purchaseInput(text, String(100 + i * 20))
                    purchase.items = k % 2 == 0 ? ["茶叶", "茶具"] : ["茶叶"]
                    _ = try await service.add(purchase, to: customer.id!, by: admin)
                }
            }
            var prospect = CustomerInput()
            prospect.name = "尚未购买"
            let waiting = try await app.services.customers.create(prospect, by: admin)
            let versionBefore = try await app.services.customers.find(ids[39], for: admin).version

            let summary = try await AnalysisRunner(services: app.services.customerFile).run(asOf: "2026-09-15", unit: .week, by: admin)
            #expect(summary.customers == 41 && summary.buyers == 40)
            #expect(summary.purchases == (0..<40).reduce(0) { $0 + $1 % 8 + 1 })
            let model = try #require(summary.purchaseModel)
            #expect(model.converged && model.r > 0 && model.alpha > 0)
            #expect(summary.valueTiers.values.reduce(0, +) == 40)
            #expect(summary.lifecycleStages.values.reduce(0, +) == 41)
            #expect(summary.rules.contains { $0.antecedent == ["茶具"] && $0.consequent == ["茶叶"] && $0.confidence == 1 })
            // Revenue by month up to August (September is not complete on the 15th), then six months ahead.
            let sales = try #require(summary.salesForecast)
            #expect(sales.months.last == "2026-08" && sales.forecastMonths == ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"])
            #expect(sales.revenue.count == sales.months.count && sales.forecast.count == 6)
            // Every purchase in the test falls before September: the months kept hold all of it
            // but the first months, which sold too little to count as the business's history.
            var total = 0.0
            for i in 0..<40 { total += Double(100 + i * 20) * Double(i % 8 + 1) }
            #expect(sales.revenue.reduce(0, +) <= total + 1e-6)
            #expect(sales.skippedMonths != nil && sales.low?.count == 6 && sales.high?.count == 6)
            #expect(zip(sales.low!, sales.high!).allSatisfy { $0 <= $1 })

            let rows = try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM customer_scores").first(decodingColumn: "n", as: Int.self)
            #expect(rows == 41)
            let top = try #require(try await AnalysisRunner(services: app.services.customerFile).scores(of: ids[39], for: admin))
            #expect(top.valueTier == "vip")
            #expect(top.frequency == 8)
            #expect(top.rfm?.f == 5 && top.rfm?.m == 5)
            #expect(top.lifetimeValue != nil && top.probabilityActive != nil)
            let customer = try await app.services.customers.find(ids[39], for: admin)
            #expect(customer.valueTier == "vip")
            #expect(customer.lifecycleStage == top.lifecycleStage)
            // The analytics add the segment and lifetime value to the customer list's columns,
            // which an export (like the list page) offers; a customer not yet scored has them empty.
            let path = NSTemporaryDirectory() + "scores-\(UUID().uuidString).csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = try await FileExport(services: app.services.customerFile).run("customers", to: path, view: nil, filters: "q=客户39&col=segment&col=clv", locale: "en",
                                                                 byteOrderMark: false, by: admin)
            let exported = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline)
            let segmentName = try Localizer.load().text("rfm_segments.\(try #require(top.segment))", "en")
            let expected = ["Name,RFM segment,Lifetime value (12 months)", "客户39,\(segmentName),\"\(try #require(top.lifetimeValue).display)\""]
            #expect(exported.map(String.init) == expected)
            #expect(customer.version == versionBefore)
            let none = try #require(try await AnalysisRunner(services: app.services.customerFile).scores(of: waiting.id!, for: admin))
            #expect(none.valueTier == nil && none.segment == nil && none.bankGrade == "potential" && none.lifecycleStage == "acquisition")

            let entry = try #require(try await app.auditEntries(action: "analyze").first)
            #expect(entry.changes.contains { $0.field == "customers" && $0.new == "41" })

            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let scores = try await api.call(.get, "/customers/\(ids[39])/scores")
            #expect(scores.json["valueTier"] as? String == "vip")
            #expect(scores.json["asOf"] as? String == "2026-09-15")
            #expect((scores.json["rfm"] as? String)?.hasSuffix("55") == true)
            let segment = try #require(top.segment)
            let listed = try #require(try await api.call(.get, "/customers?segment=\(segment)&limit=200").json["items"] as? [[String: Any]])
            #expect(listed.count == summary.segments[segment])
            #expect(listed.contains { $0["id"] as? String == ids[39].uuidString })
            #expect(try await api.call(.get, "/customers?segment=best").status == .badRequest)
            let remote = try await api.call(.get, "/analytics/summary")
            #expect(remote.json["customers"] as? Int == 41)
            #expect((remote.json["purchaseModel"] as? [String: Any])?["converged"] as? Bool == true)

            var browser = try await app.signedInBrowser(client, as: "boss")
            let page = try await browser.get("/customers/\(ids[39])").text
            #expect(page.contains("Customer value") || page.contains("客户价值"))
            #expect(page.contains("VIP") || page.contains("屈从"))
            #expect(page.contains("茶叶、茶具"))
            let filtered = try await browser.get("/customers?segment=\(segment)&col=segment&col=clv").text
            #expect(filtered.contains("客户39"))
            #expect(!filtered.contains("尚未购买"))
            #expect(filtered.contains(top.lifetimeValue!.display))
        }
    }

    @Test("An empty customer file analyses without error, saying what it skipped")
    func emptyAnalysis() async throws {
        try await TestApp.run { app, _ in
            let summary = try await AnalysisRunner(services: app.services.customerFile).run(asOf: "2026-09-01", unit: .day, by: nil)
            #expect(summary.customers == 0 && summary.purchases == 0)
            #expect(summary.purchaseModel == nil && summary.concentration == nil)
            #expect(summary.skipped.contains { $0.hasPrefix("purchase model") })
            // The run log keeps the summary as the run produced it (the write's own timing aside).
            var stored = try #require(try await AnalysisRunner(services: app.services.customerFile).latest())
            #expect(stored.timings["write"] == nil)
            stored.timings["write"] = summary.timings["write"]
            #expect(stored == summary)
            await #expect(throws: GuanxiError.self) { try await AnalysisRunner(services: app.services.customerFile).run(asOf: "2026-13-01", by: nil) }
        }
    }

    @Test("The nightly analysis is queued once a day and runs as the system")
    func nightly() async throws {
        try await TestApp.run { app, _ in
            let worker = JobWorker(queue: app.services.jobs, handlers: app.services.jobHandlers(), daily: app.services.dailyJobs, pollInterval: 1, clock: app.clock, logger: Logger(label: "t"))
            try await worker.scheduleNightly()
            try await worker.scheduleNightly()
            #expect(try await app.services.jobs.counts()["queued"] == 1)
            app.clock.advance(by: 86_400)
            #expect(try await worker.runOne())
            let runBy = try await app.services.database.sql.select().column("run_by").from("analysis_runs").first(decodingColumn: "run_by", as: String.self)
            #expect(runBy == "system")
        }
    }

    func purchaseInput(_ date: String, _ amount: String) -> PurchaseInput {
        var input = PurchaseInput()
        (input.date, input.amount) = (date, amount)
        return input
    }
}

/// The analytics dashboard and the step from a segment to planned calls.
@Suite("Analytics dashboard")
struct AnalyticsDashboardTests {
    /// Customers 0–9 buy often and recently, 10–19 bought a lot long ago, 20–29 never.
    func seed(_ app: TestApp, owner: UUID) async throws -> [UUID] {
        let admin = try await app.admin
        var ids: [UUID] = []
        for i in 0..<30 {
            var input = CustomerInput()
            (input.name, input.ownerID) = ("商户\(i)", .some(owner))
            let c = try await app.services.customers.create(input, by: admin)
            ids.append(c.id!)
            guard i < 20 else { continue }
            for k in 0..<(i < 10 ? 6 : 3) {
                var p = PurchaseInput()
                let daysAgo = i < 10 ? 10 + k * 30 + i : 300 + k * 20 + i
                p.date = ISO8601DateFormatter.string(from: app.clock.now().addingTimeInterval(-Double(daysAgo) * 86_400),
                                                     timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
                p.amount = String(i < 10 ? 1_000 + i * 100 : 20_000 + i * 1_000)
                p.items = k % 2 == 0 ? ["A", "B"] : ["A"]
                _ = try await PurchaseService(services: app.services.customerFile).add(p, to: c.id!, by: admin)
            }
        }
        _ = try await AnalysisRunner(services: app.services.customerFile).run(by: admin)
        return ids
    }

    /// The sum of the last column of a CSV download, header left out.
    static func total(_ csv: String) -> Int {
        let rows: [Substring] = Array(csv.split(separator: "\r\n").dropFirst())
        let counts: [Int] = rows.compactMap { row in row.split(separator: ",").last.flatMap { Int($0) } }
        return counts.reduce(0, +)
    }

    @Test("The dashboard draws each chart as SVG with its table and CSV, within the reader's customers")
    func dashboard() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let ids = try await seed(app, owner: admin.userID)
            var browser = try await app.signedInBrowser(client, as: "boss")
            let page = try await browser.get("/analytics")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.components(separatedBy: "<svg").count - 1 >= 4)
            #expect(html.contains("<polyline"))
            for csv in ["/analytics/csv/segments", "/analytics/csv/lifetime-value", "/analytics/csv/at-risk", "/analytics/csv/concentration",
                        "/analytics/csv/sales", "/analytics/csv/rules", "/analytics/csv/forecast"] {
                #expect(html.contains(csv), "\(csv)")
            }
            let segments = try await browser.get("/analytics/csv/segments")
            #expect(segments.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(segments.text.hasPrefix("\u{FEFF}"))
            #expect(Self.total(segments.text) == 20)
            let rules = try await browser.get("/analytics/csv/rules").text
            #expect(rules.contains("B,A,"))
            // The at-risk list names the big spenders who went quiet, most valuable first.
            let atRisk = try await browser.get("/analytics/csv/at-risk").text
            #expect(atRisk.contains(ids[19].uuidString))
            #expect(!atRisk.contains(ids[0].uuidString))
            #expect(try await browser.get("/analytics/csv/nonsense").status == .notFound)
            // The pipeline chart comes from the sales area (`DashboardFigure`), with its own CSV.
            #expect(html.contains("<h2>按预计成交月份的加权销售管道</h2>"))
            #expect(try await browser.get("/analytics/csv/forecast").text.contains("month,open,weighted,won"))

            // Each download is audited as an export.
            let exports = try await app.auditEntries(action: "export").filter { $0.recordLabel == "analytics" }
            #expect(exports.count == 4)
            #expect(exports.contains { $0.changes.contains { $0.field == "chart" && $0.new == "segments" } })

            // Without the export grant the tables are not offered, nor downloadable.
            let readerRole = try await app.makeRole("reader", [.customers: Grant(actions: [.read], scope: .all)])
            try await app.makeUser("reader", roles: [readerRole.id!])
            var reader = Browser(client)
            try await reader.signIn("reader", "Secret-pass-42")
            #expect(try await reader.get("/analytics").text.contains("<svg"))
            #expect(!(try await reader.get("/analytics").text.contains("/analytics/csv/")))
            #expect(try await reader.get("/analytics/csv/segments").status == .forbidden)

            // A rep who owns none of these customers sees none of them, and no whole-file figures.
            let role = try await app.makeRole("rep", [.customers: Grant(actions: [.read, .export], scope: .own)])
            try await app.makeUser("rep", roles: [role.id!])
            var rep = Browser(client)
            try await rep.signIn("rep", "Secret-pass-42")
            let mine = try await rep.get("/analytics/csv/segments").text
            #expect(Self.total(mine) == 0)
            #expect(try await rep.get("/analytics/csv/rules").status == .forbidden)
            #expect(try await rep.get("/analytics/csv/sales").status == .forbidden)
            // Deals are not the rep's to read: no forecast chart, no forecast table.
            #expect(!(try await rep.get("/analytics").text.contains("/analytics/csv/forecast")))
            #expect(try await rep.get("/analytics/csv/forecast").status == .forbidden)
            #expect(!(try await rep.get("/analytics").text.contains("<polyline")))
        }
    }

    @Test("A segment becomes planned calls for the customers' owners in one step, checked and audited")
    func planCalls() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let ids = try await seed(app, owner: admin.userID)
            let scores = try await AnalysisRunner(services: app.services.customerFile).scores(of: ids[19], for: admin)
            let segment = try #require(scores?.segment)
            let members = try await app.services.database.sql.select().column("customer_id").from("customer_scores")
                .where("rfm_segment", .equal, segment).all().map { try $0.decode(column: "customer_id", as: UUID.self) }
            var browser = try await app.signedInBrowser(client, as: "boss")
            #expect(try await browser.get("/analytics").text.contains("/analytics/plan"))
            let done = try await browser.post("/analytics/plan", ["segment": segment, "kind": "call", "subject": "回访老客户", "due": "2026-10-01"])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/analytics?planned=\(members.count)&failed=0")
            let calls = try await app.services.database.sql.select().columns("related_id", "owner_id", "kind", "status").from("activities")
                .where("subject", .equal, "回访老客户").all()
            #expect(calls.count == members.count)
            #expect(Set(try calls.map { try $0.decode(column: "related_id", as: UUID.self) }) == Set(members))
            let owners = Set(try calls.map { try $0.decode(column: "owner_id", as: UUID.self) })
            let kinds = Set(try calls.map { try $0.decode(column: "kind", as: String.self) })
            #expect(owners == [admin.userID] && kinds == ["call"])
            #expect(try await app.auditEntries(action: "create", kind: .activities).count == members.count)
            let notice = try await browser.get("/analytics?planned=\(members.count)&failed=0").text
            #expect(notice.contains(String(members.count)))

            for (form, field) in [(["segment": "best", "kind": "call", "subject": "x", "due": "2026-10-01"], "segment"),
                                  (["segment": segment, "kind": "visit", "subject": "x", "due": "2026-10-01"], "kind"),
                                  (["segment": segment, "kind": "call", "subject": "", "due": "2026-10-01"], "subject"),
                                  (["segment": segment, "kind": "call", "subject": "x", "due": "tomorrow"], "due")] {
                let refused = try await browser.post("/analytics/plan", form)
                #expect(refused.status == .badRequest, "\(field)")
            }
            let after = try await app.services.database.sql.select().column("id").from("activities").where("subject", .equal, "x").all()
            #expect(after.isEmpty)
            #expect(try await browser.post("/analytics/plan", ["kind": "call", "subject": "x", "due": "2026-10-01"]).status == .badRequest)

            // The valuable customers at risk, by value tier and lifecycle stage rather than segment.
            let group = try #require(try await app.services.database.sql.raw("""
                SELECT value_tier, lifecycle_stage, COUNT(*) AS n FROM customer_scores
                WHERE value_tier IN ('vip', 'high') AND lifecycle_stage IN ('at_risk', 'lost')
                GROUP BY value_tier, lifecycle_stage ORDER BY n DESC
                """).first())
            let (tier, stage, size) = (try group.decode(column: "value_tier", as: String.self), try group.decode(column: "lifecycle_stage", as: String.self),
                                       try group.decode(column: "n", as: Int.self))
            _ = try await browser.get("/analytics")
            let winBack = try await browser.post("/analytics/plan", ["tiers": tier, "stages": stage, "kind": "task", "subject": "挽回", "due": "2026-10-02"])
            #expect(winBack.headers[.location] == "/analytics?planned=\(size)&failed=0")
            let tasks = try await app.services.database.sql.select().column("id").from("activities").where("subject", .equal, "挽回").all()
            #expect(tasks.count == size && size > 0)
        }
    }
}
