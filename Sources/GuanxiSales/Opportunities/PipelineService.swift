import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// A stage as an administrator sends it: `id` keeps an existing stage (and the deals in
/// it); a stage without one is new.
public struct StageInput: Sendable, Equatable {
    public var id: UUID?
    public var name: String
    public var probability: Int
    public var outcome: String
    public init(id: UUID? = nil, name: String, probability: Int, outcome: String = "open") {
        (self.id, self.name, self.probability, self.outcome) = (id, name, probability, outcome)
    }
}

/// Administrators define pipelines and their stages; everyone reads them.
public struct PipelineService: Sendable {
    package let database: DatabaseService
    package let audit: AuditLog
    package let clock: any Clock

    public func list() async throws -> [(pipeline: Pipeline, stages: [PipelineStage])] {
        let pipelines = try await Pipeline.query(on: database.db).sort(\.$position).sort(\.$name).all()
        let stages = try await PipelineStage.query(on: database.db).sort(\.$position).all()
        return pipelines.map { p in (p, stages.filter { $0.pipelineID == p.id }) }
    }

    public func find(_ id: UUID) async throws -> (pipeline: Pipeline, stages: [PipelineStage]) {
        guard let pipeline = try await Pipeline.find(id, on: database.db) else { throw GuanxiError.notFound("Pipeline") }
        return (pipeline, try await PipelineStage.query(on: database.db).filter(\.$pipelineID == id).sort(\.$position).all())
    }

    public func stage(_ id: UUID) async throws -> PipelineStage? {
        try await PipelineStage.find(id, on: database.db)
    }

    public func create(name: String, stages: [StageInput], by actor: Principal) async throws -> Pipeline {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        let pipeline = Pipeline()
        pipeline.id = UUID()
        pipeline.name = try checkedName(name, except: nil)
        let clean = try Self.checked(stages, current: [])
        pipeline.position = try await Pipeline.query(on: database.db).count()
        pipeline.version = 1
        pipeline.createdAt = clock.now()
        pipeline.updatedAt = pipeline.createdAt
        let pipelineName = try await checkedUnique(pipeline.name, except: nil)
        try await database.db.transaction { tx in
            try await pipeline.create(on: tx)
            try await save(clean, of: pipeline.id!, current: [], on: tx)
            try await audit.created(on: tx, actor: actor, kind: .pipelines, id: pipeline.id!.uuidString, label: pipelineName,
                                    snapshot: Self.snapshot(pipeline, clean))
        }
        return pipeline
    }

