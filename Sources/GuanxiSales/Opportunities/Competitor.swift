import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// A competitor (竞争对手) met in deals, with what it does well and badly, so the next
/// rep facing it knows what to stress.
public final class Competitor: Model, @unchecked Sendable {
    public static let schema = "competitors"
    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @OptionalField(key: "website") public var website: String?
    @Field(key: "strengths") public var strengths: String
    @Field(key: "weaknesses") public var weaknesses: String
    @Field(key: "notes") public var notes: String
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    public init() {}

    package var auditSnapshot: AuditSnapshot {
        ["name": name, "website": website, "strengths": strengths.isEmpty ? nil : strengths,
         "weaknesses": weaknesses.isEmpty ? nil : weaknesses, "notes": notes.isEmpty ? nil : notes]
    }
}
