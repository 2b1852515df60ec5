import Foundation
import GuanxiAPI
import OpenAPIRuntime
import GuanxiCustomerFile
import GuanxiPlatform

/// Analytics results over the REST API: one customer's scores, and the latest run's
/// summary for those who may read the whole customer file.
extension CustomerFileAPI {
    package func getCustomerScores(_ input: Operations.getCustomerScores.Input) async throws -> Operations.getCustomerScores.Output {
        let principal = try RequestPrincipal.require()
        guard let s = try await AnalysisRunner(services: services).scores(of: try Self.id(input.path.customerId, field: "customerId"), for: principal) else {
            throw GuanxiError(.notFound, "A score for this customer was not found: the analysis runs each night, or with guanxi analyze.")
        }
        return .ok(.init(body: .json(.init(
            customerId: s.customerID.uuidString, asOf: s.asOf, recencyDays: s.recencyDays, frequency: s.frequency, monetary: s.monetary.decimalText,
            rfm: s.rfm.map { "\($0.r)\($0.f)\($0.m)" }, segment: s.segment.flatMap { .init(rawValue: $0) },
            valueTier: s.valueTier.flatMap { .init(rawValue: $0) }, bankGrade: .init(rawValue: s.bankGrade) ?? .potential,
            lifecycleStage: .init(rawValue: s.lifecycleStage) ?? .acquisition, probabilityActive: s.probabilityActive,
            expectedPurchases: s.expectedPurchases, lifetimeValue: s.lifetimeValue?.decimalText, nextOccasion: s.nextOccasion))))
    }

    package func getAnalyticsSummary(_ input: Operations.getAnalyticsSummary.Input) async throws -> Operations.getAnalyticsSummary.Output {
        let principal = try RequestPrincipal.require()
        let runner = AnalysisRunner(services: services)
        try runner.requireWholeFile(principal)
        guard let summary = try await runner.latest() else {
            throw GuanxiError(.notFound, "An analysis run was not found: the analysis runs each night, or with guanxi analyze.")
        }
        // The generated type mirrors AnalysisSummary field for field; JSON carries it across.
        let body = try JSONDecoder().decode(Components.Schemas.AnalysisSummary.self, from: try JSONEncoder().encode(summary))
        return .ok(.init(body: .json(body)))
    }
}
