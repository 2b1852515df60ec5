import Foundation
import GuanxiServer
import HummingbirdTesting
import Testing

@Suite("Demo data")
struct DemoDataTests {
    @Test("The demo loads a sales team, customers and contacts that the permission model then slices")
    func load() async throws {
        try await TestApp.run { app, client in
            let summary = try await DemoData(services: app.services).load(customers: 60, contactsPerCustomer: 3, seed: 7)
            #expect(summary.users == 6 && summary.customers == 60 && summary.contacts == 180)
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
            // Every customer's first contact heads its organisation chart.
            var contacts = ContactFilter()
            contacts.customerID = all[0].id
            let people = try await app.services.contactQuery.list(contacts, for: admin).contacts
            #expect(people.count == 3)
            #expect(people.filter { $0.reportsToID == nil }.count == 1)
            // A second load into a filled customer file is refused.
            await #expect(throws: GuanxiError.self) { _ = try await DemoData(services: app.services).load(customers: 1, contactsPerCustomer: 0) }
        }
    }
}
