import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerFile
import GuanxiPlatform

/// What the person converting a lead chose: for the customer and for the contact,
/// either an existing record (the matches offered) or a new one made from the lead.
public struct LeadConversionInput: Sendable {
    /// An existing customer; nil creates one named `customerName` (default: the lead's
    /// company, or the lead's name for a private person).
    public var customerID: UUID?
    public var customerName: String?
    /// An existing contact; nil creates one from the lead unless `createContact` is false.
    public var contactID: UUID?
    public var createContact = true
    /// An opportunity to open at the customer; nil opens none.
    public var opportunity: OpportunityInput?
    /// Owner of the new records; nil keeps the lead's owner (or the converting user).
    public var ownerID: UUID?
    /// Custom field values for the new customer and the new contact (the opportunity's
    /// travel in `opportunity`), e.g. the fields an administrator made required.
    public var customerCustomFields: [String: CustomInput]?
    public var contactCustomFields: [String: CustomInput]?
    public init() {}
}

/// The records a conversion produced.
public struct LeadConversionResult: Sendable {
    public var lead: Lead
    public var customerID: UUID
    public var contactID: UUID?
    public var opportunityID: UUID?
}

/// Records that probably are the lead's company or person already, so conversion can
/// reuse them instead of making duplicates.
public struct LeadMatches: Sendable {
    public struct Match: Sendable, Equatable {
        public var id: UUID
        public var name: String
        /// What matched: company, phone, email, wechat or name.
        public var reasons: [String]
        /// For contacts: the customer they work at.
        public var customerID: UUID?
    }
    public var customers: [Match]
    public var contacts: [Match]
}

/// Turns a qualified lead into a customer, a contact and an opportunity in one
/// transaction, reusing existing records where the user chooses them.
public struct LeadConversion: Sendable {
    package let database: DatabaseService
    package let leads: LeadService
    package let customers: CustomerService
    package let customerQuery: CustomerQuery
    package let contacts: ContactService
    package let contactQuery: ContactQuery
    package let opportunities: OpportunityService
    package let audit: AuditLog
    package let clock: any Clock

    /// Customers and contacts the actor may see that look like the lead's.
    public func matches(for leadID: UUID, by actor: Principal) async throws -> LeadMatches {
        let lead = try await leads.find(leadID, for: actor)
        var customers: [UUID: LeadMatches.Match] = [:]
        var order: [UUID] = []
        func note(_ id: UUID, _ name: String, _ reason: String, customer: UUID? = nil, into table: inout [UUID: LeadMatches.Match], order: inout [UUID]) {
            if table[id] == nil { table[id] = .init(id: id, name: name, reasons: [], customerID: customer); order.append(id) }
            if !table[id]!.reasons.contains(reason) { table[id]!.reasons.append(reason) }
        }
        if actor.scope(for: .read, on: .customers) != nil {
            let probes: [(String, String?)] = [("company", lead.company.map(CompanyName.core)), ("phone", lead.phoneDigits), ("email", lead.email)]
            for (reason, term) in probes {
                guard let term, term.count >= 2 else { continue }
                var filter = CustomerFilter()
                filter.search = term
                filter.limit = 10
                for customer in try await customerQuery.list(filter, for: actor).customers {
                    let exact = switch reason {
                    case "phone": customer.phoneDigits == term
                    case "email": customer.email?.lowercased() == term.lowercased()
                    default: true
                    }
                    if exact { note(customer.id!, customer.name, reason, into: &customers, order: &order) }
                }
            }
        }
        var contacts: [UUID: LeadMatches.Match] = [:]
        var contactOrder: [UUID] = []
        if actor.scope(for: .read, on: .contacts) != nil {
            let probes: [(String, String?)] = [("email", lead.email), ("phone", lead.phoneDigits), ("wechat", lead.wechat), ("name", lead.name)]
            for (reason, term) in probes {
                guard let term, !term.isEmpty else { continue }
                var filter = ContactFilter()
                filter.search = term
                filter.limit = 10
                let found = try await contactQuery.list(filter, for: actor).contacts
                let channels = try await contactQuery.channels(of: found.map { $0.id! })
                for contact in found {
                    let ways = channels[contact.id!] ?? []
                    let exact = switch reason {
                    case "email": ways.contains { $0.kind == .email && $0.value.lowercased() == term.lowercased() }
                    case "phone": ways.contains { $0.kind == .phone && ContactService.normalized($0) == term }
                    case "wechat": contact.wechat?.lowercased() == term.lowercased()
                    // A shared name alone is weak evidence: it counts only at a customer that matched.
                    default: contact.name == term && contact.customerID.map { customers[$0] != nil } == true
                    }
                    if exact { note(contact.id!, contact.name, reason, customer: contact.customerID, into: &contacts, order: &contactOrder) }
                }
            }
        }
        return LeadMatches(customers: order.compactMap { customers[$0] }, contacts: contactOrder.compactMap { contacts[$0] })
    }

