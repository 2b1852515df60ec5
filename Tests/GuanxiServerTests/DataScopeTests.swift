import Foundation
import HTTPTypes
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import Testing
import GuanxiPlatform

/// The data-scope matrix on user records (a user's own record is the one they "own").
/// The organisation: HQ ⊃ Sales ⊃ Sales-North; boss manages lead, lead manages rep.
@Suite("Data scopes")
struct DataScopeTests {
    @Test("Each scope sees exactly the right records", arguments: DataScope.allCases)
    func matrix(scope: DataScope) async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let hq = try await app.services.departments.create(name: "HQ", parentID: nil, by: admin)
            let sales = try await app.services.departments.create(name: "Sales", parentID: hq.id, by: admin)
            let north = try await app.services.departments.create(name: "Sales North", parentID: sales.id, by: admin)
            let other = try await app.services.departments.create(name: "Service", parentID: hq.id, by: admin)
            let role = try await app.makeRole("viewer-\(scope.rawValue)", [.users: Grant(actions: [.read], scope: scope)])
            let viewer = try await app.makeUser("viewer", department: sales.id, roles: [role.id!])
            let report = try await app.makeUser("report", department: north.id, manager: viewer.id)
            let indirect = try await app.makeUser("indirect", department: other.id, manager: report.id)
            try await app.makeUser("colleague", department: sales.id)
            try await app.makeUser("northrep", department: north.id)
            try await app.makeUser("stranger", department: other.id)
            _ = indirect

            let expected: Set<String> = switch scope {
            case .own: ["viewer"]
            case .subordinates: ["viewer", "report", "indirect"]
            case .department: ["viewer", "colleague"]
            case .departmentTree: ["viewer", "colleague", "report", "northrep"]
            case .all: ["admin", "viewer", "report", "indirect", "colleague", "northrep", "stranger"]
            }
            let principal = try await app.principal("viewer")
            let seen = Set(try await app.services.users.list(for: principal, limit: 200).users.map(\.username))
            #expect(seen == expected)

            // The API answers from the same check: a visible user reads, an invisible one is 404.
            let api = APIClient(client: client, token: try await app.token(for: "viewer"))
            let listed = try await api.call(.get, "/users?limit=200")
            let names = Set(((listed.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["username"] as? String })
            #expect(names == expected)
            let strangerID = try #require(try await app.services.users.find(username: "stranger")?.id)
            let direct = try await api.call(.get, "/users/\(strangerID.uuidString)")
            #expect(direct.status == (expected.contains("stranger") ? .ok : .notFound))
        }
    }

    @Test("Without a grant on a kind, lists answer 403 and nothing leaks")
    func noGrant() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("plain")
            let api = APIClient(client: client, token: try await app.token(for: "plain"))
            let users = try await api.call(.get, "/users")
            #expect(users.status == .forbidden)
            #expect(users.errorBody["code"] as? String == "forbidden")
            let me = try await api.call(.get, "/me")
            #expect(me.status == .ok)
            #expect((me.json["user"] as? [String: Any])?["username"] as? String == "plain")
        }
    }

    @Test("Merged roles take the widest scope per action")
    func mergeRoles() {
        let merged = Principal.merge([
            [.users: Grant(actions: [.read, .update], scope: .own)],
            [.users: Grant(actions: [.read], scope: .department)],
        ])
        #expect(merged[.users]?[.read] == .department)
        #expect(merged[.users]?[.update] == .own)
        #expect(merged[.users]?[.delete] == nil)
    }
}
