import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// What a client may send to create or change a contact: `nil` keeps a field, an empty
/// string clears it, and a channel list (e-mails, phones, addresses) replaces the old one.
public struct ContactInput: Sendable {
    public var name: String?
    public var customerID: UUID??
    public var title: String?
    public var department: String?
    public var reportsToID: UUID??
    public var wechat: String?
    public var birthday: String?
    public var notes: String?
    public var ownerID: UUID??
    public var emails: [ContactChannel]?
    public var phones: [ContactChannel]?
    public var addresses: [ContactChannel]?
    /// Custom field values by key; a key left out keeps its value.
    public var customFields: [String: CustomInput]?
    /// On create: refuse (409 `probable_duplicate`) when a readable contact has one of the
    /// same phones or e-mails, or the same name at the same customer.
    public var checkDuplicates = false
    public init() {}
}

/// Creating, changing and deleting contacts, with the same guarantees as customers:
/// validation first, the permission check, the version check, and the audit entry.
public struct ContactService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let writer: RecordWriter
    package let customers: CustomerService
    package let clock: any Clock
    package let custom: CustomValues

    public func create(_ input: ContactInput, by actor: Principal) async throws -> Contact {
        let new = try await prepare(input, by: actor)
        try await writer.create { tx in try await insert(new, by: actor, on: tx) }
        return new.contact
    }

    /// A new contact that passed every check, ready to be saved. It is held as plain
    /// values, not as a model, and its rows and audit entry are made when it is written:
    /// an import checks the next rows meanwhile, on the other core.
    package struct NewContact: Sendable {
        package var values: Contact.Values
        package let channels: CheckedChannels
        package let custom: CustomValues.Checked

        package var id: UUID { values.id! }
        /// The contact as the model that answers for it once saved.
        package var contact: Contact { Contact(saved: values) }

        func auditEntry(by writer: RecordWriter, actor: Principal) throws -> AuditLog.Entry {
            try writer.createdEntry(id: id, label: values.name,
                                    snapshot: RecordWriter.snapshot(ContactService.snapshot(values.auditSnapshot, channels.list), custom: custom.values), by: actor)
        }
    }

    /// The permission check and validation of a new contact; writes nothing.
    package func prepare(_ input: ContactInput, by actor: Principal, known: KnownCustomers? = nil) async throws -> NewContact {
        try permissions.require(actor, .create, on: .contacts)
        guard input.name != nil else { throw GuanxiError.invalid("name", "name is required.").localized("msg.required", ["field": "name"]) }
        let person = actor.channel == .console ? nil : actor.userID
        var contact = Contact.Values.new(by: person, at: clock.now())
        try await apply(input, to: &contact, by: actor, known: known)
        if input.ownerID == nil {
            // A contact follows its customer's owner, so the account team sees its people.
            var customerOwner: UUID?
            if let customerID = contact.customerID {
                if let cached = known?.owner(of: customerID) { customerOwner = cached }
                else { customerOwner = try await Customer.find(customerID, on: database.db)?.ownerID }
            }
            contact.ownerID = customerOwner ?? person
        }
        let channels = try Self.checkedChannels(input, current: [])
        contact.refreshSearchText(reachedBy: channels.searchable)
        if input.checkDuplicates {
            let found = try await DuplicateCheck(database: database, permissions: permissions).contacts(like: contact, channels: channels.list, for: actor)
            if !found.isEmpty { throw DuplicateCheck.error(found, kind: .contacts) }
        }
        return NewContact(values: contact, channels: channels,
                          custom: try await custom.checked(.contacts, sent: input.customFields, current: [:], isNew: true))
    }

    /// Saves a prepared contact and its audit entry inside the caller's transaction.
    package func insert(_ new: NewContact, by actor: Principal, on tx: any Database) async throws {
        try await writer.insert(id: new.id, custom: new.custom, entry: try new.auditEntry(by: writer, actor: actor), on: tx) { tx in
            try await new.values.insertRow.run(on: tx)
            try await Self.replaceChannels(of: new.id, with: new.channels.list, on: tx)
        }
    }

    /// Adds many prepared contacts to a batch's writes, one statement per table (an
    /// import of a million cards is mostly this).
    package func insertAll(_ batch: [NewContact], by actor: Principal, to writes: inout BulkWrites) throws {
        guard !batch.isEmpty else { return }
        try PreparedInsert.addAll(batch.map(\.values.insertRow), to: &writes)
        try writes.insert(into: "contact_channels", columns: Self.channelColumns, rows: batch.flatMap { new in
            zip(new.channels.list, new.channels.apart).enumerated().map { position, written in
                let (channel, apart) = written
                return [BulkValue(new.values.id), BulkValue(position), BulkValue(channel.kind.rawValue), BulkValue(channel.label), BulkValue(channel.value),
                        BulkValue(apart)]
            }
        })
        for new in batch where new.custom.sent { writes.then { tx in try await CustomValues.save(new.custom, of: new.id, on: tx) } }
        try writer.audit.writeCreated(batch, kind: .contacts, id: \.id, entry: { try $0.auditEntry(by: writer, actor: actor) }, to: &writes)
    }

    /// `alsoIn` runs inside the change's transaction (an import records its progress there).
    public func update(_ id: UUID, _ input: ContactInput, expectedVersion: Int?, by actor: Principal,
                       alsoIn: (@Sendable (any Database) async throws -> Void)? = nil) async throws -> Contact {
        let contact = try await find(id, for: actor, action: .update)
        try writer.requireVersion(expectedVersion, current: contact.version)
        let oldChannels = try await channels(of: id)
        let oldCustom = try await custom.values(of: .contacts, id: id)
        let before = Self.snapshot(contact, oldChannels, custom: oldCustom)
        var changing = contact  // the model itself: changes to it are what `update(on:)` saves
        try await apply(input, to: &changing, by: actor)
        let newChannels = try Self.channels(input, current: oldChannels)
        contact.refreshSearchText(newChannels)
        let newCustom = try await custom.checked(.contacts, sent: input.customFields, current: oldCustom, isNew: false)
        let change = RecordWriter.Change(id: id, label: contact.name, version: contact.version, before: before,
                                         after: Self.snapshot(contact, newChannels, custom: newCustom.values), custom: newCustom)
        try await writer.update(change, expectedVersion: expectedVersion, by: actor, save: { tx, stamp in
            (contact.version, contact.updatedAt) = (stamp.version, stamp.at)
            try await contact.update(on: tx)
            try await Self.replaceChannels(of: id, with: newChannels, on: tx)
            return nil
        }, alsoIn: alsoIn)
        return contact
    }

    public func delete(_ id: UUID, expectedVersion: Int?, by actor: Principal) async throws {
        let contact = try await find(id, for: actor, action: .delete)
        let snapshot = Self.snapshot(contact, try await channels(of: id), custom: try await custom.values(of: .contacts, id: id))
        try await writer.delete(id, label: contact.name, version: contact.version, expectedVersion: expectedVersion, snapshot: snapshot, by: actor) { tx in
            try await contact.delete(on: tx)
        }
    }

    /// Deletes many contacts at once, each as `delete` does without a version (a revert of
    /// an import: `RecordWriter.delete(_:by:remove:)`). Answers why each one left standing
    /// was left: `notFound` for one gone since or out of the actor's sight.
    package func delete(_ ids: [UUID], by actor: Principal) async throws -> [UUID: GuanxiError] {
        let (contacts, refused) = try await permissions.sift(try await Contact.find(byIDs: ids, on: database.sql), of: ids, actor, .delete, on: .contacts,
                                                             notFound: .notFound("Contact"), id: { $0.id! }, owner: \.ownerID)
        let going = contacts.map { $0.id! }
        let (ways, values) = (try await channels(ofAll: going), try await custom.values(of: .contacts, ids: going))
        try await writer.delete(contacts.map { contact in
            RecordWriter.Leaving(id: contact.id!, label: contact.name,
                                 snapshot: Self.snapshot(contact, ways[contact.id!] ?? [], custom: values[contact.id!] ?? [:]))
        }, by: actor) { tx, ids in
            try await (tx as! any SQLDatabase).delete(from: Contact.schema).where("id", .in, ids).run()
        }
        return refused
    }

    public func find(_ id: UUID, for actor: Principal, action: PermissionAction = .read) async throws -> Contact {
        // Read by hand when only read; a model about to change is read by Fluent, which then saves only what changed.
        let found = action == .read ? try await Contact.find(byID: id, on: database.sql) : try await Contact.find(id, on: database.db)
        guard let contact = found else { throw GuanxiError.notFound("Contact") }
        try await permissions.requireAccess(actor, action, on: .contacts, owner: contact.ownerID, notFound: .notFound("Contact"))
        return contact
    }

    public func channels(of id: UUID) async throws -> [ContactChannel] {
        try await channels(ofAll: [id])[id] ?? []
    }

    /// The phones, e-mails and addresses of many contacts, each contact's in its order.
    package func channels(ofAll ids: [UUID]) async throws -> [UUID: [ContactChannel]] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: [ContactChannel]] = [:]
        for row in try await database.sql.select().columns("contact_id", "kind", "label", "value").from("contact_channels").where("contact_id", .in, ids)
            .orderBy("contact_id").orderBy("kind").orderBy("position").all() {
            guard let kind = ContactChannel.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            out[try row.decode(column: "contact_id", as: UUID.self), default: []]
                .append(ContactChannel(kind: kind, value: try row.decode(column: "value", as: String.self), label: try row.decode(column: "label", as: String?.self)))
        }
        return out
    }

    package func apply(_ input: ContactInput, to contact: inout some ContactFields, by actor: Principal, known: KnownCustomers? = nil) async throws {
        if let v = input.name { contact.name = try Validate.requiredText(v, field: "name", max: 100) }
        if let v = input.title { contact.title = try Validate.text(v, field: "title", required: false, max: 100) }
        if let v = input.department { contact.department = try Validate.text(v, field: "department", required: false, max: 100) }
        if let v = input.wechat { contact.wechat = try Self.wechat(v) }
        if let v = input.birthday { contact.birthday = try CustomerValidate.date(v, field: "birthday", notAfter: clock.now()) }
        if let v = input.notes { contact.notes = try Validate.text(v, field: "notes", required: false, max: 5000) ?? "" }
        if let customer = input.customerID {
            if let id = customer, known?.owner(of: id) == nil {
                guard let found = try? await customers.find(id, for: actor) else {
                    throw GuanxiError.invalid("customerId", "customerId names a customer that does not exist or that you may not see.")
                        .localized("msg.unknown_reference", ["field": "customerId"])
                }
                known?.remember(id, owner: found.ownerID)
            }
            contact.customerID = customer
        }
        if let owner = input.ownerID {
            if let id = owner, (try await User.find(id, on: database.db))?.isActive != true {
                throw GuanxiError.invalid("ownerId", "ownerId does not name an active user.").localized("msg.unknown_reference", ["field": "ownerId"])
            }
            contact.ownerID = owner
        }
        if let boss = input.reportsToID { contact.reportsToID = try await checkedManager(boss, of: contact, by: actor) }
    }

    /// The person a contact reports to works at the same customer, is visible to the
    /// actor, and is not someone who (directly or not) reports to the contact.
    private func checkedManager(_ id: UUID?, of contact: some ContactFields, by actor: Principal) async throws -> UUID? {
        guard let id else { return nil }
        let invalid = GuanxiError.invalid("reportsToId", "reportsToId must name another contact at the same customer.")
            .localized("msg.reports_to", [:])
        guard id != contact.id, let boss = try? await find(id, for: actor), boss.customerID == contact.customerID, contact.customerID != nil else { throw invalid }
        var step = boss.reportsToID
        var seen: Set<UUID> = []
        while let current = step, !seen.contains(current) {
            if current == contact.id { throw invalid }
            seen.insert(current)
            step = try await Contact.find(current, on: database.db)?.reportsToID
        }
        return id
    }

    /// WeChat IDs: 6–20 letters, digits, '_' or '-', starting with a letter.
    package static func wechat(_ value: String) throws -> String? {
        guard let id = try Validate.text(value, field: "wechat", required: false, max: 20) else { return nil }
        guard id.count >= 6, id.first!.isASCII, id.first!.isLetter,
              id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { throw GuanxiError.invalid("wechat", "wechat is not a WeChat ID (6–20 letters, digits, _ or -, starting with a letter).").localized("msg.wechat", [:]) }
        return id
    }

    /// The validated channel list after `input`: lists sent replace those of their kind.
    package static func channels(_ input: ContactInput, current: [ContactChannel]) throws -> [ContactChannel] {
        try checkedChannels(input, current: current).list
    }

    /// A contact's checked phones, e-mails and addresses, each with its normal form, worked
    /// out once: the duplicate test among them, the search text and the channels' rows all
    /// read it (an import checks a million contacts).
    package struct CheckedChannels: Sendable {
        package private(set) var list: [ContactChannel] = []
        package private(set) var normals: [String] = []

        /// Adds a channel unless one of its kind with the same normal form is there already.
        mutating func add(_ channel: ContactChannel) {
            let normal = ContactService.normalized(channel)
            guard !zip(list, normals).contains(where: { $0.kind == channel.kind && $1 == normal }) else { return }
            list.append(channel)
            normals.append(normal)
        }

        /// Keeps a channel already on file as it is.
        mutating func keep(_ channel: ContactChannel) {
            list.append(channel)
            normals.append(ContactService.normalized(channel))
        }

        /// The normal forms a search finds the contact by: its e-mails' and phones'.
        package var searchable: [String] { zip(list, normals).compactMap { $0.kind == .address ? nil : $1 } }

        /// What each channel's row stores of its normal form (`normalizedApart`).
        package var apart: [String?] { zip(list, normals).map { $1 == $0.value ? nil : $1 } }
    }

    /// `channels`, with each channel's normal form.
    package static func checkedChannels(_ input: ContactInput, current: [ContactChannel]) throws -> CheckedChannels {
        var out = CheckedChannels()
        for kind in ContactChannel.Kind.allCases {
            let sent: [ContactChannel]? = switch kind {
            case .email: input.emails
            case .phone: input.phones
            case .address: input.addresses
            }
            guard let sent else { current.filter { $0.kind == kind }.forEach { out.keep($0) }; continue }
            let field = "\(kind.rawValue)s"
            guard sent.count <= 10 else {
                throw GuanxiError.invalid(field, "\(field) can hold at most 10 entries.").localized("msg.too_many", ["field": field, "max": "10"])
            }
            for (index, channel) in sent.enumerated() {
                let at = "\(field)[\(index)]"
                let label = try Validate.text(channel.label, field: "\(at).label", required: false, max: 20)
                let value: String? = switch kind {
                case .email: try Validate.email(channel.value, field: at, required: false)
                case .phone: try CustomerValidate.phone(channel.value, field: at)?.text
                case .address: try Validate.text(channel.value, field: at, required: false, max: 300)
                }
                if let value { out.add(ContactChannel(kind: kind, value: value, label: label)) }
            }
        }
        return out
    }

    package static func normalized(_ channel: ContactChannel) -> String {
        switch channel.kind {
        case .email: channel.value.lowercased()
        case .phone: channel.value.asciiDigits
        case .address: channel.value.lowercased()
        }
    }

    /// What a channel's row stores of its normal form: nothing when it is the value as
    /// typed, as almost every e-mail is; the table computes `normalized` from the two
    /// (migration 0053).
    package static func normalizedApart(_ channel: ContactChannel) -> String? {
        let normal = normalized(channel)
        return normal == channel.value ? nil : normal
    }

    /// The columns a channel's row is written with (its normal form as `normalizedApart`
    /// gives it); every writer binds its values in this order.
    package static let channelColumns = ["contact_id", "position", "kind", "label", "value", "normalized_apart"]

    package static func replaceChannels(of id: UUID, with channels: [ContactChannel], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: "contact_channels").where("contact_id", .equal, id).run()
        for (position, channel) in channels.enumerated() {
            try await sql.insert(into: "contact_channels").columns(channelColumns)
                .values(SQLBind(id), SQLBind(position), SQLBind(channel.kind.rawValue), SQLBind(channel.label), SQLBind(channel.value), SQLBind(normalizedApart(channel)))
                .run()
        }
    }

    package static func snapshot(_ contact: Contact, _ channels: [ContactChannel]) -> AuditSnapshot {
        snapshot(contact.auditSnapshot, channels)
    }

    /// What the audit trail keeps of a contact: its fields, its phones, e-mails and
    /// addresses, and its custom values.
    package static func snapshot(_ contact: Contact, _ channels: [ContactChannel], custom: [String: CustomValue]) -> AuditSnapshot {
        RecordWriter.snapshot(snapshot(contact.auditSnapshot, channels), custom: custom)
    }

    /// A contact's audit snapshot (its fields' part) with its phones, e-mails and addresses.
    package static func snapshot(_ fields: AuditSnapshot, _ channels: [ContactChannel]) -> AuditSnapshot {
        var out = fields
        for kind in ContactChannel.Kind.allCases {
            let values = channels.filter { $0.kind == kind }.map { ($0.label.map { "\($0): " } ?? "") + $0.value }
            out["\(kind.rawValue)s"] = values.isEmpty ? nil : values.joined(separator: "; ")
        }
        return out
    }
}
