import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// A sales pipeline (销售流程): the stages a deal of one kind goes through. An
/// organisation may run several — new business, renewals, projects — each with its
/// own stages and default probabilities.
public final class Pipeline: Model, @unchecked Sendable {
    public static let schema = "pipelines"
    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "position") public var position: Int
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}
}

/// One stage of a pipeline. `outcome` marks the closing stages: a deal in a `won` or
/// `lost` stage is closed; every other stage is open.
public final class PipelineStage: Model, @unchecked Sendable {
    public static let schema = "pipeline_stages"
    @ID(key: .id) public var id: UUID?
    @Field(key: "pipeline_id") public var pipelineID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "position") public var position: Int
    /// The chance of winning, 0–100, a deal takes when it enters the stage.
    @Field(key: "probability") public var probability: Int
    @Field(key: "outcome") public var outcome: String
    public init() {}

    public var isClosed: Bool { outcome != "open" }
}

public enum StageOutcome {
    public static let all = ["open", "won", "lost"]
}
