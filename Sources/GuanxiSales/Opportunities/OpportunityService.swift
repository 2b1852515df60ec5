import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// What a client may send to create or change an opportunity: `nil` keeps a field, an
/// empty string clears it.
public struct OpportunityInput: Sendable {
    public var name: String?
    public var customerID: UUID??
    public var contactID: UUID??
    public var pipelineID: UUID?
    public var stageID: UUID?
    /// Decimal text, e.g. "150000" or "1234.50".
    public var amount: String?
    public var currency: String?
    public var expectedClose: String?
    /// 0–100; when not sent, a stage move takes the new stage's default.
    public var probability: Int?
    public var ownerID: UUID??
    public var source: String?
    public var lossReason: String?
    public var notes: String?
    public var competitorIDs: [UUID]?
    /// Custom field values by key; a key left out keeps its value.
    public var customFields: [String: CustomInput]?
    public init() {}
}

/// Creating, changing and deleting opportunities; every stage move is written to the
/// stage history, so the time a deal spent in each stage is known.
public struct OpportunityService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let writer: RecordWriter
    package let pipelines: PipelineService
    package let customers: CustomerService
    package let contacts: ContactService
    package let clock: any Clock
    package let custom: CustomValues

    package static let competitors = LinkTable(table: "opportunity_competitors", owner: "opportunity_id", member: "competitor_id")

    /// A new opportunity that passed every check, ready to be saved.
    package struct NewOpportunity: Sendable {
        package let opportunity: Opportunity
        package let competitors: [UUID]
        package let competitorNames: String?
        package let stageName: String
        package let custom: CustomValues.Checked
    }

    public func create(_ input: OpportunityInput, by actor: Principal) async throws -> Opportunity {
        let new = try await prepare(input, by: actor)
        try await writer.create { tx in try await insert(new, by: actor, on: tx) }
        return new.opportunity
    }

    /// Checks a new opportunity; writes nothing. `customerPending` says its customer is
    /// being created in the same transaction (lead conversion), so it is not looked up.
    package func prepare(_ input: OpportunityInput, by actor: Principal, customerPending: Bool = false) async throws -> NewOpportunity {
        try permissions.require(actor, .create, on: .opportunities)
        guard input.name != nil else { throw GuanxiError.invalid("name", "name is required.").localized("msg.required", ["field": "name"]) }
        guard case .some(.some(let customerID)) = input.customerID else {
            throw GuanxiError.invalid("customerId", "customerId is required.").localized("msg.required", ["field": "customerId"])
        }
        let o = Opportunity()
        o.id = RecordID.new()
        o.customerID = customerID
        o.amount = Money(minorUnits: 0)
        o.currency = "CNY"
        o.notes = ""
        o.ownerID = actor.channel == .console ? nil : actor.userID
        o.createdAt = clock.now()
        o.updatedAt = o.createdAt
        o.stageEnteredAt = o.createdAt
        o.version = 1
        o.createdBy = actor.channel == .console ? nil : actor.userID
        var sent = input
        if customerPending { sent.customerID = nil }
        let stage = try await apply(sent, to: o, isNew: true, by: actor)
        let competitors = try await checkedCompetitors(input.competitorIDs ?? [])
        return NewOpportunity(opportunity: o, competitors: competitors, competitorNames: try await competitorNames(competitors), stageName: stage.name,
                              custom: try await custom.checked(.opportunities, sent: input.customFields, current: [:], isNew: true))
    }

    /// Saves a prepared opportunity, its first stage visit and its audit entry inside the
    /// caller's transaction.
    package func insert(_ new: NewOpportunity, by actor: Principal, on tx: any Database) async throws {
        let o = new.opportunity
        try await writer.insert(id: o.id!, custom: new.custom,
                                entry: writer.createdEntry(id: o.id!, label: o.name, snapshot: Self.snapshot(o, competitors: new.competitorNames, custom: new.custom.values), by: actor),
                                on: tx) { tx in
            try await o.insert(on: tx)
            try await Self.competitors.add(to: o.id!, new.competitors, on: tx)
            try await enterStage(o.stageID, named: new.stageName, of: o.id!, at: o.createdAt, by: actor, on: tx)
        }
    }

    /// `alsoIn` runs inside the change's transaction (an import records its progress there).
    public func update(_ id: UUID, _ input: OpportunityInput, expectedVersion: Int?, by actor: Principal,
                       alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Opportunity {
        let o = try await find(id, for: actor, action: .update)
        try writer.requireVersion(expectedVersion, current: o.version)
        let oldCompetitors = try await competitorIDs(of: id)
        let oldCustom = try await custom.values(of: .opportunities, id: id)
        let before = Self.snapshot(o, competitors: try await competitorNames(oldCompetitors), custom: oldCustom)
        let oldStage = o.stageID
        let stage = try await apply(input, to: o, isNew: false, by: actor)
        var checkedSent: [UUID]?
        if let sent = input.competitorIDs { checkedSent = try await checkedCompetitors(sent) }
        let newCompetitors = checkedSent ?? oldCompetitors
        let newCustom = try await custom.checked(.opportunities, sent: input.customFields, current: oldCustom, isNew: false)
        let change = RecordWriter.Change(id: id, label: o.name, version: o.version, before: before,
                                         after: Self.snapshot(o, competitors: try await competitorNames(newCompetitors), custom: newCustom.values), custom: newCustom)
        let (stageMoved, competitorsSent) = (o.stageID != oldStage, checkedSent != nil)
        try await writer.update(change, expectedVersion: expectedVersion, by: actor, save: { tx, stamp in
            (o.version, o.updatedAt) = (stamp.version, stamp.at)
            if stageMoved { o.stageEnteredAt = stamp.at }
            try await o.update(on: tx)
            if competitorsSent { try await Self.competitors.replace(of: id, with: newCompetitors, on: tx) }
            if stageMoved { try await enterStage(o.stageID, named: stage.name, of: id, at: o.stageEnteredAt, by: actor, on: tx) }
            return nil
        }, alsoIn: alsoIn)
        return o
    }

    public func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let o = try await find(id, for: actor, action: .delete)
        let snapshot = Self.snapshot(o, competitors: try await competitorNames(try await competitorIDs(of: id)),
                                     custom: try await custom.values(of: .opportunities, id: id))
        try await writer.delete(id, label: o.name, version: o.version, expectedVersion: expectedVersion, snapshot: snapshot, by: actor) { tx in
            try await o.delete(on: tx)
        }
    }

    /// What the audit trail keeps of a deal: its fields, its competitors' names and its custom values.
    package static func snapshot(_ o: Opportunity, competitors: String?, custom: [String: CustomValue]) -> AuditSnapshot {
        var snapshot = RecordWriter.snapshot(o.auditSnapshot, custom: custom)
        snapshot["competitors"] = competitors
        return snapshot
    }

    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Opportunity {
        guard let o = try await Opportunity.find(id, on: database.db) else { throw GuanxiError.notFound("Opportunity") }
        try await permissions.requireAccess(actor, action, on: .opportunities, owner: o.ownerID, notFound: .notFound("Opportunity"))
        return o
    }

    public func competitorIDs(of id: UUID) async throws -> [UUID] {
        try await Self.competitors.members(of: id, as: UUID.self, on: database.db)
    }

    /// The stages the deal went through, oldest first.
    public func stageHistory(of id: UUID) async throws -> [StageVisit] {
        try await database.sql.select().columns("stage_id", "stage_name", "entered_at", "left_at", "moved_by").from("opportunity_stage_history")
            .where("opportunity_id", .equal, id).orderBy("entered_at").all().map { row in
                StageVisit(stageID: try row.decode(column: "stage_id", as: UUID.self), stageName: try row.decode(column: "stage_name", as: String.self),
                           enteredAt: try row.decode(column: "entered_at", as: Date.self), leftAt: try row.decode(column: "left_at", as: Date?.self),
                           movedBy: try row.decode(column: "moved_by", as: String.self))
            }
    }

    /// Closes the deal's open stage visit and opens one in `stageID`.
    private func enterStage(_ stageID: UUID, named name: String, of id: UUID, at time: Date, by actor: Principal, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        try await sql.update("opportunity_stage_history").set("left_at", to: time)
            .where("opportunity_id", .equal, id).where("left_at", .is, SQLLiteral.null).run()
        try await sql.insert(into: "opportunity_stage_history").columns("id", "opportunity_id", "stage_id", "stage_name", "entered_at", "moved_by")
            .values(SQLBind(UUID()), SQLBind(id), SQLBind(stageID), SQLBind(name), SQLBind(time), SQLBind(actor.username)).run()
    }

    /// Validates every field sent, copies it onto `o`, and returns the deal's stage.
    private func apply(_ input: OpportunityInput, to o: Opportunity, isNew: Bool, by actor: Principal) async throws -> PipelineStage {
        if let v = input.name { o.name = try Validate.requiredText(v, field: "name", max: 200) }
        if let v = input.amount { o.amount = try Money.parse(v, field: "amount") ?? Money(minorUnits: 0) }
        if let v = input.currency {
            let code = try Validate.requiredText(v, field: "currency", max: 3).uppercased()
            guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw GuanxiError.invalid("currency", "currency must be a three-letter code such as CNY.").localized("msg.currency", [:])
            }
            o.currency = code
        }
        if let v = input.expectedClose { o.expectedClose = try CustomerValidate.date(v, field: "expectedClose") }
        if let v = input.source { o.source = try Validate.text(v, field: "source", required: false, max: 100) }
        if let v = input.notes { o.notes = try Validate.text(v, field: "notes", required: false, max: 5000) ?? "" }
        if let v = input.lossReason { o.lossReason = try Validate.text(v, field: "lossReason", required: false, max: 500) }
        if let owner = input.ownerID {
            if let id = owner, try await User.find(id, on: database.db)?.isActive != true {
                throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
            }
            o.ownerID = owner
        }
        if case .some(.some(let customerID)) = input.customerID {
            guard (try? await customers.find(customerID, for: actor)) != nil else { throw unknown("customerId") }
            o.customerID = customerID
        } else if case .some(.none) = input.customerID, !isNew {
            throw GuanxiError.invalid("customerId", "customerId is required.").localized("msg.required", ["field": "customerId"])
        }
        if let contact = input.contactID {
            if let id = contact {
                guard let found = try? await contacts.find(id, for: actor), found.customerID == o.customerID else {
                    throw GuanxiError.invalid("contactId", "contactId must be a contact at the opportunity's customer.").localized("msg.contact_elsewhere", [:])
                }
            }
            o.contactID = contact
        }
        let stage = try await checkedStage(input, of: o, isNew: isNew)
        let moved = isNew || stage.id != o.stageID
        o.pipelineID = stage.pipelineID
        o.stageID = stage.id!
        if let p = input.probability {
            guard (0...100).contains(p) else {
                throw GuanxiError.invalid("probability", "probability must be from 0 to 100.").localized("msg.range", ["field": "probability", "min": "0", "max": "100"])
            }
            o.probability = p
        } else if moved {
            o.probability = stage.probability
        }
        switch stage.outcome {
        case "won":
            o.probability = 100
            if moved || o.closedAt == nil { o.closedAt = clock.now() }
        case "lost":
            o.probability = 0
            if moved || o.closedAt == nil { o.closedAt = clock.now() }
            guard o.lossReason != nil else {
                throw GuanxiError.invalid("lossReason", "Say why the deal was lost (lossReason).").localized("msg.loss_reason", [:])
            }
        default:
            o.closedAt = nil
        }
        o.refreshSearchText()
        return stage
    }

    /// The stage the input names (or keeps), which must belong to the deal's pipeline.
    /// A new deal without one starts in the first open stage of its pipeline (of the
    /// first pipeline when none is named).
    private func checkedStage(_ input: OpportunityInput, of o: Opportunity, isNew: Bool) async throws -> PipelineStage {
        var pipelineID = input.pipelineID ?? (isNew ? nil : o.pipelineID)
        if let sent = input.pipelineID, try await Pipeline.find(sent, on: database.db) == nil { throw unknown("pipelineId") }
        if let stageID = input.stageID {
            guard let stage = try await pipelines.stage(stageID) else { throw unknown("stageId") }
            if let pipelineID, stage.pipelineID != pipelineID {
                throw GuanxiError.invalid("stageId", "stageId is not a stage of the opportunity's pipeline.").localized("msg.stage_pipeline", [:])
            }
            return stage
        }
        if !isNew, input.pipelineID == nil || input.pipelineID == o.pipelineID, let current = try await pipelines.stage(o.stageID) { return current }
        if pipelineID == nil { pipelineID = try await pipelines.list().first?.pipeline.id }
        guard let pipelineID, let first = try await pipelines.find(pipelineID).stages.first(where: { !$0.isClosed }) else { throw unknown("pipelineId") }
        return first
    }

    private func checkedCompetitors(_ ids: [UUID]) async throws -> [UUID] {
        let unique = Array(Set(ids))
        guard unique.count <= 20 else {
            throw GuanxiError.invalid("competitorIds", "An opportunity can name at most 20 competitors.").localized("msg.too_many", ["field": "competitorIds", "max": "20"])
        }
        let found = try await Competitor.query(on: database.db).filter(\.$id ~~ unique).count()
        guard found == unique.count else { throw unknown("competitorIds") }
        return unique.sorted { $0.uuidString < $1.uuidString }
    }

    private func competitorNames(_ ids: [UUID]) async throws -> String? {
        guard !ids.isEmpty else { return nil }
        return try await Competitor.query(on: database.db).filter(\.$id ~~ ids).sort(\.$name).all().map(\.name).joined(separator: ", ")
    }

    private func unknown(_ field: String) -> GuanxiError {
        GuanxiError.invalid(field, "\(field) names a record that does not exist or that you may not see.").localized("msg.unknown_reference", ["field": field])
    }
}
