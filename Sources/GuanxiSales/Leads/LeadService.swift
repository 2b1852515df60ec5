import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// What a client may send to create or change a lead: `nil` keeps a field, an empty
/// string clears it.
public struct LeadInput: Sendable {
    public var name: String?
    public var company: String?
    public var title: String?
    public var phone: String?
    public var email: String?
    public var wechat: String?
    public var province: String?
    public var city: String?
    public var industry: String?
    public var source: String?
    public var status: String?
    public var statusReason: String?
    public var rating: String?
    public var notes: String?
    /// Who owns the lead; `nil` keeps the owner (on create: the creator).
    public var assignment: LeadAssignment?
    /// Custom field values by key; a key left out keeps its value.
    public var customFields: [String: CustomInput]?
    /// On create: refuse (409 `probable_duplicate`) when a readable lead has the same e-mail or phone.
    public var checkDuplicates = false
    public init() {}
}

/// How a lead gets its owner.
public enum LeadAssignment: Sendable, Equatable {
    /// A named user, or the shared pool for `nil`.
    case owner(UUID?)
    /// The territory and round-robin rules (`LeadRouter`).
    case byRules
}

/// Creating, changing and deleting leads: validation first, then the permission check,
/// the version check and the audit entry in one transaction.
public struct LeadService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let writer: RecordWriter
    package let router: LeadRouter
    package let clock: any Clock
    package let custom: CustomValues

    public func create(_ input: LeadInput, by actor: Principal) async throws -> Lead {
        let new = try await prepare(input, by: actor)
        try await writer.create { tx in try await insert(new, by: actor, on: tx) }
        return new.lead
    }

    /// A new lead that passed every check, ready to be saved.
    package struct NewLead: Sendable {
        package let lead: Lead
        /// Where the assignment rules send it; the owner is picked inside the saving transaction.
        package let target: LeadRouter.Target?
        package let custom: CustomValues.Checked
    }

    /// The permission check and validation of a new lead; writes nothing.
    package func prepare(_ input: LeadInput, by actor: Principal) async throws -> NewLead {
        try permissions.require(actor, .create, on: .leads)
        guard input.name != nil else { throw GuanxiError.invalid("name", "name is required.").localized("msg.required", ["field": "name"]) }
        let lead = Lead()
        lead.id = RecordID.new()
        lead.status = "new"
        lead.notes = ""
        lead.ownerID = actor.channel == .console ? nil : actor.userID
        try await apply(input, to: lead)
        if input.checkDuplicates {
            let found = try await DuplicateCheck(database: database, permissions: permissions).leads(like: lead, for: actor)
            if !found.isEmpty { throw DuplicateCheck.error(found, kind: .leads) }
        }
        let target: LeadRouter.Target? = input.assignment == .byRules ? try await router.target(for: lead) : nil
        let values = try await custom.checked(.leads, sent: input.customFields, current: [:], isNew: true)
        lead.version = 1
        lead.createdBy = actor.channel == .console ? nil : actor.userID
        lead.createdAt = clock.now()
        lead.updatedAt = lead.createdAt
        return NewLead(lead: lead, target: target, custom: values)
    }

    /// Saves a prepared lead (its owner picked by the rules here) and its audit entry inside the caller's transaction.
    package func insert(_ new: NewLead, by actor: Principal, on tx: any Database) async throws {
        let lead = new.lead
        try await writer.insert(id: lead.id!, custom: new.custom,
                                entry: writer.createdEntry(id: lead.id!, label: lead.name, snapshot: Self.snapshot(lead, custom: new.custom.values), by: actor),
                                on: tx) { tx in
            if let target = new.target { lead.ownerID = try await router.owner(for: target, on: tx) }
            try await lead.insert(on: tx)
        }
    }

    /// Applies `input` if `expectedVersion` is still current. Converted leads are closed:
    /// their story continues on the customer, contact and opportunity they became.
    /// `alsoIn` runs inside the change's transaction (an import records its progress there).
    public func update(_ id: UUID, _ input: LeadInput, expectedVersion: Int?, by actor: Principal,
                       alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Lead {
        let lead = try await find(id, for: actor, action: .update)
        try writer.requireVersion(expectedVersion, current: lead.version)
        guard !lead.isConverted else { throw Self.converted }
        let oldCustom = try await custom.values(of: .leads, id: id)
        let before = Self.snapshot(lead, custom: oldCustom)
        try await apply(input, to: lead)
        let target: LeadRouter.Target? = input.assignment == .byRules ? try await router.target(for: lead) : nil
        let values = try await custom.checked(.leads, sent: input.customFields, current: oldCustom, isNew: false)
        // Re-routing a lead is a save even when the rules pick its current owner: the
        // team's rotation moves on, as it would for a new lead.
        let change = RecordWriter.Change(id: id, label: lead.name, version: lead.version, before: before,
                                         after: Self.snapshot(lead, custom: values.values), custom: values, always: target != nil)
        try await writer.update(change, expectedVersion: expectedVersion, by: actor, save: { tx, stamp in
            (lead.version, lead.updatedAt) = (stamp.version, stamp.at)
            guard let target else { try await lead.update(on: tx); return nil }
            lead.ownerID = try await router.owner(for: target, on: tx)
            try await lead.update(on: tx)
            return Self.snapshot(lead, custom: values.values)
        }, alsoIn: alsoIn)
        return lead
    }

    public func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let lead = try await find(id, for: actor, action: .delete)
        let snapshot = Self.snapshot(lead, custom: try await custom.values(of: .leads, id: id))
        try await writer.delete(id, label: lead.name, version: lead.version, expectedVersion: expectedVersion, snapshot: snapshot, by: actor) { tx in
            try await lead.delete(on: tx)
        }
    }

    /// Deletes many leads at once, each as `delete` does without a version (a revert of
    /// an import: `RecordWriter.delete(_:by:remove:)`). Answers why each one left standing
    /// was left: `notFound` for one gone since or out of the actor's sight.
    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        let found = ids.isEmpty ? [] : try await Lead.query(on: database.db).filter(\.$id ~~ ids).all()
        let (leads, refused) = try await permissions.sift(found, of: ids, actor, .delete, on: .leads, notFound: .notFound("Lead"), id: { $0.id! }, owner: \.ownerID)
        let values = try await custom.values(of: .leads, ids: leads.map { $0.id! })
        try await writer.delete(leads.map { lead in
            RecordWriter.Leaving(id: lead.id!, label: lead.name, snapshot: Self.snapshot(lead, custom: values[lead.id!] ?? [:]))
        }, by: actor) { tx, ids in
            try await (tx as! any SQLDatabase).delete(from: Lead.schema).where("id", .in, ids).run()
        }
        return refused
    }

    /// What the audit trail keeps of a lead: its fields and its custom values.
    package static func snapshot(_ lead: Lead, custom: [String: CustomValue]) -> AuditSnapshot {
        RecordWriter.snapshot(lead.auditSnapshot, custom: custom)
    }

    /// One lead the principal may reach for `action`; 404 when it may not read it.
    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Lead {
        guard let lead = try await Lead.find(id, on: database.db) else { throw GuanxiError.notFound("Lead") }
        try await permissions.requireAccess(actor, action, on: .leads, owner: lead.ownerID, notFound: .notFound("Lead"))
        return lead
    }

    package static let converted = GuanxiError(.conflict, "This lead was converted; work on the customer, contact and opportunity it became.",
                                       code: "lead_converted").localized("msg.lead_converted", [:])

    /// Validates every field sent and copies it onto `lead`; throws before anything is written.
    package func apply(_ input: LeadInput, to lead: Lead) async throws {
        if let v = input.name { lead.name = try Validate.requiredText(v, field: "name", max: 100) }
        if let v = input.company { lead.company = try Validate.text(v, field: "company", required: false, max: 200) }
        if let v = input.title { lead.title = try Validate.text(v, field: "title", required: false, max: 100) }
        if let v = input.phone {
            let phone = try CustomerValidate.phone(v)
            (lead.phone, lead.phoneDigits) = (phone?.text, phone?.digits)
        }
        if let v = input.email { lead.email = try Validate.email(v) }
        if let v = input.wechat { lead.wechat = try ContactService.wechat(v) }
        if let v = input.province { lead.province = try Validate.text(v, field: "province", required: false, max: 50) }
        if let v = input.city { lead.city = try Validate.text(v, field: "city", required: false, max: 50) }
        if let v = input.industry { lead.industry = try Validate.text(v, field: "industry", required: false, max: 100) }
        if let v = input.source { lead.source = try Validate.text(v, field: "source", required: false, max: 100) }
        if let v = input.status {
            guard v != "converted" else {
                throw GuanxiError.invalid("status", "A lead becomes converted only by converting it.").localized("msg.convert_to_convert", [:])
            }
            lead.status = try CustomerValidate.choice(v, field: "status", from: LeadVocabulary.editableStatuses) ?? lead.status
        }
        if let v = input.statusReason { lead.statusReason = try Validate.text(v, field: "statusReason", required: false, max: 500) }
        if let v = input.rating { lead.rating = try CustomerValidate.choice(v, field: "rating", from: LeadVocabulary.ratings) }
        if let v = input.notes { lead.notes = try Validate.text(v, field: "notes", required: false, max: 5000) ?? "" }
        if case .owner(let owner) = input.assignment {
            if let owner, try await User.find(owner, on: database.db)?.isActive != true {
                throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
            }
            lead.ownerID = owner
        }
        lead.refreshSearchText()
    }
}
