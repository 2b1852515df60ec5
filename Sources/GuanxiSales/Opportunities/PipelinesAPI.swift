import Foundation
import GuanxiAPI
import GuanxiCustomerFile
import GuanxiPlatform

/// Pipelines and competitors over the REST API.
extension SalesAPI {
    package func listPipelines(_ input: Operations.listPipelines.Input) async throws -> Operations.listPipelines.Output {
        _ = try RequestPrincipal.require()
        return .ok(.init(body: .json(.init(items: try await sales.pipelines.list().map(Self.apiPipeline)))))
    }

    package func createPipeline(_ input: Operations.createPipeline.Input) async throws -> Operations.createPipeline.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let pipeline = try await sales.pipelines.create(name: body.name, stages: try Self.stageInputs(body.stages), by: principal)
        let saved = try await sales.pipelines.find(pipeline.id!)
        return .created(.init(headers: .init(ETag: Self.etag(version: pipeline.version)), body: .json(Self.apiPipeline(saved))))
    }

    package func getPipeline(_ input: Operations.getPipeline.Input) async throws -> Operations.getPipeline.Output {
        _ = try RequestPrincipal.require()
        let saved = try await sales.pipelines.find(try Self.id(input.path.pipelineId, field: "pipelineId"))
        return .ok(.init(headers: .init(ETag: Self.etag(version: saved.pipeline.version)), body: .json(Self.apiPipeline(saved))))
    }

    package func updatePipeline(_ input: Operations.updatePipeline.Input) async throws -> Operations.updatePipeline.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.pipelineId, field: "pipelineId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let pipeline = try await Self.precondition {
            try await sales.pipelines.update(id, name: body.name, stages: try Self.stageInputs(body.stages), expectedVersion: expected, by: principal)
        }
        let saved = try await sales.pipelines.find(id)
        return .ok(.init(headers: .init(ETag: Self.etag(version: pipeline.version)), body: .json(Self.apiPipeline(saved))))
    }

    package func deletePipeline(_ input: Operations.deletePipeline.Input) async throws -> Operations.deletePipeline.Output {
        let principal = try RequestPrincipal.require()
        try await sales.pipelines.delete(try Self.id(input.path.pipelineId, field: "pipelineId"), by: principal)
        return .noContent(.init())
    }

    package static func stageInputs(_ stages: [Components.Schemas.StageWrite]) throws -> [StageInput] {
        try stages.enumerated().map { index, s in
            StageInput(id: try s.id.map { try id($0, field: "stages[\(index)].id") }, name: s.name, probability: s.probability, outcome: s.outcome ?? "open")
        }
    }

    package static func apiPipeline(_ saved: (pipeline: Pipeline, stages: [PipelineStage])) -> Components.Schemas.Pipeline {
        .init(id: saved.pipeline.id!.uuidString, name: saved.pipeline.name,
              stages: saved.stages.map { .init(id: $0.id!.uuidString, name: $0.name, probability: $0.probability, outcome: .init(rawValue: $0.outcome) ?? .open) },
              version: saved.pipeline.version)
    }

    package func listCompetitors(_ input: Operations.listCompetitors.Input) async throws -> Operations.listCompetitors.Output {
        let principal = try RequestPrincipal.require()
        return .ok(.init(body: .json(.init(items: try await sales.competitors.list(for: principal).map(Self.apiCompetitor)))))
    }

    package func createCompetitor(_ input: Operations.createCompetitor.Input) async throws -> Operations.createCompetitor.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let c = try await sales.competitors.create(Self.competitorInput(body), by: principal)
        return .created(.init(headers: .init(ETag: Self.etag(version: c.version)), body: .json(Self.apiCompetitor(c))))
    }

    package func getCompetitor(_ input: Operations.getCompetitor.Input) async throws -> Operations.getCompetitor.Output {
        let principal = try RequestPrincipal.require()
        let c = try await sales.competitors.find(try Self.id(input.path.competitorId, field: "competitorId"), for: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: c.version)), body: .json(Self.apiCompetitor(c))))
    }

    package func updateCompetitor(_ input: Operations.updateCompetitor.Input) async throws -> Operations.updateCompetitor.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.competitorId, field: "competitorId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let c = try await Self.precondition { try await sales.competitors.update(id, Self.competitorInput(body), expectedVersion: expected, by: principal) }
        return .ok(.init(headers: .init(ETag: Self.etag(version: c.version)), body: .json(Self.apiCompetitor(c))))
    }

    package func deleteCompetitor(_ input: Operations.deleteCompetitor.Input) async throws -> Operations.deleteCompetitor.Output {
        let principal = try RequestPrincipal.require()
        try await sales.competitors.delete(try Self.id(input.path.competitorId, field: "competitorId"), by: principal)
        return .noContent(.init())
    }

    package static func competitorInput(_ body: Components.Schemas.CompetitorWrite) -> CompetitorInput {
        var input = CompetitorInput()
        input.name = body.name
        input.website = body.website
        input.strengths = body.strengths
        input.weaknesses = body.weaknesses
        input.notes = body.notes
        return input
    }

    package static func apiCompetitor(_ c: Competitor) -> Components.Schemas.Competitor {
        .init(id: c.id!.uuidString, name: c.name, website: c.website, strengths: c.strengths, weaknesses: c.weaknesses, notes: c.notes, version: c.version)
    }
}
