import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Hand-over over the REST API.
extension CustomerFileAPI {
    package func handOverUser(_ input: Operations.handOverUser.Input) async throws -> Operations.handOverUser.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let result = try await services.handOver.handOver(from: try Self.id(input.path.userId, field: "userId"),
                                                          to: try Self.id(body.toUserId, field: "toUserId"), by: principal)
        return .ok(.init(body: .json(.init(customers: result.count("customers"), contacts: result.count("contacts"), leads: result.count("leads"),
                                          opportunities: result.count("opportunities"), openActivities: result.count("activities")))))
    }
}
