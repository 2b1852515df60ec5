import Foundation
import GuanxiAPI
import GuanxiPlatform

/// Customers over the REST API. Versions travel as `ETag` / `If-Match`.
extension CustomerFileAPI {
    package func listCustomers(_ input: Operations.listCustomers.Input) async throws -> Operations.listCustomers.Output {
        let principal = try RequestPrincipal.require()
        let q = input.query
        var filter = CustomerFilter()
        filter.search = try Validate.text(q.q, field: "q", required: false, max: 100)
        filter.ownerID = try q.ownerId.map { try Self.id($0, field: "ownerId") }
        filter.inPool = q.pool ?? false
        filter.kind = q.kind?.rawValue
        filter.relationship = q.relationship?.rawValue
        filter.grade = q.grade
        filter.valueTier = q.valueTier?.rawValue
        filter.lifecycleStage = q.lifecycleStage?.rawValue
        filter.segment = q.segment?.rawValue
        filter.province = q.province
        filter.city = q.city
        filter.industry = q.industry
        filter.tag = q.tag
        filter.custom = try Self.customFilters(q.cf)
        filter.quality = input.query.quality.flatMap { QualityRule(rawValue: $0.rawValue) }
        filter.qualityCutoff = services.clock.now().addingTimeInterval(-Double(QualityRule.staleDays) * 86_400)
        filter.customSort = q.sortField
        filter.customSortDescending = q.order == .desc
        filter.sort = q.sort.flatMap { CustomerFilter.Sort(rawValue: $0.rawValue) } ?? .name
        filter.cursor = q.cursor
        filter.limit = try Self.limit(q.limit)
        let page = try await services.customerQuery.list(filter, for: principal)
        let tags = try await CustomerService.tags.members(ofAll: page.customers.map { $0.id! }, as: String.self, on: services.database.db)
        let custom = try await services.customValues.values(of: .customers, ids: page.customers.map { $0.id! })
        return .ok(.init(body: .json(.init(items: page.customers.map { Self.apiCustomer($0, tags: (tags[$0.id!] ?? []).sorted(), custom: custom[$0.id!] ?? [:]) },
                                           nextCursor: page.next))))
    }

