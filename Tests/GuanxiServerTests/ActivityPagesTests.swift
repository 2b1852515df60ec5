import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Activity pages")
struct ActivityPagesTests {
    @Test("A meeting planned from a customer's page warns of a clash, is saved anyway, and shows in the timeline, the calendar and today's list")
    func planFromCustomer() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "planner")
            let planner = try await app.principal("planner")
            var input = CustomerInput()
            input.name = "长沙湘江食品"
            let customer = try await app.services.customers.create(input, by: planner)
            var busy = ActivityInput()
            (busy.kind, busy.subject) = ("meeting", "部门例会")
            // Today, in the planner's time zone, 09:00–10:00.
            let dayFormat = DateFormatter()
            (dayFormat.timeZone, dayFormat.dateFormat) = (TimeZone(identifier: planner.timeZone), "yyyy-MM-dd")
            let day = dayFormat.string(from: app.clock.now())
            busy.startsAt = try Validate.localTime("\(day)T09:00", field: "startsAt", timeZone: planner.timeZone)
            busy.endsAt = try Validate.localTime("\(day)T10:00", field: "endsAt", timeZone: planner.timeZone)
            _ = try await app.services.activities.create(busy, by: planner)
            let page = try await browser.get("/customers/\(customer.id!.uuidString)")
            #expect(page.text.contains("/activities/new?about=customers:\(customer.id!.uuidString)&kind=meeting"))
            _ = try await browser.get("/activities/new?about=customers:\(customer.id!.uuidString)&kind=meeting")
            let fields = ["kind": "meeting", "subject": "新品<试吃>会", "status": "planned", "priority": "high", "owner_id": planner.userID.uuidString,
                          "about": "customers:\(customer.id!.uuidString)", "people_sent": "1", "starts_at": "\(day)T09:30", "ends_at": "\(day)T11:00",
                          "commitments_sent": "1", "commitment_0_text": "下周一前寄样品", "commitment_0_due": "2026-09-28", "commitment_0_status": "open",
                          "commitment_1_text": "", "commitment_1_due": ""]
            let clash = try await browser.post("/activities/new", fields)
            #expect(clash.status == .conflict)
            // The way out is named: the box to tick, then save.
            #expect(clash.text.contains("请勾选“仍然保存”后再次保存"))
            #expect(clash.text.contains(#"<input name="commitment_0_text" value="下周一前寄样品""#))
            #expect(clash.text.contains("部门例会"))
            #expect(clash.text.contains("value=\"新品&lt;试吃&gt;会\""))
            var anyway = fields
            anyway["allow_conflicts"] = "on"
            let saved = try await browser.post("/activities/new", anyway)
            #expect(saved.location == "/customers/\(customer.id!.uuidString)?notice=saved")
            let timeline = try await browser.get("/customers/\(customer.id!.uuidString)")
            #expect(timeline.text.contains("新品&lt;试吃&gt;会"))
            #expect(timeline.text.contains("下周一前寄样品"))
            let week = try await browser.get("/calendar?view=week&date=\(day)")
            #expect(week.text.contains("09:30"))
            #expect(week.text.contains("新品&lt;试吃&gt;会"))
            let month = try await browser.get("/calendar?view=month&date=\(day.prefix(7))-01")
            #expect(month.text.contains("部门例会"))
            let home = try await browser.get("/")
            #expect(home.text.contains("新品&lt;试吃&gt;会"))
            #expect(try await browser.get("/calendar?date=22-09-2026").status == .badRequest)
        }
    }

    @Test("Logging a call records one that happened now; the form asks only what the kind needs; commitments are rows")
    func logCall() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "caller")
            var input = CustomerInput()
            input.name = "青松食品"
            let customer = try await app.services.customers.create(input, by: try await app.admin)
            let about = "customers:\(customer.id!.uuidString)"
            let customerPage = try await browser.get("/customers/\(customer.id!.uuidString)").text
            #expect(customerPage.contains("/activities/new?about=\(about)&amp;kind=call&amp;log=1") || customerPage.contains("/activities/new?about=\(about)&kind=call&log=1"))
            let form = try await browser.get("/activities/new?about=\(about)&kind=call&log=1").text
            #expect(form.contains(#"<option value="done" selected>"#))
            #expect(form.contains(#"<label data-for="task">"#))          // the due date belongs to tasks only
            #expect(form.contains(#"name="commitment_2_text""#))         // three empty rows for promises
            let planned = try await browser.get("/activities/new?about=\(about)&kind=call").text
            #expect(planned.contains(#"<option value="planned" selected>"#))
            let saved = try await browser.post("/activities/new", [
                "kind": "call", "subject": "回访", "status": "done", "about": about, "people_sent": "1", "starts_at": "",
                "commitments_sent": "1", "commitment_0_text": "周五前寄样品", "commitment_0_due": "2026-09-25", "commitment_0_status": "open",
                "commitment_1_text": "", "commitment_1_due": "", "commitment_2_text": "", "commitment_2_due": "",
            ])
            #expect(saved.status == .seeOther)
            var filter = ActivityFilter()
            filter.about = (.customers, customer.id!)
            let call = try #require(try await app.services.activityQuery.list(filter, for: try await app.principal("caller")).activities.first)
            #expect(call.status == "done")
            #expect(call.startsAt == app.clock.now())
            #expect(try await app.services.activities.commitments(of: call.id!).map(\.description) == ["周五前寄样品"])
            // A due date without a promise is refused by name, and nothing is saved.
            let bad = try await browser.post("/activities/new", ["kind": "call", "subject": "再访", "about": about, "people_sent": "1",
                                                                 "commitments_sent": "1", "commitment_0_text": "", "commitment_0_due": "2026-10-01"])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("截止于 2026-10-01 的承诺缺少内容"))
            #expect(try await app.services.activityQuery.list(filter, for: try await app.principal("caller")).activities.count == 1)
        }
    }

    @Test("Completing a call from its page records the outcome and schedules the call-back, which appears in the task list")
    func completeWithCallBack() async throws {
        try await TestApp.run { app, client in
            var browser = try await app.signedInBrowser(client, as: "caller")
            let caller = try await app.principal("caller")
            var call = ActivityInput()
            (call.kind, call.subject) = ("call", "询价回复")
            call.startsAt = .some(Date(timeIntervalSince1970: 1_790_000_000 - 3600))
            call.remindAt = .some(Date(timeIntervalSince1970: 1_790_000_000 - 7200))
            let a = try await app.services.activities.create(call, by: caller)
            let home = try await browser.get("/")
            #expect(home.text.contains("/activities/\(a.id!.uuidString)/dismiss"))
            let overdue = try await browser.get("/tasks?list=overdue")
            #expect(overdue.text.contains("询价回复"))
            _ = try await browser.get("/activities/\(a.id!.uuidString)")
            let done = try await browser.post("/activities/\(a.id!.uuidString)/complete", ["version": "1", "outcome": "客户出差，周五再打", "call_back_at": "2026-09-25T10:00"])
            #expect(done.status == .seeOther)
            let page = try await browser.get("/activities/\(a.id!.uuidString)")
            #expect(page.text.contains("客户出差，周五再打"))
            #expect(page.text.contains("已完成"))
            let tasks = try await browser.get("/tasks")
            #expect(tasks.text.contains("↩ 询价回复"))
            #expect(!tasks.text.contains(">询价回复<"))
            let bad = try await browser.post("/activities/\(a.id!.uuidString)/complete", ["version": "2", "call_back_at": "not a time"])
            #expect(bad.status == .badRequest)
        }
    }

    @Test("A rep who may not read user records still opens every form, choosing among themselves and their teammates")
    func repForms() async throws {
        try await TestApp.run { app, client in
            let grant = Grant(actions: [.read, .create, .update], scope: .own)
            let role = try await app.makeRole("rep", [.customers: grant, .contacts: grant, .leads: grant, .opportunities: grant, .activities: grant])
            let rep = try await app.makeUser("rep.zhang", roles: [role.id!])
            let mate = try await app.makeUser("rep.mate", roles: [role.id!])
            try await app.makeUser("stranger", roles: [role.id!])
            _ = try await app.services.teams.create(name: "一组", description: nil, memberIDs: [rep.id!, mate.id!], by: try await app.admin)
            var browser = Browser(client)
            try await browser.signIn("rep.zhang", "Secret-pass-42")
            for path in ["/customers/new", "/leads/new", "/opportunities/new", "/activities/new?kind=meeting"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains(mate.id!.uuidString), "\(path)")
                #expect(!page.text.contains("stranger"), "\(path)")
            }
        }
    }
    @Test("A meeting's participants are found by typing among all of the customer's people and colleagues, several at once, and dropped by unticking")
    func participantsByTypeAhead() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            var input = CustomerInput()
            input.name = "宁波港务集团"
            let customer = try await app.services.customers.create(input, by: admin)
            var people: [Contact] = []
            for n in 1...60 {
                var person = ContactInput()
                (person.name, person.customerID) = (String(format: "港务联系人%02d", n), .some(customer.id!))
                people.append(try await app.services.contacts.create(person, by: admin))
            }
            let colleague = try await app.makeUser("lina")
            try await app.services.database.sql.update("users").set("display_name", to: "李娜").where("id", .equal, colleague.id!).run()
            var browser = try await app.signedInBrowser(client, as: "organiser")
            let about = "customers:\(customer.id!.uuidString)"

            // The form adds people through two pickers; the contacts one is narrowed to the customer.
            let form = try await browser.get("/activities/new?about=\(about)&kind=meeting").text
            #expect(form.contains(#"<select name="contact" data-pick="contacts" data-pick-into="participants-chosen""#))
            #expect(form.contains(#"data-pick-customer="\#(customer.id!.uuidString)""#))
            #expect(form.contains(#"<select name="user" data-pick="users" data-pick-into="participants-chosen""#))
            #expect(form.contains(#"<option value="\#(colleague.id!.uuidString)">李娜</option>"#))
            #expect(!form.contains(people[54].id!.uuidString), "the 55th is beyond the first page")
            let found = try #require(try JSONSerialization.jsonObject(with: Data(buffer: try await browser.get(
                "/pick/contacts?q=%E8%81%94%E7%B3%BB%E4%BA%BA55&customer=\(customer.id!.uuidString)").body)) as? [[String: String]])  // 联系人55
            #expect(found.map { $0["id"] } == [people[54].id!.uuidString])

            // Several contacts and a colleague in one save: the ticked boxes plus what the pickers show.
            let base: [(String, String)] = [("kind", "meeting"), ("subject", "港口扩建洽谈"), ("status", "planned"),
                                            ("priority", "normal"), ("about", about), ("people_sent", "1"), ("starts_at", "2026-10-12T10:00"),
                                            ("ends_at", "2026-10-12T11:00")]
            let made = try await browser.post("/activities/new", pairs: base + [("contact", people[54].id!.uuidString), ("contact", people[2].id!.uuidString),
                                                                               ("contact", ""), ("user", colleague.id!.uuidString)])
            #expect(made.status == .seeOther)
            let meeting = try #require(try await app.services.database.sql.select().column("id").from("activities")
                .where("subject", .equal, "港口扩建洽谈").first(decodingColumn: "id", as: UUID.self))
            let chosen = try await app.services.activities.participants(of: meeting)
            #expect(Set(chosen.map(\.id)) == [people[54].id!, people[2].id!, colleague.id!])

            // Editing shows them as ticked boxes by name, and not again in the pickers.
            let edit = try await browser.get("/activities/\(meeting.uuidString)/edit").text
            #expect(edit.contains(#"<input type="checkbox" name="contact" value="\#(people[54].id!.uuidString)" checked> 港务联系人55"#))
            #expect(edit.contains(#"<input type="checkbox" name="user" value="\#(colleague.id!.uuidString)" checked> 李娜"#))
            let pickers = try #require(edit.firstMatch(of: /<select name="user" data-pick="users"[\s\S]*?<\/select>[\s\S]*?<\/select>/)?.0)
            #expect(!pickers.contains(people[2].id!.uuidString))
            #expect(!pickers.contains(colleague.id!.uuidString))

            // Unticking drops one; the picker adds another.
            let version = try #require(edit.firstMatch(of: /name="version" value="(\d+)"/)?.1)
            let changed = try await browser.post("/activities/\(meeting.uuidString)/edit", pairs: base + [("version", String(version)),
                ("contact", people[54].id!.uuidString), ("contact", people[59].id!.uuidString), ("user", "")])
            #expect(changed.status == .seeOther)
            #expect(Set(try await app.services.activities.participants(of: meeting).map(\.id)) == [people[54].id!, people[59].id!])

            // Someone who does not exist is refused by name of the field, and the form keeps what was chosen.
            let nobody = UUID().uuidString
            let bad = try await browser.post("/activities/new", pairs: base + [("contact", people[1].id!.uuidString), ("contact", nobody)])
            #expect(bad.status == .badRequest)
            #expect(!bad.text.contains(nobody), "no box for someone the reader cannot see")
            #expect(bad.text.contains(#"name="contact" value="\#(people[1].id!.uuidString)" checked> 港务联系人02"#))
        }
    }
}

