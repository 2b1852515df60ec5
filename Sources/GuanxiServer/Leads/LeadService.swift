import FluentKit
import Foundation
import SQLKit
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
    let database: DatabaseService
    let permissions: PermissionService
    let audit: AuditLog
    let router: LeadRouter
    let clock: any Clock
    let custom: CustomValues
    let groupCommit: GroupCommit

    public func create(_ input: LeadInput, by actor: Principal) async throws -> Lead {
        let new = try await prepare(input, by: actor)
        try await groupCommit.run { tx in try await insert(new, by: actor, on: tx) }
        return new.lead
    }

    /// A new lead that passed every check, ready to be saved.
    struct NewLead: Sendable {
        let lead: Lead
        /// Where the assignment rules send it; the owner is picked inside the saving transaction.
        let target: LeadRouter.Target?
        let custom: CustomValues.Checked
    }

    /// The permission check and validation of a new lead; writes nothing.
    func prepare(_ input: LeadInput, by actor: Principal) async throws -> NewLead {
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
    func insert(_ new: NewLead, by actor: Principal, on tx: any Database) async throws {
        let lead = new.lead
        if let target = new.target { lead.ownerID = try await router.owner(for: target, on: tx) }
        try await lead.create(on: tx)
        try await CustomValues.save(new.custom, of: lead.id!, on: tx)
        try await audit.created(on: tx, actor: actor, kind: .leads, id: lead.id!.uuidString, label: lead.name,
                                snapshot: lead.auditSnapshot.merging(CustomValues.snapshot(new.custom.values)) { a, _ in a })
    }

    /// Applies `input` if `expectedVersion` is still current. Converted leads are closed:
    /// their story continues on the customer, contact and opportunity they became.
    /// `alsoIn` runs inside the change's transaction (an import records its progress there).
    public func update(_ id: UUID, _ input: LeadInput, expectedVersion: Int?, by actor: Principal,
                       alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Lead {
        let lead = try await find(id, for: actor, action: .update)
        try VersionCheck.require(expectedVersion, current: lead.version, what: "lead")
        guard !lead.isConverted else { throw Self.converted }
        let oldCustom = try await custom.values(of: .leads, id: id)
        let before = lead.auditSnapshot.merging(CustomValues.snapshot(oldCustom)) { a, _ in a }
        try await apply(input, to: lead)
        let target: LeadRouter.Target? = input.assignment == .byRules ? try await router.target(for: lead) : nil
        let values = try await custom.checked(.leads, sent: input.customFields, current: oldCustom, isNew: false)
        guard target != nil || lead.auditSnapshot.merging(CustomValues.snapshot(values.values)) { a, _ in a } != before else {
            if expectedVersion != nil { try await VersionCheck.confirm("leads", id: id, at: lead.version, what: "lead", on: database.sql) }
            return lead
        }
        let startedFrom = lead.version
        lead.version += 1
        lead.updatedAt = clock.now()
        // Re-routing a lead is a save even when the rules pick its current owner: the
        // team's rotation moves on, as it would for a new lead.
        try await database.db.transaction { tx in
            if let target { lead.ownerID = try await router.owner(for: target, on: tx) }
            try await VersionCheck.bump("leads", id: id, from: startedFrom, on: tx, what: "lead")
            try await lead.update(on: tx)
            try await CustomValues.save(values, of: id, on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .leads, id: id.uuidString, label: lead.name, old: before,
                                    new: lead.auditSnapshot.merging(CustomValues.snapshot(values.values)) { a, _ in a })
            try await alsoIn?(tx)
        }
        return lead
    }

    public func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let lead = try await find(id, for: actor, action: .delete)
        try VersionCheck.require(expectedVersion, current: lead.version, what: "lead")
        try await database.db.transaction { tx in
            // The version is checked again as the row goes, so a change saved since it was read stops the delete.
            if expectedVersion != nil { try await VersionCheck.bump("leads", id: lead.id!, from: lead.version, on: tx, what: "lead") }
            try await lead.delete(on: tx)
            try await CustomValues.remove(of: id, on: tx)
            try await AttachmentService.removeAll(of: id, on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .leads, id: id.uuidString, label: lead.name, snapshot: lead.auditSnapshot)
        }
    }

    /// One lead the principal may reach for `action`; 404 when it may not read it.
    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Lead {
        guard let lead = try await Lead.find(id, on: database.db) else { throw GuanxiError.notFound("Lead") }
        try await permissions.requireAccess(actor, action, on: .leads, owner: lead.ownerID, notFound: .notFound("Lead"))
        return lead
    }

    static let converted = GuanxiError(.conflict, "This lead was converted; work on the customer, contact and opportunity it became.",
                                       code: "lead_converted").localized("msg.lead_converted", [:])

    /// Validates every field sent and copies it onto `lead`; throws before anything is written.
    func apply(_ input: LeadInput, to lead: Lead) async throws {
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