    public func convert(_ leadID: UUID, _ input: LeadConversionInput, expectedVersion: Int?, by actor: Principal) async throws -> LeadConversionResult {
        let lead = try await leads.find(leadID, for: actor, action: .update)
        try VersionCheck.require(expectedVersion, current: lead.version, what: "lead")
        guard !lead.isConverted else { throw LeadService.converted }
        let owner = try await checkedOwner(input.ownerID) ?? lead.ownerID ?? (actor.channel == .console ? nil : actor.userID)

        // Everything is checked before anything is written.
        var newCustomer: CustomerService.NewCustomer?
        let customerID: UUID
        if let existing = input.customerID {
            customerID = try await existingRecord { try await customers.find(existing, for: actor) }.orThrow(unknown("customerId")).id!
        } else {
            var c = CustomerInput()
            c.name = input.customerName ?? lead.company ?? lead.name
            c.kind = lead.company == nil && input.customerName == nil ? "person" : "company"
            c.industry = lead.industry
            c.province = lead.province
            c.city = lead.city
            c.source = lead.source
            if lead.company == nil { (c.phone, c.email) = (lead.phone, lead.email) }
            c.ownerID = .some(owner)
            c.customFields = input.customerCustomFields
            let prepared = try await customers.prepare(c, by: actor)
            newCustomer = prepared
            customerID = prepared.id
        }
        var newContact: ContactService.NewContact?
        var contactID: UUID?
        if let existing = input.contactID {
            let contact = try await existingRecord { try await contacts.find(existing, for: actor) }.orThrow(unknown("contactId"))
            // An existing contact goes with the existing customer it works at.
            guard let chosen = input.customerID, contact.customerID == chosen else {
                throw GuanxiError.invalid("contactId", "contactId must be a contact at the chosen customer.").localized("msg.contact_elsewhere", [:])
            }
            contactID = contact.id
        } else if input.createContact {
            var c = ContactInput()
            c.name = lead.name
            c.title = lead.title
            c.wechat = lead.wechat ?? ""
            c.emails = lead.email.map { [ContactChannel(kind: .email, value: $0)] } ?? []
            c.phones = lead.phone.map { [ContactChannel(kind: .phone, value: $0)] } ?? []
            c.ownerID = .some(owner)
            c.customerID = input.customerID.map { .some($0) }
            c.customFields = input.contactCustomFields
            var prepared = try await contacts.prepare(c, by: actor)
            prepared.values.customerID = customerID
            newContact = prepared
            contactID = prepared.id
        }
        var newOpportunity: OpportunityService.NewOpportunity?
        if var o = input.opportunity {
            o.customerID = .some(customerID)
            o.contactID = nil
            if o.name == nil { o.name = lead.company ?? lead.name }
            if o.ownerID == nil { o.ownerID = .some(owner) }
            if o.source == nil { o.source = lead.source }
            newOpportunity = try await opportunities.prepare(o, by: actor, customerPending: newCustomer != nil)
            // The contact may be one this conversion creates, so it is linked, not looked up.
            newOpportunity?.opportunity.contactID = contactID
        }

        let before = lead.auditSnapshot
        let startedFrom = lead.version
        lead.status = "converted"
        lead.convertedCustomerID = customerID
        lead.convertedContactID = contactID
        lead.convertedOpportunityID = newOpportunity?.opportunity.id
        lead.convertedAt = clock.now()
        lead.version += 1
        lead.updatedAt = clock.now()
        let (customerToSave, contactToSave, opportunityToSave) = (newCustomer, newContact, newOpportunity)
        try await database.db.transaction { tx in
            if let newCustomer = customerToSave { try await customers.insert(newCustomer, by: actor, on: tx) }
            if let newContact = contactToSave { try await contacts.insert(newContact, by: actor, on: tx) }
            if let newOpportunity = opportunityToSave { try await opportunities.insert(newOpportunity, by: actor, on: tx) }
            try await VersionCheck.bump("leads", id: leadID, from: startedFrom, on: tx, what: "lead")
            try await lead.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .leads, id: leadID.uuidString, label: lead.name, old: before, new: lead.auditSnapshot)
        }
        return LeadConversionResult(lead: lead, customerID: customerID, contactID: contactID, opportunityID: newOpportunity?.opportunity.id)
    }

    /// A record the actor may read, or nil: a record it may not see is, to it, unknown.
    private func existingRecord<T>(_ load: () async throws -> T) async throws -> T? {
        do { return try await load() } catch let error as GuanxiError where error.kind == .notFound { return nil }
    }

    private func unknown(_ field: String) -> GuanxiError {
        GuanxiError.invalid(field, "\(field) names a record that does not exist or that you may not see.").localized("msg.unknown_reference", ["field": field])
    }

    private func checkedOwner(_ id: UUID?) async throws -> UUID? {
        guard let id else { return nil }
        guard try await User.find(id, on: database.db)?.isActive == true else {
            throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
        }
        return id
    }
}
