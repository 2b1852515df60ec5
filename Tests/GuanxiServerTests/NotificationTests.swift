import FluentKit
import Foundation
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiServer
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import Testing

/// The notification centre: who is told of what, in which language, by which channel.
@Suite("Notifications", .serialized)
struct NotificationTests {
    static let from = try! MailAddress("crm@ourcompany.cn", name: "关系 CRM")

    /// A user with an e-mail address and a language.
    @discardableResult
    func colleague(_ app: TestApp, _ name: String, email: String? = nil, locale: String = "zh-Hans", roles: [UUID] = []) async throws -> UUID {
        let user = try await app.makeUser(name, roles: roles)
        try await app.services.database.sql.update("users").set("email", to: email).set("locale", to: locale).where("id", .equal, user.id!).run()
        return user.id!
    }

    func told(_ app: TestApp, _ user: UUID, locale: String = "zh-Hans") async throws -> [NotificationEntry] {
        try await app.services.notifications.list(user, locale: locale)
    }

    @Test("Giving a record to someone tells them, in their language; taking your own tells nobody; the bell counts and opening reads it")
    func assignment() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let rep = try await colleague(app, "rep", locale: "en")
            var input = CustomerInput()
            (input.name, input.ownerID) = ("华信科技", .some(rep))
            let customer = try await app.services.customers.create(input, by: admin)
            let told = try await told(app, rep, locale: "en")
            #expect(told.map(\.headline) == ["Assigned to you: 华信科技"] && told.first?.detail == "Customers")
            #expect(told.first?.link == "/customers/\(customer.id!.uuidString)")
            #expect(try await self.told(app, rep).first?.headline == "分配给您：华信科技")
            // Moving it to someone else tells them; a record one makes for oneself tells nobody.
            let other = try await colleague(app, "other")
            var move = CustomerInput()
            move.ownerID = .some(other)
            _ = try await app.services.customers.update(customer.id!, move, expectedVersion: nil, by: admin)
            #expect(try await self.told(app, other).map(\.headline) == ["分配给您：华信科技"])
            var own = CustomerInput()
            (own.name, own.ownerID) = ("自己的客户", .some(admin.userID))
            _ = try await app.services.customers.create(own, by: admin)
            #expect(try await self.told(app, admin.userID).isEmpty)

