import FluentKit
import Foundation
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// `guanxi demo`: fills an empty database with a believable, bilingual customer file —
/// sales departments and people, customers across ten cities and ten industries, their
/// contacts and organisation charts, leads in every status, and opportunities over two
/// pipelines and two years — so a new user sees a living CRM at once. The same
/// generator, with larger numbers, produces the volume for benchmarks.
public struct DemoData: Sendable {
    let services: AppServices

    public init(services: AppServices) { self.services = services }

    public struct Summary: Sendable, Equatable {
        public var users: Int
        public var customers: Int
        public var contacts: Int
        public var leads: Int
        public var opportunities: Int
        public var activities: Int
        public var purchases: Int
    }

    /// Writes in batches inside transactions: each batch is all in or all out.
    static let batchSize = 500

    /// `leadsPerCustomer` is in percent (50: one lead for every two customers); each
    /// customer gets 0–2 opportunities, one on average.
    public func load(customers customerCount: Int, contactsPerCustomer: Int, leadsPerCustomer: Int = 50, activitiesPerCustomer: Int = 4, seed: UInt64 = 2026,
                     progress: (@Sendable (Int) -> Void)? = nil) async throws -> Summary {
        guard (1...5_000_000).contains(customerCount) else { throw GuanxiError.invalid("customers", "--customers must be from 1 to 5000000.") }
        guard (0...50).contains(contactsPerCustomer) else { throw GuanxiError.invalid("contacts", "--contacts-per-customer must be from 0 to 50.") }
        guard (0...100).contains(activitiesPerCustomer) else { throw GuanxiError.invalid("activities", "--activities-per-customer must be from 0 to 100.") }
        guard (0...1000).contains(leadsPerCustomer) else { throw GuanxiError.invalid("leads", "--leads-per-hundred must be from 0 to 1000.") }
        let existing = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM customers").first(decodingColumn: "n", as: Int.self) ?? 0
        guard existing == 0 else {
            throw GuanxiError(.conflict, "The database already holds \(existing) customers; demo data goes into an empty customer file only.")
        }
        let console = PrincipalLoader.console()
        let owners = try await salesTeam(by: console)
        let pipelines = try await demoPipelines(by: console)
        let competitors = try await demoCompetitors(by: console)
        try await demoTemplates(by: console)
        var random = SeededRandom(seed: seed)
        var purchaseRandom = SeededRandom(seed: seed ^ 0x5EED_0F_5A1E5)
        let now = services.clock.now()
        var customersDone = 0, contactsDone = 0, leadsDone = 0, dealsDone = 0, activitiesDone = 0, purchasesDone = 0
        while customersDone < customerCount {
            let size = min(Self.batchSize, customerCount - customersDone)
            var customerRows: [[any SQLExpression]] = []
            var tagRows: [[any SQLExpression]] = []
            var contactRows: [[any SQLExpression]] = []
            var channelRows: [[any SQLExpression]] = []
            var dealRows: [[any SQLExpression]] = [], historyRows: [[any SQLExpression]] = [], rivalRows: [[any SQLExpression]] = []
            var leadRows: [[any SQLExpression]] = []
            var activityRows: [[any SQLExpression]] = [], commitmentRows: [[any SQLExpression]] = []
            var purchaseRows: [[any SQLExpression]] = []
            for index in 0..<size {
                let c = makeCustomer(number: customersDone + index, owners: owners, random: &random, now: now)
                customerRows.append(c.row)
                purchaseRows += makePurchases(for: c, number: customersDone + index, random: &purchaseRandom, now: now)
                tagRows += c.tags.map { [SQLBind(c.id), SQLBind($0)] }
                var boss: UUID?
                for n in 0..<contactsPerCustomer {
                    let person = makeContact(at: c, reportsTo: n == 0 ? nil : boss, random: &random, now: now)
                    if n == 0 { boss = person.id }
                    contactRows.append(person.row)
                    channelRows += person.channels
                }
                var lastDeal: UUID?
                for _ in 0..<Int(random.next() % 3) {
                    let deal = makeOpportunity(at: c, contact: boss, pipelines: pipelines, competitors: competitors, random: &random, now: now)
                    dealRows.append(deal.row)
                    historyRows += deal.history
                    rivalRows += deal.competitors
                    lastDeal = deal.id
                }
                for _ in 0..<activitiesPerCustomer {
                    let activity = makeActivity(at: c, contact: boss, deal: lastDeal, random: &random, now: now)
                    activityRows.append(activity.row)
                    commitmentRows += activity.commitments
                }
                // Leads accrue at the chosen rate; one in ten is a converted one, pointing at this customer.
                if (customersDone + index + 1) * leadsPerCustomer / 100 > (customersDone + index) * leadsPerCustomer / 100 {
                    leadRows.append(makeLead(number: leadsDone + leadRows.count, owners: owners, convertedInto: random.chance(10) ? c : nil,
                                             random: &random, now: now))
                }
            }
            let batch = [("customers", Self.customerColumns, customerRows), ("customer_tags", ["customer_id", "tag"], tagRows),
                         ("contacts", Self.contactColumns, contactRows),
                         ("contact_channels", ContactService.channelColumns, channelRows),
                         ("opportunities", Self.opportunityColumns, dealRows), ("opportunity_stage_history", Self.stageHistoryColumns, historyRows),
                         ("opportunity_competitors", ["opportunity_id", "competitor_id"], rivalRows), ("leads", Self.leadColumns, leadRows),
                         ("activities", Self.activityColumns, activityRows), ("commitments", Self.commitmentColumns, commitmentRows),
                         ("purchases", Self.purchaseColumns, purchaseRows)]
            try await services.database.db.transaction { tx in
                for (table, columns, rows) in batch { try await Self.insert(tx as! any SQLDatabase, table, columns, rows) }
            }
            customersDone += size
            contactsDone += contactRows.count
            leadsDone += leadRows.count
            dealsDone += dealRows.count
            activitiesDone += activityRows.count
            purchasesDone += purchaseRows.count
            progress?(customersDone)
        }
        try await services.audit.record(on: services.database.db, actor: console, action: .create, kind: .customers, id: "demo",
                                        label: "demo data", changes: [FieldChange(field: "customers", old: nil, new: String(customersDone)),
                                                                      FieldChange(field: "contacts", old: nil, new: String(contactsDone)),
                                                                      FieldChange(field: "leads", old: nil, new: String(leadsDone)),
                                                                      FieldChange(field: "opportunities", old: nil, new: String(dealsDone)),
                                                                      FieldChange(field: "activities", old: nil, new: String(activitiesDone)),
                                                                      FieldChange(field: "purchases", old: nil, new: String(purchasesDone))])
        return Summary(users: owners.count, customers: customersDone, contacts: contactsDone, leads: leadsDone, opportunities: dealsDone,
                       activities: activitiesDone, purchases: purchasesDone)
    }

