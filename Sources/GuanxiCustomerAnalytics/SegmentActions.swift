import Foundation
import GuanxiCustomerFile
import GuanxiPlatform

/// From insight to action: plan a call or a task for every customer of a group the
/// dashboard shows — an RFM segment, value tiers, lifecycle stages, or any combination
/// (for example "call every at-risk VIP this week") — each assigned to the customer's
/// owner, or to the one who asked for customers in the shared pool.
///
/// Each activity goes through the activity service, so it is permission-checked,
/// validated and audited like one entered by hand; a customer whose activity cannot be
/// created (the owner is outside the actor's reach, say) is counted as failed and the
/// others still get theirs.
package struct SegmentActions: Sendable {
    package let services: CustomerFileServices

    /// The most customers one batch plans for; a bigger segment is narrowed by tier first.
    package static let largestBatch = 2_000

    package struct Result: Sendable, Equatable { package var created: Int; package var failed: Int }

    package func planActivities(segment: String?, tiers: [String], stages: [String] = [], kind: String, subject: String?, due: String?,
                        by actor: Principal) async throws -> Result {
        let segment = segment.flatMap { $0.isEmpty ? nil : $0 }
        if let segment, !CustomerSegments.all.contains(segment) {
            throw GuanxiError.invalid("segment", "segment is not one of the RFM segments.").localized("msg.choice", ["field": "segment", "choices": CustomerSegments.all.joined(separator: ", ")])
        }
        for stage in stages where !CustomerVocabulary.lifecycleStages.contains(stage) {
            throw GuanxiError.invalid("stages", "\(stage) is not a lifecycle stage.").localized("msg.choice", ["field": "stages", "choices": CustomerVocabulary.lifecycleStages.joined(separator: ", ")])
        }
        guard segment != nil || !tiers.isEmpty || !stages.isEmpty else {
            throw GuanxiError.invalid("segment", "Choose a segment, a value tier or a lifecycle stage.").localized("msg.choose_group", [:])
        }
        for tier in tiers where !CustomerVocabulary.valueTiers.contains(tier) {
            throw GuanxiError.invalid("tiers", "\(tier) is not a value tier.").localized("msg.choice", ["field": "tiers", "choices": CustomerVocabulary.valueTiers.joined(separator: ", ")])
        }
        guard ["call", "task"].contains(kind) else {
            throw GuanxiError.invalid("kind", "kind must be call or task.").localized("msg.choice", ["field": "kind", "choices": "call, task"])
        }
        let subject = try Validate.requiredText(subject, field: "subject", max: 200)
        guard let dueDay = try CustomerValidate.date(due, field: "due") else {
            throw GuanxiError.invalid("due", "due is required.").localized("msg.required", ["field": "due"])
        }
        // Due at the end of that day in the actor's time zone.
        guard let dueAt = try Validate.localTime("\(dueDay)T18:00", field: "due", timeZone: actor.timeZone) ?? nil else {
            throw GuanxiError.invalid("due", "due must be a date written YYYY-MM-DD.").localized("msg.date", ["field": "due"])
        }
        try services.permissions.require(actor, .create, on: .activities)
        let dashboard = AnalyticsDashboard(services: services)
        let ids = try await dashboard.customers(inSegment: segment, tiers: tiers, stages: stages, for: actor, limit: Self.largestBatch + 1)
        guard ids.count <= Self.largestBatch else {
            throw GuanxiError.invalid("segment", "The segment holds more than \(Self.largestBatch) customers; narrow it by value tier.")
                .localized("msg.batch_too_large", ["max": String(Self.largestBatch)])
        }
        var result = Result(created: 0, failed: 0)
        for id in ids {
            do {
                let customer = try await services.customers.find(id, for: actor)
                var input = ActivityInput()
                (input.kind, input.subject, input.dueAt, input.status) = (kind, subject, .some(dueAt), "planned")
                input.related = .some((.customers, id))
                input.ownerID = .some(customer.ownerID ?? actor.userID)
                _ = try await services.activities.create(input, by: actor)
                result.created += 1
            } catch {
                result.failed += 1
            }
        }
        return result
    }
}