@Suite("Calendar time grid")
struct CalendarGridTests {
    @Test("Overlapping activities share their group's width side by side; one after another each takes the whole column")
    func lanes() {
        let e = { (id: String, start: Int, end: Int) in CalendarGrid.Event(id: id, start: start, end: end, label: id, done: false) }
        let placed = CalendarGrid.lanes([e("b", 570, 660), e("a", 540, 600), e("c", 600, 630), e("d", 720, 780)])
        let by = Dictionary(uniqueKeysWithValues: placed.map { ($0.event.id, ($0.lane, $0.lanes)) })
        #expect(by["a"]! == (0, 2) && by["b"]! == (1, 2))
        #expect(by["c"]! == (0, 2))       // a has ended: c takes its lane beside b
        #expect(by["d"]! == (0, 1))       // alone at noon
    }

    @Test("The week view draws each activity as a block linking to it, escaped, in the hours it needs")
    func svg() {
        let svg = CalendarGrid.svg([CalendarGrid.Column(heading: "周一 9/21", today: true, events: [
            CalendarGrid.Event(id: "X1", start: 6 * 60 + 30, end: 7 * 60 + 30, label: "06:30 早会 <晨>", done: false)]),
            CalendarGrid.Column(heading: "周二 9/22", today: false, events: [])], title: "周")
        #expect(svg.contains(#"<a href="/activities/X1">"#))
        #expect(svg.contains("早会 &lt;晨&gt;") && !svg.contains("<晨>"))
        #expect(svg.contains(">06:00</text>"))    // widened from 8:00 to hold the 6:30 meeting
        #expect(svg.contains(#"class="today""#))
    }

}