    /// A marketing e-mail and a transactional text, so the templates, the previews and the
    /// mail merge have something to show.
    private func demoTemplates(by console: Principal) async throws {
        for (name, channel, purpose, subject, body) in [
            ("年终回馈", "email", "marketing", "{{customer.name}}：年终回馈活动邀请",
             "尊敬的{{recipient.name}}：\n\n感谢一年来对我们的支持。{{#customer.city}}{{customer.city}}的{{/customer.city}}客户可参加本月的回馈活动，详情请联系{{owner.name}}。\n\n{{me.name}}\n{{today}}"),
            ("发货通知", "sms", "transactional", "", "{{recipient.name}}您好，您的订单已发货，如有问题请联系{{owner.name}}。"),
        ] {
            var input = MessageTemplateInput()
            (input.name, input.channel, input.purpose, input.language, input.subject, input.body) = (name, channel, purpose, "zh-Hans", subject, body)
            _ = try await services.messageTemplates.create(input, by: console)
        }
    }

    /// Sales departments, a manager and reps with matching roles; returns the owners to spread customers over.
    private func salesTeam(by console: Principal) async throws -> [UUID] {
        let departments = services.departments
        let sales = try await departments.create(name: "销售中心", parentID: nil, by: console)
        let east = try await departments.create(name: "华东销售部", parentID: sales.id, by: console)
        let north = try await departments.create(name: "华北销售部", parentID: sales.id, by: console)
        let rep = try await services.roles.create(name: "销售代表", description: "Works on own customers and contacts; sees the shared pool.", grants: [
            "customers": Grant(actions: [.read, .create, .update], scope: .own), "contacts": Grant(actions: [.read, .create, .update], scope: .own),
            "leads": Grant(actions: [.read, .create, .update], scope: .own), "opportunities": Grant(actions: [.read, .create, .update], scope: .own),
            "activities": Grant(actions: [.read, .create, .update, .delete], scope: .own),
            // Reps send the team's templates to their own customers.
            "templates": Grant(actions: [.read], scope: .all), "outbox": Grant(actions: [.create], scope: .own),
        ], by: console)
        let manager = try await services.roles.create(name: "销售经理", description: "Sees the work of everyone reporting to them.", grants: [
            "customers": Grant(actions: [.read, .create, .update, .delete, .export], scope: .subordinates),
            "contacts": Grant(actions: [.read, .create, .update, .delete, .export], scope: .subordinates),
            "leads": Grant(actions: [.read, .create, .update, .delete, .export], scope: .subordinates),
            "opportunities": Grant(actions: [.read, .create, .update, .delete, .export], scope: .subordinates),
            "activities": Grant(actions: [.read, .create, .update, .delete, .export], scope: .subordinates),
            "users": Grant(actions: [.read], scope: .subordinates),
            "templates": Grant(actions: [.read, .create, .update, .delete], scope: .all), "outbox": Grant(actions: [.create], scope: .subordinates),
        ], by: console)
        // Each demo user gets a password of their own: one shared password — least of all the
        // administrator's — would let anyone who learns it sign in as everyone.
        var passwords: [(username: String, password: String)] = []
        func person(_ username: String, _ name: String, department: UUID?, manager boss: UUID?, role: UUID) async throws -> UUID {
            var input = UserService.NewUser()
            input.username = username
            input.displayName = name
            // The team works in Chinese, in China's time, except its English-speaking colleague.
            input.locale = username == "emma.smith" ? "en" : "zh-Hans"
            input.timeZone = "Asia/Shanghai"
            let password = Passwords.generate()
            input.password = password
            passwords.append((username, password))
            input.departmentID = department
            input.managerID = boss
            input.roleIDs = [role]
            return try await services.users.create(input, by: console).id!
        }
        let head = try await person("zhou.min", "周敏", department: sales.id, manager: nil, role: manager.id!)
        let eastLead = try await person("chen.jie", "陈杰", department: east.id, manager: head, role: manager.id!)
        let northLead = try await person("li.na", "李娜", department: north.id, manager: head, role: manager.id!)
        var reps = [eastLead, northLead]
        for (username, name, lead, department) in [("wang.lei", "王磊", eastLead, east.id), ("zhao.yang", "赵洋", eastLead, east.id),
                                                   ("emma.smith", "Emma Smith", northLead, north.id), ("sun.tao", "孙涛", northLead, north.id)] {
            reps.append(try await person(username, name, department: department, manager: lead, role: rep.id!))
        }
        Runtime.say("Demo sales team created; each signs in with the password beside their name and chooses a new one:")
        for (username, password) in passwords { Runtime.say("  \(username)  \(password)") }
        return reps
    }

