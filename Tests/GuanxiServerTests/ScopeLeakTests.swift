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

/// What a user learns of records outside their scope from answers that are not about
/// those records: conflict messages and import outcomes tell them nothing a record they
/// cannot open would.
@Suite("Nothing of hidden records in messages")
struct ScopeLeakTests {
    /// The administrator's customer 隐藏公司 (external id EXT-1, e-mail hidden@x.cn), and a
    /// rep who may read, create, update and import only their own customers and deals.
    static func setUp(_ app: TestApp) async throws -> Principal {
        var hidden = CustomerInput()
        (hidden.name, hidden.externalID, hidden.email) = ("隐藏公司", "EXT-1", "hidden@x.cn")
        _ = try await app.services.customers.create(hidden, by: try await app.admin)
        let grant = Grant(actions: [.read, .create, .update, .import], scope: .own)
        let role = try await app.makeRole("rep", [.customers: grant, .opportunities: grant, .contacts: grant])
        try await app.makeUser("rep", roles: [role.id!])
        return try await app.principal("rep")
    }

    @Test("An external id already taken is named as taken; the holder's name only to someone who may read it")
    func externalIDConflict() async throws {
        try await TestApp.run { app, client in
            _ = try await Self.setUp(app)
            let rep = APIClient(client: client, token: try await app.token(for: "rep"))
            let refused = try await rep.call(.post, "/customers", json: #"{"name":"我的公司","externalId":"EXT-1"}"#)
            #expect(refused.status == .conflict)
            #expect(refused.errorBody["field"] as? String == "externalId")
            let message = refused.errorBody["message"] as? String ?? ""
            #expect(message.contains("EXT-1") && message.contains("another customer"), "\(message)")
            #expect(!message.contains("隐藏公司"))
            let admin = APIClient(client: client, token: try await app.token(for: "admin"))
            let told = try await admin.call(.post, "/customers", json: #"{"name":"另一家","externalId":"EXT-1"}"#)
            #expect((told.errorBody["message"] as? String)?.contains("隐藏公司") == true)
        }
    }

    @Test("An import's dry run and rejects say the same whether a hidden record exists or not")
    func importsSeeOnlyTheImportersScope() async throws {
        try await TestApp.run { app, _ in
            let rep = try await Self.setUp(app)
            let imports = DataImport(services: app.services.customerFile)
            var byEmail = ImportSettings()
            byEmail.key = "email"
            // The hidden customer's e-mail is no duplicate to the rep: the row is created, not skipped.
            let customers = try await imports.dryRun(.customers, data: Data("名称,邮箱\n新公司,hidden@x.cn\n另一家,nobody@x.cn\n".utf8), settings: byEmail, by: rep)
            #expect((customers.job.created, customers.job.rejected) == (2, 0))
            // A deal naming the hidden customer is refused exactly as one naming no customer.
            let deals = try await imports.dryRun(.opportunities, data: Data("名称,客户\n甲项目,隐藏公司\n乙项目,不存在公司\n".utf8), settings: ImportSettings(), by: rep)
            #expect(deals.job.rejected == 2)
            let reasons = deals.problems.map { $0.reason.replacingOccurrences(of: "隐藏公司", with: "X").replacingOccurrences(of: "不存在公司", with: "X") }
            #expect(reasons.count == 2 && reasons[0] == reasons[1], "\(deals.problems.map(\.reason))")
            // A contact naming the hidden customer gets a company of the rep's own, as one naming a new company would.
            let contacts = try await imports.dryRun(.contacts, data: Data("姓名,公司\n刘洋,隐藏公司\n王芳,新的公司\n".utf8), settings: ImportSettings(), by: rep)
            #expect((contacts.job.created, contacts.job.rejected) == (2, 0), "\(contacts.problems.map(\.reason))")
        }
    }
}
