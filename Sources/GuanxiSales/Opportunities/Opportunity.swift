import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// An opportunity (商机): a deal being worked at a customer, moving through the stages
/// of its pipeline. The amount is kept in minor units (分).
public final class Opportunity: Model, @unchecked Sendable {
    public static let schema = "opportunities"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "customer_id") public var customerID: UUID
    @OptionalField(key: "contact_id") public var contactID: UUID?
    @Field(key: "pipeline_id") public var pipelineID: UUID
    @Field(key: "stage_id") public var stageID: UUID
    @Field(key: "amount_minor") package var amountMinor: Int64
    @Field(key: "currency") public var currency: String
    /// YYYY-MM-DD.
    @OptionalField(key: "expected_close") public var expectedClose: String?
    @Field(key: "probability") public var probability: Int
    @OptionalField(key: "owner_id") public var ownerID: UUID?
    @OptionalField(key: "source") public var source: String?
    @OptionalField(key: "loss_reason") public var lossReason: String?
    @Field(key: "notes") public var notes: String
    /// When the deal reached a won or lost stage; nil while it is open.
    @OptionalField(key: "closed_at") public var closedAt: Date?
    @Field(key: "stage_entered_at") public var stageEnteredAt: Date
    @Field(key: "search_text") package var searchText: String
    @Field(key: "version") public var version: Int
    @OptionalField(key: "created_by") public var createdBy: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    public var amount: Money {
        get { Money(minorUnits: amountMinor) }
        set { amountMinor = newValue.minorUnits }
    }

    package func refreshSearchText() {
        searchText = SQLSearch.text([name])
    }

    /// The audited fields; competitors are added by the service, which owns them.
    public var auditSnapshot: AuditSnapshot {
        ["name": name, "customer_id": customerID.uuidString, "contact_id": contactID?.uuidString, "pipeline_id": pipelineID.uuidString,
         "stage_id": stageID.uuidString, "amount": "\(amount.decimalText) \(currency)", "expected_close": expectedClose,
         "probability": String(probability), "owner_id": ownerID?.uuidString, "source": source, "loss_reason": lossReason,
         "notes": notes.isEmpty ? nil : notes]
    }
}

/// A deal's time in one stage: when it entered and, once it moved on, when it left.
public struct StageVisit: Sendable, Equatable {
    public var stageID: UUID
    public var stageName: String
    public var enteredAt: Date
    public var leftAt: Date?
    public var movedBy: String

    /// Seconds in the stage, up to `now` while the deal is still there.
    public func duration(now: Date) -> TimeInterval { (leftAt ?? now).timeIntervalSince(enteredAt) }
}