    struct MadeCustomer: Sendable { let id: UUID; let name: String; let domain: String; let area: String; let row: [any SQLExpression]; let tags: [String]; let ownerID: UUID? }

    static let customerColumns = ["id", "name", "kind", "industry", "size", "province", "city", "district", "address", "postcode", "phone", "phone_digits",
                                  "email", "website", "source", "owner_id", "grade", "value_tier", "lifecycle_stage", "relationship", "notes",
                                  "consent_email", "consent_sms", "consent_phone", "version", "created_at", "updated_at", "search_text", "name_key", "name_sort"]

    private func makeCustomer(number: Int, owners: [UUID], random: inout SeededRandom, now: Date) -> MadeCustomer {
        let place = random.pick(DemoNames.cities)
        let industry = random.pick(DemoNames.industries)
        let english = random.chance(8)
        let brandIndex = Int(random.next() % UInt64(DemoNames.brand.count))
        let name = english
            ? "\(random.pick(DemoNames.englishCompanies)) \(random.pick(DemoNames.englishForms))"
            : "\(place.city.replacingOccurrences(of: "市", with: ""))\(DemoNames.brand[brandIndex])\(industry.word)\(random.pick(DemoNames.legalForms))"
        let label = number >= 1000 ? "\(name) \(number)" : name
        let domain = "\(DemoNames.pinyin[brandIndex % DemoNames.pinyin.count])\(number).cn"
        let phone = "\(place.area)-\(random.digits(4)) \(random.digits(4))"
        let owner: UUID? = random.chance(12) ? nil : random.pick(owners)
        let stage = random.pick(CustomerVocabulary.lifecycleStages)
        let created = now.addingTimeInterval(-Double(random.next() % (730 * 86_400)))
        let id = UUID()
        let kind = english || random.chance(85) ? "company" : "person"
        let values: [(any Encodable & Sendable)?] = [
            id, label, kind, industry.name, random.pick(CustomerVocabulary.sizes),
            place.province, place.city, random.pick(place.districts), "\(random.pick(place.districts))\(random.digits(2))号", random.digits(6),
            phone, phone.filter(\.isNumber), "info@\(domain)", "https://www.\(domain)", random.pick(DemoNames.sources), owner,
            random.pick(CustomerVocabulary.defaultGrades), random.pick(CustomerVocabulary.valueTiers), stage,
            random.chance(90) ? "customer" : random.pick(CustomerVocabulary.relationships), "", random.chance(60) ? "opted_in" : "unknown",
            random.chance(20) ? "opted_out" : "unknown", "unknown", 1, created, created,
            SQLSearch.text([label, "info@\(domain)", "https://www.\(domain)", phone.filter(\.isNumber)]), CompanyName.core(label),
            Pinyin.sortKey(label, person: kind == "person"),
        ]
        let tags = random.chance(50) ? Array(Set([random.pick(DemoNames.tags), random.pick(DemoNames.tags)])) : []
        return MadeCustomer(id: id, name: label, domain: domain, area: place.area, row: values.map(Self.bind), tags: tags, ownerID: owner)
    }

