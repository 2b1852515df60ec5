import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Demo data")
struct DemoDataTests {
    @Test("The demo loads a sales team, customers and contacts that the permission model then slices")
    func load() async throws {
        try await TestApp.run { app, client in
            let summary = try await DemoData(services: app.services).load(customers: 60, contactsPerCustomer: 3, seed: 7)
            #expect(summary.users == 6 && summary.customers == 60 && summary.contacts == 180 && summary.leads == 30)
            #expect((30...90).contains(summary.opportunities))
            let admin = try await app.admin
            var filter = CustomerFilter()
            filter.limit = 200
            let all = try await app.services.customerQuery.list(filter, for: admin).customers
            #expect(all.count == 60)
            #expect(all.contains { $0.name.contains("有限公司") })
            // A rep sees their own customers and the pool, a manager also their reps'.
            let rep = try await app.principal("wang.lei")
            let repView = try await app.services.customerQuery.list(filter, for: rep).customers
            #expect(repView.allSatisfy { $0.ownerID == rep.userID || $0.ownerID == nil })
            let lead = try await app.principal("chen.jie")
            let leadView = try await app.services.customerQuery.list(filter, for: lead).customers
            #expect(leadView.count >= repView.count)
            #expect(Set(repView.compactMap(\.ownerID)).isSubset(of: Set(leadView.compactMap(\.ownerID))))
            // Each demo user has a password of their own, none the administrator's.
            var browser = Browser(client)
            #expect(try await browser.signIn("wang.lei", TestApp.adminPassword).status == .unauthorized)
            // Every customer's first contact heads its organisation chart.
            var contacts = ContactFilter()
            contacts.customerID = all[0].id
            let people = try await app.services.contactQuery.list(contacts, for: admin).contacts
            #expect(people.count == 3)
            #expect(people.filter { $0.reportsToID == nil }.count == 1)
            // Leads in every status; converted ones point at a real customer.
            var leadFilter = LeadFilter()
            leadFilter.limit = 200
            let leads = try await app.services.sales.leadQuery.list(leadFilter, for: admin).leads
            #expect(leads.count == 30)
            for lead in leads where lead.isConverted { #expect(all.contains { $0.id == lead.convertedCustomerID }) }
            // Deals over two pipelines, open and closed, each with a stage history that ends where the deal is.
            var dealFilter = OpportunityFilter()
            dealFilter.limit = 200
            let deals = try await app.services.sales.opportunityQuery.list(dealFilter, for: admin).opportunities
            #expect(deals.count == summary.opportunities)
            #expect(Set(deals.map(\.pipelineID)).count == 2)
            #expect(deals.contains { $0.closedAt != nil } && deals.contains { $0.closedAt == nil })
            for deal in deals.prefix(10) {
                let visits = try await app.services.sales.opportunities.stageHistory(of: deal.id!)
                #expect(visits.last?.stageID == deal.stageID && visits.last?.leftAt == nil)
            }
            // Activities over the customer's life, with commitments, on its timeline.
            #expect(summary.activities == 240)
            let story = try await Timeline(services: app.services.customerFile).items(of: .customers, id: all[0].id!, for: admin)
            #expect(story.filter { $0.kind == .activity }.count == 4)
            let rows = try await app.services.database.sql.raw("SELECT COUNT(*) AS n FROM commitments").first(decodingColumn: "n", as: Int.self)
            #expect((rows ?? 0) > 0)
            let forecast = try await app.services.sales.forecast.rows(pipelineID: nil, from: nil, to: nil, by: .month, for: admin)
            #expect(forecast.reduce(0) { $0 + $1.open.count + $1.won.count } == deals.filter { $0.lossReason == nil }.count)
            // Purchases for most customers, over two years, for the analytics to score.
            let buyers = try await app.services.database.sql.raw("SELECT COUNT(DISTINCT customer_id) AS n FROM purchases").first(decodingColumn: "n", as: Int.self) ?? 0
            #expect((36...60).contains(buyers))
            #expect(summary.purchases >= buyers)
            let analysis = try await AnalysisRunner(services: app.services.customerFile).run(by: admin)
            #expect(analysis.buyers == buyers && analysis.purchases == summary.purchases)
            // A second load into a filled customer file is refused.
            await #expect(throws: GuanxiError.self) { _ = try await DemoData(services: app.services).load(customers: 1, contactsPerCustomer: 0) }
        }
    }
    @Test("On SQLite every id the application writes is kept as its 16 bytes, in the columns declared for ids and nowhere else")
    func idsAsBytes() async throws {
        try await TestApp.run { app, _ in
            guard app.services.database.engine == .sqlite else { return }
            _ = try await DemoData(services: app.services).load(customers: 12, contactsPerCustomer: 2, seed: 3)
            let sql = app.services.database.sql
            let columns = try await sql.raw("""
                SELECT m.name AS t, c.name AS c, upper(c.type) AS type FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                WHERE m.type = 'table' AND m.sql NOT LIKE 'CREATE VIRTUAL%' AND m.name NOT LIKE '%_search_fts_%' AND m.name NOT LIKE 'sqlite_%'
                """).all().map { (try $0.decode(column: "t", as: String.self), try $0.decode(column: "c", as: String.self), try $0.decode(column: "type", as: String.self)) }
            var ids = 0
            var wrong: [String] = []
            for (table, column, type) in columns {
                let kinds = try await sql.raw("SELECT DISTINCT typeof(\(ident: column)) || ' ' || length(\(ident: column)) AS k FROM \(ident: table) WHERE \(ident: column) IS NOT NULL")
                    .all(decodingColumn: "k", as: String.self)
                let isID = type == "UUID" || (table == "search_keys" && column == "record_id")
                if isID && !kinds.isEmpty { ids += 1 }
                if isID ? kinds.contains(where: { $0 != "blob 16" }) : kinds.contains("blob 16") { wrong.append("\(table).\(column) (\(type)): \(kinds)") }
            }
            #expect(ids > 40, "the demo fills most id columns")
            #expect(wrong.isEmpty, "\(wrong)")
        }
    }
}
