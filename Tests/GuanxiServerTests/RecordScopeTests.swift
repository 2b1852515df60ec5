import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Testing
import GuanxiPlatform

/// The data-scope matrix for every kind of sales record: who sees whose leads,
/// opportunities and activities, in the API list and on direct reads.
@Suite("Data scopes of sales records")
struct RecordScopeTests {
    static let cases: [(RecordKind, DataScope)] = [RecordKind.leads, .opportunities, .activities].flatMap { kind in
        [DataScope.own, .subordinates, .department, .departmentTree, .all].map { (kind, $0) }
    }

    @Test("Each scope sees exactly its records of each kind", arguments: cases)
    func matrix(kind: RecordKind, scope: DataScope) async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let sales = try await app.services.departments.create(name: "Sales", parentID: nil, by: admin)
            let north = try await app.services.departments.create(name: "North", parentID: sales.id, by: admin)
            let grants: [RecordKind: Grant] = [kind: Grant(actions: [.read], scope: scope), .customers: Grant(actions: [.read], scope: .all)]
            let role = try await app.makeRole("viewer", grants)
            let viewer = try await app.makeUser("viewer", department: sales.id, roles: [role.id!])
            let report = try await app.makeUser("report", manager: viewer.id)
            let peer = try await app.makeUser("peer", department: sales.id)
            let northRep = try await app.makeUser("northrep", department: north.id)
            var customer = CustomerInput()
            customer.name = "共用客户"
            let c = try await app.services.customers.create(customer, by: admin)
            var ids: [String: UUID] = [:]
            for (name, owner) in [("viewer", viewer.id!), ("report", report.id!), ("peer", peer.id!), ("northrep", northRep.id!), ("admin", admin.userID)] {
                switch kind {
                case .leads:
                    var input = LeadInput()
                    (input.name, input.assignment) = (name, .owner(owner))
                    ids[name] = try await app.services.sales.leads.create(input, by: admin).id
                case .opportunities:
                    var input = OpportunityInput()
                    (input.name, input.customerID, input.ownerID) = (name, .some(c.id), .some(owner))
                    ids[name] = try await app.services.sales.opportunities.create(input, by: admin).id
                default:
                    var input = ActivityInput()
                    (input.kind, input.subject, input.ownerID) = ("task", name, .some(owner))
                    ids[name] = try await app.services.activities.create(input, by: admin).id
                }
            }
            let expected: Set<String> = switch scope {
            case .own: ["viewer"]
            case .subordinates: ["viewer", "report"]
            case .department: ["viewer", "peer"]
            case .departmentTree: ["viewer", "peer", "northrep"]
            case .all: ["viewer", "report", "peer", "northrep", "admin"]
            }
            let api = APIClient(client: client, token: try await app.token(for: "viewer"))
            let items = (try await api.call(.get, "/\(kind.rawValue)?limit=200").json["items"] as? [[String: Any]]) ?? []
            let titleKey = kind == .activities ? "subject" : "name"
            #expect(Set(items.compactMap { $0[titleKey] as? String }) == expected)
            for (name, id) in ids {
                let read = try await api.call(.get, "/\(kind.rawValue)/\(id.uuidString)")
                #expect(read.status == (expected.contains(name) ? .ok : .notFound), "\(kind) \(scope) \(name)")
            }
        }
    }
}