    package func createCustomer(_ input: Operations.createCustomer.Input) async throws -> Operations.createCustomer.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let saved = try await services.customers.createSaved({
            var new = try Self.customerInput(body)
            new.checkDuplicates = !(body.allowDuplicates ?? false)
            return new
        }(), by: principal)
        let api = Self.apiCustomer(saved.values, tags: saved.tags, custom: saved.custom.values)
        return .created(.init(headers: .init(ETag: Self.etag(version: saved.values.version)), body: .json(api)))
    }

    package func getCustomer(_ input: Operations.getCustomer.Input) async throws -> Operations.getCustomer.Output {
        let principal = try RequestPrincipal.require()
        let customer = try await services.customers.find(try Self.id(input.path.customerId, field: "customerId"), for: principal)
        let api = try await apiCustomer(customer)
        return .ok(.init(headers: .init(ETag: Self.etag(version: customer.version)), body: .json(api)))
    }

    package func updateCustomer(_ input: Operations.updateCustomer.Input) async throws -> Operations.updateCustomer.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        let id = try Self.id(input.path.customerId, field: "customerId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        let customer = try await Self.precondition {
            try await services.customers.update(id, try Self.customerInput(body), expectedVersion: expected, by: principal)
        }
        let api = try await apiCustomer(customer)
        return .ok(.init(headers: .init(ETag: Self.etag(version: customer.version)), body: .json(api)))
    }

    package func deleteCustomer(_ input: Operations.deleteCustomer.Input) async throws -> Operations.deleteCustomer.Output {
        let principal = try RequestPrincipal.require()
        let id = try Self.id(input.path.customerId, field: "customerId")
        let expected = try Self.expectedVersion(input.headers.If_hyphen_Match)
        try await Self.precondition { try await services.customers.delete(id, expectedVersion: expected, by: principal) }
        return .noContent(.init())
    }

    package func getCustomerHistory(_ input: Operations.getCustomerHistory.Input) async throws -> Operations.getCustomerHistory.Output {
        let principal = try RequestPrincipal.require()
        let customer = try await services.customers.find(try Self.id(input.path.customerId, field: "customerId"), for: principal)
        let entries = try await services.auditQuery.history(kind: .customers, id: customer.id!.uuidString)
        return .ok(.init(body: .json(.init(items: entries.map(Self.apiAuditEntry)))))
    }

    package func claimCustomer(_ input: Operations.claimCustomer.Input) async throws -> Operations.claimCustomer.Output {
        let principal = try RequestPrincipal.require()
        let customer = try await services.customerPool.claim(try Self.id(input.path.customerId, field: "customerId"), by: principal)
        let api = try await apiCustomer(customer)
        return .ok(.init(headers: .init(ETag: Self.etag(version: customer.version)), body: .json(api)))
    }

    package func releaseCustomer(_ input: Operations.releaseCustomer.Input) async throws -> Operations.releaseCustomer.Output {
        let principal = try RequestPrincipal.require()
        let customer = try await services.customerPool.release(try Self.id(input.path.customerId, field: "customerId"), by: principal)
        let api = try await apiCustomer(customer)
        return .ok(.init(headers: .init(ETag: Self.etag(version: customer.version)), body: .json(api)))
    }

    package func getCustomerPoolRules(_ input: Operations.getCustomerPoolRules.Input) async throws -> Operations.getCustomerPoolRules.Output {
        _ = try RequestPrincipal.require()
        let rules = try await services.customerPool.rules()
        return .ok(.init(body: .json(.init(claimLimit: rules.claimLimit, returnAfterDays: rules.returnAfterDays))))
    }

    package func setCustomerPoolRules(_ input: Operations.setCustomerPoolRules.Input) async throws -> Operations.setCustomerPoolRules.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        try await services.customerPool.setRules(PoolRules(claimLimit: body.claimLimit, returnAfterDays: body.returnAfterDays), by: principal)
        let rules = try await services.customerPool.rules()
        return .ok(.init(body: .json(.init(claimLimit: rules.claimLimit, returnAfterDays: rules.returnAfterDays))))
    }

    package func getCustomerGrades(_ input: Operations.getCustomerGrades.Input) async throws -> Operations.getCustomerGrades.Output {
        _ = try RequestPrincipal.require()
        return .ok(.init(body: .json(.init(grades: try await services.settings.customerGrades()))))
    }

    package func setCustomerGrades(_ input: Operations.setCustomerGrades.Input) async throws -> Operations.setCustomerGrades.Output {
        let principal = try RequestPrincipal.require()
        guard case .json(let body) = input.body else { throw GuanxiError(.badRequest, "Send a JSON body.") }
        try await services.settings.setCustomerGrades(body.grades, by: principal)
        return .ok(.init(body: .json(.init(grades: try await services.settings.customerGrades()))))
    }

    /// One customer as the API shows it, with its tags.
    package func apiCustomer(_ customer: Customer) async throws -> Components.Schemas.Customer {
        Self.apiCustomer(customer.values, tags: try await services.customers.tags(of: customer.id!),
                         custom: try await services.customValues.values(of: .customers, id: customer.id!))
    }

    package static func customerInput(_ body: Components.Schemas.CustomerWrite) throws -> CustomerInput {
        var input = CustomerInput()
        input.name = body.name
        input.kind = body.kind
        input.industry = body.industry
        input.size = body.size
        input.province = body.province
        input.city = body.city
        input.district = body.district
        input.address = body.address
        input.postcode = body.postcode
        input.phone = body.phone
        input.email = body.email
        input.website = body.website
        input.externalID = body.externalId
        input.source = body.source
        input.ownerID = try clearable(body.ownerId, field: "ownerId")
        input.grade = body.grade
        input.valueTier = body.valueTier
        input.lifecycleStage = body.lifecycleStage
        input.relationship = body.relationship
        input.parentID = try clearable(body.parentId, field: "parentId")
        input.referredByID = try clearable(body.referredById, field: "referredById")
        input.tags = body.tags
        input.birthday = body.birthday
        input.anniversary = body.anniversary
        input.notes = body.notes
        input.customFields = try customInputs(body.customFields)
        if let c = body.consent {
            for (channel, write) in [(Consent.Channel.email, c.email), (.sms, c.sms), (.phone, c.phone)] {
                if let write { input.consent[channel] = (write.status.rawValue, write.via) }
            }
        }
        return input
    }

    package static func apiCustomer(_ c: Customer.Values, tags: [String], custom: [String: CustomValue]) -> Components.Schemas.Customer {
        func consent(_ channel: Consent.Channel) -> Components.Schemas.ConsentState {
            let value = c.consent(channel)
            return .init(status: .init(rawValue: value.status.rawValue) ?? .unknown, at: value.at, via: value.via)
        }
        return .init(
            id: c.id!.uuidString, name: c.name, kind: .init(rawValue: c.kind) ?? .company, industry: c.industry,
            size: c.size.flatMap { .init(rawValue: $0) }, province: c.province, city: c.city, district: c.district, address: c.address,
            postcode: c.postcode, phone: c.phone, email: c.email, website: c.website, source: c.source, externalId: c.externalID, ownerId: c.ownerID?.uuidString,
            grade: c.grade, valueTier: c.valueTier.flatMap { .init(rawValue: $0) }, lifecycleStage: c.lifecycleStage.flatMap { .init(rawValue: $0) },
            relationship: .init(rawValue: c.relationship) ?? .customer, parentId: c.parentID?.uuidString, referredById: c.referredByID?.uuidString,
            tags: tags, birthday: c.birthday, anniversary: c.anniversary, notes: c.notes,
            consent: .init(email: consent(.email), sms: consent(.sms), phone: consent(.phone)),
            version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, customFields: apiCustomValues(custom))
    }
}