    /// Renames the pipeline and replaces its stage list. A stage that still holds deals
    /// cannot be dropped: they would have nowhere to be.
    public func update(_ id: UUID, name: String?, stages: [StageInput]?, expectedVersion: Int?, by actor: Principal) async throws -> Pipeline {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        let (pipeline, current) = try await find(id)
        try VersionCheck.require(expectedVersion, current: pipeline.version, what: "pipeline")
        let currentInput = current.map { StageInput(id: $0.id, name: $0.name, probability: $0.probability, outcome: $0.outcome) }
        let before = Self.snapshot(pipeline, currentInput)
        if let name { pipeline.name = try await checkedUnique(try checkedName(name, except: id), except: id) }
        let clean = try stages.map { try Self.checked($0, current: current) } ?? currentInput
        for dropped in current where !clean.contains(where: { $0.id == dropped.id }) {
            let deals = try await Opportunity.query(on: database.db).filter(\.$stageID == dropped.id!).count()
            if deals > 0 {
                throw GuanxiError.invalid("stages", "Stage \(dropped.name) still holds \(deals) opportunities; move them before removing it.")
                    .localized("msg.stage_in_use", ["stage": dropped.name, "count": String(deals)])
            }
        }
        let after = Self.snapshot(pipeline, clean)
        guard after != before else {
            if expectedVersion != nil { try await VersionCheck.confirm("pipelines", id: id, at: pipeline.version, what: "pipeline", on: database.sql) }
            return pipeline
        }
        let startedFrom = pipeline.version
        pipeline.version += 1
        pipeline.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await VersionCheck.bump("pipelines", id: id, from: startedFrom, on: tx, what: "pipeline")
            try await pipeline.update(on: tx)
            try await save(clean, of: id, current: current, on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .pipelines, id: id.uuidString, label: pipeline.name, old: before, new: after)
        }
        return pipeline
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        guard actor.isAdmin else { throw GuanxiError.forbidden }
        let (pipeline, stages) = try await find(id)
        let deals = try await Opportunity.query(on: database.db).filter(\.$pipelineID == id).count()
        guard deals == 0 else {
            throw GuanxiError(.conflict, "This pipeline holds \(deals) opportunities; move or delete them first.", code: "pipeline_in_use")
                .localized("msg.pipeline_in_use", ["count": String(deals)])
        }
        let snapshot = Self.snapshot(pipeline, stages.map { StageInput(id: $0.id, name: $0.name, probability: $0.probability, outcome: $0.outcome) })
        try await database.db.transaction { tx in
            try await pipeline.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .pipelines, id: id.uuidString, label: pipeline.name, snapshot: snapshot)
        }
    }

    /// The pipeline a new organisation starts with, named in its language.
    package func createDefault(named name: String, stages: [StageInput]) async throws {
        guard try await Pipeline.query(on: database.db).count() == 0 else { return }
        _ = try await create(name: name, stages: stages, by: PrincipalLoader.console())
    }

    private func checkedName(_ name: String, except: UUID?) throws -> String {
        try Validate.requiredText(name, field: "name", max: 100)
    }

    private func checkedUnique(_ name: String, except: UUID?) async throws -> String {
        if let other = try await Pipeline.query(on: database.db).filter(\.$name == name).first(), other.id != except {
            throw GuanxiError.invalid("name", "A pipeline named \(name) exists already.").localized("msg.name_taken", ["field": "name"])
        }
        return name
    }

    /// 2–30 stages with distinct names, probabilities 0–100, at least one open stage, one
    /// won (at 100 %) and one lost (at 0 %); ids must be stages of this pipeline.
    package static func checked(_ stages: [StageInput], current: [PipelineStage]) throws -> [StageInput] {
        guard (3...30).contains(stages.count) else {
            throw GuanxiError.invalid("stages", "A pipeline has 3 to 30 stages.").localized("msg.stage_count", [:])
        }
        var out: [StageInput] = []
        for (index, stage) in stages.enumerated() {
            let at = "stages[\(index)]"
            let name = try Validate.requiredText(stage.name, field: "\(at).name", max: 50)
            guard !out.contains(where: { $0.name == name }) else {
                throw GuanxiError.invalid("\(at).name", "Two stages are named \(name).").localized("msg.name_taken", ["field": "\(at).name"])
            }
            guard (0...100).contains(stage.probability) else {
                throw GuanxiError.invalid("\(at).probability", "\(at).probability must be from 0 to 100.")
                    .localized("msg.range", ["field": "\(at).probability", "min": "0", "max": "100"])
            }
            let outcome = try CustomerValidate.choice(stage.outcome, field: "\(at).outcome", from: StageOutcome.all) ?? "open"
            if outcome == "won" && stage.probability != 100 || outcome == "lost" && stage.probability != 0 {
                throw GuanxiError.invalid("\(at).probability", "A won stage is at 100 % and a lost one at 0 %.").localized("msg.closed_probability", [:])
            }
            if let id = stage.id, !current.contains(where: { $0.id == id }) {
                throw GuanxiError.invalid("\(at).id", "\(at).id is not a stage of this pipeline.").localized("msg.unknown_reference", ["field": "\(at).id"])
            }
            out.append(StageInput(id: stage.id, name: name, probability: stage.probability, outcome: outcome))
        }
        for outcome in StageOutcome.all where !out.contains(where: { $0.outcome == outcome }) {
            throw GuanxiError.invalid("stages", "A pipeline needs at least one open, one won and one lost stage.").localized("msg.stage_outcomes", [:])
        }
        return out
    }

    private func save(_ stages: [StageInput], of pipelineID: UUID, current: [PipelineStage], on tx: any Database) async throws {
        let kept = Set(stages.compactMap(\.id))
        for old in current where !kept.contains(old.id!) { try await old.delete(on: tx) }
        for (position, input) in stages.enumerated() {
            let stage = current.first { $0.id == input.id } ?? PipelineStage()
            if stage.id == nil { stage.id = UUID(); stage.pipelineID = pipelineID }
            (stage.name, stage.position, stage.probability, stage.outcome) = (input.name, position, input.probability, input.outcome)
            try await stage.save(on: tx)
        }
    }

    package static func snapshot(_ pipeline: Pipeline, _ stages: [StageInput]) -> AuditSnapshot {
        ["name": pipeline.name, "stages": stages.map { "\($0.name) \($0.probability)%\($0.outcome == "open" ? "" : " (\($0.outcome))")" }.joined(separator: " → ")]
    }
}
