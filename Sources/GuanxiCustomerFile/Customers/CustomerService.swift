import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// Creating, changing and deleting customers: validation, the permission check, the
/// version check against concurrent edits, and the audit entry, in one transaction.
public struct CustomerService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let writer: RecordWriter
    package let settings: SettingsStore
    package let clock: any Clock
    package let custom: CustomValues

    package static let tags = LinkTable(table: "customer_tags", owner: "customer_id", member: "tag")

    public func create(_ input: CustomerInput, by actor: Principal) async throws -> Customer {
        try await createSaved(input, by: actor).customer
    }

    /// Creates a customer and returns what was saved with it (tags, custom values), so a
    /// caller answering with the whole record need not read it back.
    package func createSaved(_ input: CustomerInput, by actor: Principal) async throws -> NewCustomer {
        let new = try await prepare(input, by: actor)
        do {
            try await writer.create { tx in try await insert(new, by: actor, on: tx) }
        } catch let error as any DatabaseError where error.isConstraintFailure && new.values.externalID != nil {
            // Another request took the same external id between the check and the insert.
            throw GuanxiError(.conflict, "External id \(new.values.externalID!) belongs to another customer already.", field: "externalId")
                .localized("msg.external_id_taken", ["value": new.values.externalID!])
        }
        return new
    }

    /// A new customer that passed every check, ready to be saved (perhaps with other
    /// records in one transaction, as lead conversion does). It is held as plain values,
    /// not as a model, and its row and audit entry are made when it is written: an import
    /// checks the next rows meanwhile, on the other core.
    package struct NewCustomer: Sendable {
        package let values: Customer.Values
        package let tags: [String]
        package let custom: CustomValues.Checked

        package var id: UUID { values.id! }
        /// The customer as the model that answers for it once saved.
        package var customer: Customer { Customer(saved: values) }

        func auditEntry(by writer: RecordWriter, actor: Principal) throws -> AuditLog.Entry {
            try writer.createdEntry(id: id, label: values.name, snapshot: CustomerService.snapshot(values.auditSnapshot, tags: tags, custom: custom.values), by: actor)
        }
    }

    /// The permission check and validation of a new customer; writes nothing.
    package func prepare(_ input: CustomerInput, by actor: Principal) async throws -> NewCustomer {
        try permissions.require(actor, .create, on: .customers)
        guard input.name != nil else { throw GuanxiError.invalid("name", "name is required.").localized("msg.required", ["field": "name"]) }
        let person = actor.channel == .console ? nil : actor.userID
        var customer = Customer.Values.new(owner: person, by: person, at: clock.now())
        try await apply(input, to: &customer, by: actor)
        if input.checkDuplicates {
            let found = try await DuplicateCheck(database: database, permissions: permissions).customers(like: customer, for: actor)
            if !found.isEmpty { throw DuplicateCheck.error(found, kind: .customers) }
        }
        let tags = try CustomerValidate.tags(input.tags ?? []).sorted()
        let checked = try await custom.checked(.customers, sent: input.customFields, current: [:], isNew: true)
        return NewCustomer(values: customer, tags: tags, custom: checked)
    }

    /// Saves a prepared customer and its audit entry inside the caller's transaction.
    package func insert(_ new: NewCustomer, by actor: Principal, on tx: any Database) async throws {
        try await writer.insert(id: new.id, custom: new.custom, entry: try new.auditEntry(by: writer, actor: actor), on: tx) { tx in
            try await new.values.insertRow.run(on: tx)
            try await Self.tags.add(to: new.id, new.tags, on: tx)
        }
    }

    /// Adds many prepared customers to a batch's writes, one statement per table (an
    /// import of companies, and those a contact import creates).
    package func insertAll(_ batch: [NewCustomer], by actor: Principal, to writes: inout BulkWrites) throws {
        guard !batch.isEmpty else { return }
        try PreparedInsert.addAll(batch.map(\.values.insertRow), to: &writes)
        try Self.tags.addAll(batch.map { ($0.id, $0.tags) }, to: &writes)
        for new in batch where new.custom.sent { writes.then { tx in try await CustomValues.save(new.custom, of: new.id, on: tx) } }
        try writer.audit.writeCreated(batch, kind: .customers, id: \.id, entry: { try $0.auditEntry(by: writer, actor: actor) }, to: &writes)
    }

    /// Applies `input` if `expectedVersion` is still current; otherwise answers 409 with
    /// the current version, so nobody silently overwrites a colleague's change.
    /// `alsoIn` runs inside the change's transaction (an import records its progress there).
    public func update(_ id: UUID, _ input: CustomerInput, expectedVersion: Int?, by actor: Principal,
                       alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Customer {
        let customer = try await find(id, for: actor, action: .update)
        try writer.requireVersion(expectedVersion, current: customer.version)
        let oldTags = try await tags(of: id)
        let oldCustom = try await custom.values(of: .customers, id: id)
        let before = Self.snapshot(customer, tags: oldTags, custom: oldCustom)
        var changing = customer  // the model itself: changes to it are what `update(on:)` saves
        try await apply(input, to: &changing, by: actor)
        let newTags = try input.tags.map(CustomerValidate.tags)?.sorted() ?? oldTags
        let newCustom = try await custom.checked(.customers, sent: input.customFields, current: oldCustom, isNew: false)
        let change = RecordWriter.Change(id: id, label: customer.name, version: customer.version, before: before,
                                         after: Self.snapshot(customer, tags: newTags, custom: newCustom.values), custom: newCustom)
        let tagsSent = input.tags != nil
        try await writer.update(change, expectedVersion: expectedVersion, by: actor, save: { tx, stamp in
            (customer.version, customer.updatedAt) = (stamp.version, stamp.at)
            try await customer.update(on: tx)
            if tagsSent { try await Self.tags.replace(of: id, with: newTags, on: tx) }
            return nil
        }, alsoIn: alsoIn)
        return customer
    }

    public func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let customer = try await find(id, for: actor, action: .delete)
        let snapshot = Self.snapshot(customer, tags: try await tags(of: id), custom: try await custom.values(of: .customers, id: id))
        try await writer.delete(id, label: customer.name, version: customer.version, expectedVersion: expectedVersion, snapshot: snapshot, by: actor) { tx in
            try await customer.delete(on: tx)
        }
    }

    /// Deletes many customers at once, each as `delete` does without a version (a revert
    /// of an import: `RecordWriter.delete(_:by:remove:)`). Answers why each one left
    /// standing was left: `notFound` for one gone since or out of the actor's sight.
    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        let (customers, refused) = try await permissions.sift(try await Customer.find(byIDs: ids, on: database.sql), of: ids, actor, .delete, on: .customers,
                                                              notFound: .notFound("Customer"), id: { $0.id! }, owner: \.ownerID)
        let going = customers.map { $0.id! }
        let tags = try await Self.tags.members(ofAll: going, as: String.self, on: database.db)
        let values = try await custom.values(of: .customers, ids: going)
        try await writer.delete(customers.map { customer in
            RecordWriter.Leaving(id: customer.id!, label: customer.name,
                                 snapshot: Self.snapshot(customer, tags: (tags[customer.id!] ?? []).sorted(), custom: values[customer.id!] ?? [:]))
        }, by: actor) { tx, ids in
            try await (tx as! any SQLDatabase).delete(from: Customer.schema).where("id", .in, ids).run()
        }
        return refused
    }

    /// What the audit trail keeps of a customer: its fields, its tags and its custom values.
    package static func snapshot(_ customer: Customer, tags: [String], custom: [String: CustomValue]) -> AuditSnapshot {
        snapshot(customer.auditSnapshot, tags: tags, custom: custom)
    }

    package static func snapshot(_ fields: AuditSnapshot, tags: [String], custom: [String: CustomValue]) -> AuditSnapshot {
        var snapshot = RecordWriter.snapshot(fields, custom: custom)
        snapshot["tags"] = tags.isEmpty ? nil : tags.joined(separator: ", ")
        return snapshot
    }

    /// One customer the principal may reach for `action`; 404 when it may not read it.
    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Customer {
        // Read by hand when only read; a model about to change is read by Fluent, which then saves only what changed.
        let found = action == .read ? try await Customer.find(byID: id, on: database.sql) : try await Customer.find(id, on: database.db)
        guard let customer = found else { throw GuanxiError.notFound("Customer") }
        try await permissions.requireAccess(actor, action, on: .customers, owner: customer.ownerID, notFound: .notFound("Customer"))
        return customer
    }

    public func tags(of id: UUID) async throws -> [String] {
        try await Self.tags.members(of: id, as: String.self, on: database.db).sorted()
    }

    /// Validates every field sent and copies it onto `customer`; throws before anything is written.
    package func apply<Record: CustomerFields>(_ input: CustomerInput, to customer: inout Record, by actor: Principal) async throws {
        if let v = input.name { customer.name = try Validate.requiredText(v, field: "name", max: 200) }
        if let v = input.kind { customer.kind = try CustomerValidate.choice(v, field: "kind", from: CustomerVocabulary.kinds) ?? customer.kind }
        if let v = input.industry { customer.industry = try Validate.text(v, field: "industry", required: false, max: 100) }
        if let v = input.size { customer.size = try CustomerValidate.choice(v, field: "size", from: CustomerVocabulary.sizes) }
        if let v = input.province { customer.province = try Validate.text(v, field: "province", required: false, max: 50) }
        if let v = input.city { customer.city = try Validate.text(v, field: "city", required: false, max: 50) }
        if let v = input.district { customer.district = try Validate.text(v, field: "district", required: false, max: 50) }
        if let v = input.address { customer.address = try Validate.text(v, field: "address", required: false, max: 300) }
        if let v = input.postcode { customer.postcode = try CustomerValidate.postcode(v) }
        if let v = input.phone {
            let phone = try CustomerValidate.phone(v)
            (customer.phone, customer.phoneDigits) = (phone?.text, phone?.digits)
        }
        if let v = input.email { customer.email = try Validate.email(v) }
        if let v = input.website { customer.website = try CustomerValidate.website(v) }
        if let v = input.source { customer.source = try Validate.text(v, field: "source", required: false, max: 100) }
        if let v = input.externalID {
            customer.externalID = try Validate.text(v, field: "externalId", required: false, max: 100)
            if let external = customer.externalID, !input.externalIDKnownFree, let other = try await database.sql.select().columns("name", "owner_id").from("customers")
                .where("external_id", .equal, external).where("id", .notEqual, customer.id).first() {
                // The holder is named only to someone who may read it: to anyone else its
                // name would be a glimpse of a record their scope hides.
                let owner = try other.decode(column: "owner_id", as: UUID?.self)
                let readable = (try? await permissions.ownerFilter(actor, .read, on: .customers))?.allows(owner) == true
                let holder = readable ? try other.decode(column: "name", as: String.self) : "another customer"
                throw GuanxiError(.conflict, "External id \(external) belongs to \(holder) already.", field: "externalId")
                    .localized("msg.external_id_taken", ["value": external])
            }
        }
        if let v = input.grade { customer.grade = try CustomerValidate.choice(v, field: "grade", from: try await settings.customerGrades()) }
        if let v = input.valueTier { customer.valueTier = try CustomerValidate.choice(v, field: "valueTier", from: CustomerVocabulary.valueTiers) }
        if let v = input.lifecycleStage { customer.lifecycleStage = try CustomerValidate.choice(v, field: "lifecycleStage", from: CustomerVocabulary.lifecycleStages) }
        if let v = input.relationship {
            customer.relationship = try CustomerValidate.choice(v, field: "relationship", from: CustomerVocabulary.relationships) ?? customer.relationship
        }
        if let v = input.birthday { customer.birthday = try CustomerValidate.date(v, field: "birthday", notAfter: clock.now()) }
        if let v = input.anniversary { customer.anniversary = try CustomerValidate.date(v, field: "anniversary") }
        if let v = input.notes { customer.notes = try Validate.text(v, field: "notes", required: false, max: 5000) ?? "" }
        for (channel, change) in input.consent {
            guard let status = Consent.Status(rawValue: change.status) else {
                throw GuanxiError.invalid("consent.\(channel.rawValue)", "consent.\(channel.rawValue) must be unknown, opted_in or opted_out.")
                    .localized("msg.choice", ["field": "consent", "choices": "unknown, opted_in, opted_out"])
            }
            let via = try Validate.text(change.via, field: "consent.\(channel.rawValue).via", required: false, max: 100)
            if status != customer.consent(channel).status || via != customer.consent(channel).via {
                customer.setConsent(Consent(status: status, at: status == .unknown ? nil : clock.now(), via: via), for: channel)
            }
        }
        if let owner = input.ownerID { customer.ownerID = try await checkedOwner(owner) }
        if let parent = input.parentID { customer.parentID = try await checkedRelative(parent, field: "parentId", of: customer.id, by: actor) }
        if let referrer = input.referredByID { customer.referredByID = try await checkedRelative(referrer, field: "referredById", of: customer.id, by: actor) }
        customer.refreshSearchText()
    }

    private func checkedOwner(_ owner: UUID?) async throws -> UUID? {
        guard let owner else { return nil }
        guard let user = try await User.find(owner, on: database.db), user.isActive else {
            throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
        }
        return user.id
    }

    /// A related customer must exist, be visible to the actor, and (for parents) not
    /// make the customer its own ancestor.
    private func checkedRelative(_ id: UUID?, field: String, of customer: UUID?, by actor: Principal) async throws -> UUID? {
        guard let id else { return nil }
        let unknown = GuanxiError.invalid(field, "\(field) names a customer that does not exist or that you may not see.")
            .localized("msg.unknown_reference", ["field": field])
        guard id != customer else { throw unknown }
        let related = try? await find(id, for: actor)
        guard let related else { throw unknown }
        if field == "parentId" {
            var step = related.parentID
            var seen: Set<UUID> = []
            while let current = step, !seen.contains(current) {
                if current == customer {
                    throw GuanxiError.invalid(field, "parentId would make the customer its own parent company.").localized("msg.customer_cycle", [:])
                }
                seen.insert(current)
                step = try await Customer.find(current, on: database.db)?.parentID
            }
        }
        return id
    }
}