            var browser = Browser(client)
            try await browser.signIn("rep", "Secret-pass-42")
            let home = try await browser.get("/")
            #expect(home.text.contains("<span class=\"count\">1</span>"))
            let page = try await browser.get("/notifications")
            #expect(page.text.contains("Assigned to you: 华信科技") && page.text.contains("class=\"unread\""))
            let id = try #require(told.first?.id)
            let open = try await browser.get("/notifications/\(id)/open")
            #expect(open.headers[.location] == "/customers/\(customer.id!.uuidString)")
            #expect(try await app.services.notifications.unread(rep) == 0)
            #expect(!(try await browser.get("/").text.contains("class=\"count\"")))
            // Nobody opens another's.
            var stranger = try await app.signedInBrowser(client, as: "stranger", admin: false)
            #expect(try await stranger.get("/notifications/\(id)/open").status == .notFound)
            // The bell's count was read a moment ago and is kept for a moment; a new one
            // written here shows at once, and so does reading them all.
            var second = CustomerInput()
            (second.name, second.ownerID) = ("远航贸易", .some(rep))
            _ = try await app.services.customers.create(second, by: admin)
            #expect(try await browser.get("/").text.contains("<span class=\"count\">1</span>"))
            try await app.services.notifications.markAllRead(rep)
            #expect(!(try await browser.get("/").text.contains("class=\"count\"")))
        }
    }

    @Test("Each user chooses per event: none writes nothing, e-mail only goes by mail in their language and not to the bell; the API reads and marks")
    func preferencesAndMail() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, client in
            let admin = try await app.admin
            let rep = try await colleague(app, "rep", email: "rep@ourcompany.cn", locale: "en")
            let api = APIClient(client: client, token: try await app.token(for: "rep"))
            let set = try await api.call(.put, "/notifications/preferences", json: #"{"assigned":"email","reminder":"none"}"#)
            #expect(set.status == .ok && set.json["assigned"] as? String == "email" && set.json["meeting"] as? String == "both" && set.json["mention"] as? String == "in_app")
            #expect(try await api.call(.put, "/notifications/preferences", json: #"{"assigned":"loudly"}"#).status == .badRequest)
            #expect(try await app.auditEntries(action: "update", kind: .users, id: rep.uuidString).first?.changes.contains(FieldChange(field: "notify.assigned", old: "in_app", new: "email")) == true)
            var input = CustomerInput()
            (input.name, input.ownerID) = ("星辰科技", .some(rep))
            _ = try await app.services.customers.create(input, by: admin)
            #expect(try await told(app, rep).isEmpty)
            #expect(try await app.services.notifications.deliver() == 1)
            #expect(try await app.services.notifications.deliver() == 0)
            let mail = try #require(try await app.services.outbox.list().first)
            #expect(mail.recipient == "rep@ourcompany.cn" && mail.subject == "Assigned to you: 星辰科技" && mail.purpose == .automatic)
            let text = try ReceivedMail.parse(Data(try #require(try await app.services.outbox.text(of: mail.id)).utf8)).text
            #expect(text.contains("Customers") && text.contains("/customers/"))

            // In the app as well: listed, counted, marked read one by one or all at once.
            _ = try await api.call(.put, "/notifications/preferences", json: #"{"assigned":"both"}"#)
            for name in ["甲", "乙"] {
                app.clock.advance(by: 1)
                (input.name, input.ownerID) = (name, .some(rep))
                _ = try await app.services.customers.create(input, by: admin)
            }
            let listed = try await api.call(.get, "/notifications?unread=true")
            #expect(listed.json["unread"] as? Int == 2 && (listed.json["items"] as? [[String: Any]])?.count == 2)
            let first = try #require((listed.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            let read = try await api.call(.post, "/notifications/\(first)/read")
            #expect(read.status == .ok && read.json["readAt"] != nil && read.json["headline"] as? String == "Assigned to you: 乙")
            #expect(try await api.call(.post, "/notifications/read-all").status == .noContent)
            #expect(try await app.services.notifications.unread(rep) == 0)
            let adminAPI = APIClient(client: client, token: try await app.token(for: "admin"))
            #expect(try await adminAPI.call(.post, "/notifications/\(first)/read").status == .notFound)
        }
    }

    @Test("A colleague added to a meeting gets an iCalendar invitation by e-mail; @mentions tell colleagues who may read the activity, once")
    func meetingsAndMentions() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, _ in
            let admin = try await app.admin
            try await app.services.database.sql.update("users").set("email", to: "admin@ourcompany.cn").where("username", .equal, "admin").run()
            let readers = try await app.makeRole("readers", [.activities: Grant(actions: [.read], scope: .all)])
            let lina = try await colleague(app, "lina", email: "lina@ourcompany.cn", roles: [readers.id!])
            try await app.services.database.sql.update("users").set("display_name", to: "李娜").where("id", .equal, lina).run()
            let outsider = try await colleague(app, "outsider")
            var customer = CustomerInput()
            customer.name = "华信科技"
            let c = try await app.services.customers.create(customer, by: admin)
            var contact = ContactInput()
            (contact.name, contact.customerID, contact.emails) = ("王伟", .some(c.id), [ContactChannel(kind: .email, value: "wang@huaxin.cn")])
            let wang = try await app.services.contacts.create(contact, by: admin)
            var meeting = ActivityInput()
            meeting.kind = "meeting"
            meeting.subject = "方案评审"
            meeting.startsAt = .some(app.clock.now().addingTimeInterval(86_400))
            meeting.endsAt = .some(app.clock.now().addingTimeInterval(90_000))
            meeting.related = .some((.customers, c.id!))
            meeting.participants = [Participant(.user, lina), Participant(.contact, wang.id!)]
            let a = try await app.services.activities.create(meeting, by: admin)
            #expect(try await told(app, lina).map(\.headline) == ["您被加入：方案评审"])
            #expect(try await app.services.notifications.deliver() == 1)
            let sent = try #require(try await app.services.outbox.list().first)
            let mail = try ReceivedMail.parse(Data(try #require(try await app.services.outbox.text(of: sent.id)).utf8))
            let invite = try #require(mail.attachments.first)
            #expect(invite.filename == "invite.ics" && invite.contentType == "text/calendar")
            // Unfolded: long lines continue after a line break and a space (RFC 5545 §3.1).
            let ics = String(decoding: invite.data, as: UTF8.self).replacingOccurrences(of: "\r\n ", with: "")
            #expect(ics.contains("METHOD:REQUEST\r\n") && ics.contains("UID:\(a.id!.uuidString.lowercased())@guanxi"))
            #expect(ics.contains("ORGANIZER;CN=\"\(admin.displayName)\":mailto:admin@ourcompany.cn"))
            #expect(ics.contains("mailto:lina@ourcompany.cn") && ics.contains("mailto:wang@huaxin.cn"))

            // Named in a note: 李娜 (who may read it) is told, the outsider (who may not) is not;
            // an e-mail address names nobody; saving again without a new name tells nobody again.
            var note = ActivityInput()
            note.kind = "note"
            note.subject = "跟进报价"
            note.description = "@李娜 请跟进，@outsider 也看看。报价发到 sales@lina 邮箱"
            note.related = .some((.customers, c.id!))
            let n = try await app.services.activities.create(note, by: admin)
            let mentions = try await told(app, lina).filter { $0.event == .mention }
            #expect(mentions.map(\.headline) == ["有人在“跟进报价”中提到您"])
            #expect(mentions.first?.detail == "\(admin.displayName)：@李娜 请跟进，@outsider 也看看。报价发到 sales@lina 邮箱")
            #expect(try await told(app, outsider).isEmpty)
            var edit = ActivityInput()
            edit.description = "@李娜 请跟进，@outsider 也看看。已改。"
            _ = try await app.services.activities.update(n.id!, edit, expectedVersion: nil, by: admin)
            #expect(try await told(app, lina).filter { $0.event == .mention }.count == 1)
            #expect(ActivityService.mentions(in: "问 @lina，抄送 wang@example.cn 和 @张 三") == ["lina", "张"])
        }
    }

    @Test("A reminder falling due tells its owner once; moved, it tells again; one due long ago does not")
    func reminders() async throws {
        try await TestApp.run { app, _ in
            let rep = try await colleague(app, "rep")
            var task = ActivityInput()
            task.kind = "task"
            task.subject = "回电王经理"
            task.dueAt = .some(app.clock.now().addingTimeInterval(7200))
            task.remindAt = .some(app.clock.now().addingTimeInterval(3600))
            task.ownerID = .some(rep)
            let a = try await app.services.activities.create(task, by: try await app.admin)
            let reminders = ReminderNotices(services: app.services.customerFile)
            #expect(try await reminders.run() == 0)
            app.clock.advance(by: 3601)
            #expect(try await reminders.run() == 1)
            #expect(try await reminders.run() == 0)
            #expect(try await told(app, rep).filter { $0.event == .reminder }.map(\.headline) == ["提醒：回电王经理"])
            var later = ActivityInput()
            later.remindAt = .some(app.clock.now().addingTimeInterval(600))
            _ = try await app.services.activities.update(a.id!, later, expectedVersion: nil, by: try await app.admin)
            app.clock.advance(by: 601)
            #expect(try await reminders.run() == 1)
            var old = task
            old.subject = "上周的事"
            old.remindAt = .some(app.clock.now().addingTimeInterval(-3 * 86_400))
            old.dueAt = .some(app.clock.now().addingTimeInterval(3600))
            _ = try await app.services.activities.create(old, by: try await app.admin)
            #expect(try await reminders.run() == 0)
        }
    }

    @Test("A finished import tells whoever started it, with its counts")
    func importFinished() async throws {
        try await TestApp.run { app, _ in
            let job = try await ImportTests.importing(app, .customers, "name\n甲公司\n乙公司\n", ImportTests.settings())
            #expect(job.status == .done)
            let admin = try await app.admin
            let told = try await told(app, admin.userID, locale: "en")
            #expect(told.map(\.headline) == ["Import finished: test.csv"])
            #expect(told.first?.detail == "2 created, 0 updated, 0 skipped, 0 rejected." && told.first?.link == "/imports/\(job.id.uuidString)")
        }
    }

    @Test("Asked to, a meeting e-mails its contacts an invitation (transactional, in both languages, with the iCalendar REQUEST)")
    func contactInvitations() async throws {
        try await TestApp.run(configure: { $0.mailFrom = Self.from }) { app, _ in
            let admin = try await app.admin
            var customer = CustomerInput()
            customer.name = "华信科技"
            let c = try await app.services.customers.create(customer, by: admin)
            var contact = ContactInput()
            (contact.name, contact.customerID, contact.emails) = ("王伟", .some(c.id), [ContactChannel(kind: .email, value: "wang@huaxin.cn")])
            let wang = try await app.services.contacts.create(contact, by: admin)
            (contact.name, contact.emails) = ("无邮箱", [])
            let nomail = try await app.services.contacts.create(contact, by: admin)
            var meeting = ActivityInput()
            (meeting.kind, meeting.subject) = ("visit", "上门演示")
            meeting.startsAt = .some(Date(timeIntervalSince1970: 1_796_500_800))
            meeting.endsAt = .some(Date(timeIntervalSince1970: 1_796_504_400))
            meeting.related = .some((.customers, c.id!))
            meeting.participants = [Participant(.contact, wang.id!), Participant(.contact, nomail.id!)]
            let quiet = try await app.services.activities.create(meeting, by: admin)
            #expect(try await app.services.outbox.list().isEmpty)
            meeting.sendInvitations = true
            _ = try await app.services.activities.update(quiet.id!, meeting, expectedVersion: nil, by: admin)
            let sent = try await app.services.outbox.list()
            try #require(sent.count == 1)
            #expect(sent[0].recipient == "wang@huaxin.cn" && sent[0].purpose == .transactional && sent[0].subject == "邀请 / Invitation: 上门演示")
            #expect(sent[0].aboutKind == .activities && sent[0].aboutID == quiet.id)
            let mail = try ReceivedMail.parse(Data(try #require(try await app.services.outbox.text(of: sent[0].id)).utf8))
            let zone = TimeZone(identifier: admin.timeZone)!
            let local = DateFormatter()
            (local.locale, local.timeZone, local.dateFormat) = (Locale(identifier: "en_US_POSIX"), zone, "yyyy-MM-dd HH:mm")
            #expect(mail.text.contains("时间 / When: \(local.string(from: Date(timeIntervalSince1970: 1_796_500_800))) (\(zone.identifier))"))
            let ics = String(decoding: try #require(mail.attachments.first).data, as: UTF8.self).replacingOccurrences(of: "\r\n ", with: "")
            #expect(ics.contains("METHOD:REQUEST") && ics.contains("DTSTART:20261205T200000Z") && ics.contains("mailto:wang@huaxin.cn"))
        }
    }
}
