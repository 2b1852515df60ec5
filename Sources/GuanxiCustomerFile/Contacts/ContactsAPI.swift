import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Contacts over the REST API.
extension CustomerFileAPI {
    package func listContacts(_ input: Operations.listContacts.Input) async throws -> Operations.listContacts.Output {
        let principal = try RequestPrincipal.require()
        var filter = ContactFilter()
        filter.search = try Validate.text(input.query.q, field: "q", required: false, max: 100)
        filter.customerID = try input.query.customerId.map { try Self.id($0, field: "customerId") }
        filter.sort = input.query.sort.flatMap { ContactFilter.Sort(rawValue: $0.rawValue) } ?? .name
        let q = input.query
        filter.custom = try Self.customFilters(q.cf)
        filter.quality = input.query.quality.flatMap { QualityRule(rawValue: $0.rawValue) }
        filter.qualityCutoff = services.clock.now().addingTimeInterval(-Double(QualityRule.staleDays) * 86_400)
        filter.customSort = q.sortField
        filter.customSortDescending = q.order == .desc

        filter.cursor = input.query.cursor
        if let limit = input.query.limit {
            guard (1...500).contains(limit) else { throw GuanxiError.invalid("limit", "limit must be from 1 to 500.") }
            filter.limit = limit
        }
        let page = try await services.contactQuery.list(filter, for: principal)
        let channels = try await services.contactQuery.channels(of: page.contacts.map { $0.id! })
        let zone = TimeZone(identifier: principal.timeZone) ?? .current
        let custom = try await services.customValues.values(of: .contacts, ids: page.contacts.map { $0.id! })
        let items = page.contacts.map { Self.apiContact($0, channels: channels[$0.id!] ?? [], custom: custom[$0.id!] ?? [:], now: services.clock.now(), zone: zone) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.next))))
    }

    package func createContact(_ input: Operations.createContact.Input) async throws -> Operations.createContact.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let contact = try await services.contacts.create({
            var new = try Self.contactInput(body)
            new.checkDuplicates = !(body.allowDuplicates ?? false)
            return new
        }(), by: principal)
        return .created(.init(headers: .init(ETag: Self.etag(version: contact.version)), body: .json(try await apiContact(contact, for: principal))))
    }

    package func getContact(_ input: Operations.getContact.Input) async throws -> Operations.getContact.Output {
        let principal = try RequestPrincipal.require()
        let contact = try await services.contacts.find(try Self.id(input.path.contactId, field: "contactId"), for: principal)
        return .ok(.init(headers: .init(ETag: Self.etag(version: contact.version)), body: .json(try await apiContact(contact, for: principal))))
    }

    package func updateContact(_ input: Operations.updateContact.Input) async throws -> Operations.updateContact.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.contactId, field: "contactId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let contact = try await Self.precondition {
            try await services.contacts.update(id, try Self.contactInput(body), expectedVersion: expected, by: principal)
        }
        return .ok(.init(headers: .init(ETag: Self.etag(version: contact.version)), body: .json(try await apiContact(contact, for: principal))))
    }

    package func deleteContact(_ input: Operations.deleteContact.Input) async throws -> Operations.deleteContact.Output {
        let principal = try RequestPrincipal.require()
        let id = try Self.id(input.path.contactId, field: "contactId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        try await Self.precondition { try await services.contacts.delete(id, expectedVersion: expected, by: principal) }
        return .noContent(.init())
    }

    package static func contactInput(_ body: Components.Schemas.ContactWrite) throws -> ContactInput {
        var input = ContactInput()
        input.name = body.name
        input.customerID = try clearable(body.customerId, field: "customerId")
        input.title = body.title
        input.department = body.department
        input.reportsToID = try clearable(body.reportsToId, field: "reportsToId")
        input.wechat = body.wechat
        input.birthday = body.birthday
        input.notes = body.notes
        input.ownerID = try clearable(body.ownerId, field: "ownerId")
        input.emails = body.emails?.map { ContactChannel(kind: .email, value: $0.value, label: $0.label) }
        input.phones = body.phones?.map { ContactChannel(kind: .phone, value: $0.value, label: $0.label) }
        input.addresses = body.addresses?.map { ContactChannel(kind: .address, value: $0.value, label: $0.label) }
        input.customFields = try customInputs(body.customFields)
        return input
    }

    package func apiContact(_ contact: Contact, for principal: Principal) async throws -> Components.Schemas.Contact {
        Self.apiContact(contact.values, channels: try await services.contacts.channels(of: contact.id!),
                        custom: try await services.customValues.values(of: .contacts, id: contact.id!), now: services.clock.now(),
                        zone: TimeZone(identifier: principal.timeZone) ?? .current)
    }

    package static func apiContact(_ c: Contact.Values, channels: [ContactChannel], custom: [String: CustomValue], now: Date, zone: TimeZone) -> Components.Schemas.Contact {
        func list(_ kind: ContactChannel.Kind) -> [Components.Schemas.Channel] {
            channels.filter { $0.kind == kind }.map { .init(value: $0.value, label: $0.label) }
        }
        return .init(
            id: c.id!.uuidString, customerId: c.customerID?.uuidString, name: c.name, title: c.title, department: c.department,
            reportsToId: c.reportsToID?.uuidString, wechat: c.wechat, birthday: c.birthday, age: c.age(on: now, timeZone: zone),
            emails: list(.email), phones: list(.phone), addresses: list(.address), notes: c.notes, ownerId: c.ownerID?.uuidString,
            version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, customFields: apiCustomValues(custom))
    }
}