    static let contactColumns = ["id", "customer_id", "name", "title", "department", "reports_to_id", "wechat", "birthday", "notes", "owner_id",
                                 "version", "created_at", "updated_at", "search_text", "name_sort"]

    private func makeContact(at customer: MadeCustomer, reportsTo: UUID?, random: inout SeededRandom, now: Date)
        -> (id: UUID, row: [any SQLExpression], channels: [[any SQLExpression]]) {
        let english = random.chance(6)
        let surnameIndex = Int(random.next() % UInt64(DemoNames.surnames.count))
        let name = english ? "\(random.pick(DemoNames.englishFirst)) \(random.pick(DemoNames.englishLast))"
                           : DemoNames.surnames[surnameIndex] + random.pick(DemoNames.given)
        let login = "\(DemoNames.pinyin[surnameIndex]).\(random.digits(3))"
        let id = UUID()
        let birthday = "\(1960 + Int(random.next() % 40))-\(String(format: "%02d", 1 + Int(random.next() % 12)))-\(String(format: "%02d", 1 + Int(random.next() % 28)))"
        let wechat = random.chance(70) ? "wx_\(login.replacingOccurrences(of: ".", with: "_"))" : nil
        let mobile = "1\(random.pick(["38", "39", "58", "86", "77"]))\(random.digits(8))"
        let email = "\(login)@\(customer.domain)"
        let values: [(any Encodable & Sendable)?] = [
            id, customer.id, name, reportsTo == nil ? "总经理" : random.pick(DemoNames.titles), random.pick(DemoNames.departments), reportsTo,
            wechat, random.chance(50) ? birthday : nil, "", customer.ownerID, 1, now, now, SQLSearch.text([name, wechat, email, mobile]),
            Pinyin.sortKey(name, person: true),
        ]
        let channels: [[any SQLExpression]] = [
            [SQLBind(id), SQLBind(0), SQLBind("email"), SQLBind("工作"), SQLBind(email), SQLBind(ContactService.normalizedApart(ContactChannel(kind: .email, value: email)))],
            [SQLBind(id), SQLBind(0), SQLBind("phone"), SQLBind("手机"), SQLBind(mobile), SQLBind(ContactService.normalizedApart(ContactChannel(kind: .phone, value: mobile)))],
        ]
        return (id, values.map(Self.bind), channels)
    }

    static func bind(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        guard let value else { return SQLLiteral.null }
        return SQLBind(value)
    }

    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any SQLExpression]]) async throws {
        // Stay well under SQLite's limit of 32,766 bound values per statement.
        let perStatement = max(1, 30_000 / max(1, columns.count))
        var start = 0
        while start < rows.count {
            let chunk = Array(rows[start..<min(rows.count, start + perStatement)])
            var insert = sql.insert(into: table).columns(columns)
            for row in chunk { insert = insert.values(row) }
            try await insert.run()
            start += perStatement
        }
    }
}
