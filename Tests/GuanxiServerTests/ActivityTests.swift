import Foundation
import GuanxiServer
import GuanxiCustomerFile
import GuanxiSales
import GuanxiCustomerAnalytics
import GuanxiDataExchange
import HTTPTypes
import HummingbirdTesting
import Testing
import GuanxiPlatform

@Suite("Activities, calendar and timeline")
struct ActivityTests {
    /// ISO 8601 for `hours` after the test clock's start (2026-09-21 22:13 UTC).
    func at(_ app: TestApp, hours: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: 1_790_000_000 + hours * 3600))
    }

    @Test("Activities are logged and planned with commitments and participants; bad input names the field")
    func createAndValidate() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"武汉江城物流"}"#).json["id"] as? String)
            let contact = try #require(try await api.call(.post, "/contacts", json: "{\"name\":\"刘洋\",\"customerId\":\"\(customer)\"}").json["id"] as? String)
            let meeting = try await api.call(.post, "/activities", json: """
                {"kind":"meeting","subject":"方案交流 <b>","startsAt":"\(at(app, hours: 24))","endsAt":"\(at(app, hours: 25))","relatedKind":"contacts",
                 "relatedId":"\(contact)","participants":[{"kind":"contact","id":"\(contact)"}],
                 "commitments":[{"description":"周五前发送报价","dueOn":"2026-09-25"}]}
                """)
            #expect(meeting.status == .created)
            #expect(meeting.json["customerId"] as? String == customer)
            #expect(meeting.json["status"] as? String == "planned")
            #expect(meeting.json["subject"] as? String == "方案交流 <b>")
            #expect((meeting.json["commitments"] as? [[String: Any]])?.first?["status"] as? String == "open")
            let note = try await api.call(.post, "/activities", json: "{\"kind\":\"note\",\"subject\":\"客户很满意\",\"relatedKind\":\"customers\",\"relatedId\":\"\(customer)\"}")
            #expect(note.json["status"] as? String == "done")
            #expect(note.json["startsAt"] != nil)
            let id = try #require(meeting.json["id"] as? String)
            #expect(try await app.auditEntries(action: "create", kind: .activities, id: id).first?.changes.contains { $0.field == "commitments" } == true)
            let hidden = "6F1B0F5C-0000-4000-8000-000000000000"
            for (body, field) in [
                (#"{"subject":"x"}"#, "kind"),
                (#"{"kind":"party","subject":"x"}"#, "kind"),
                (#"{"kind":"call"}"#, "subject"),
                ("{\"kind\":\"meeting\",\"subject\":\"x\",\"startsAt\":\"\(at(app, hours: 2))\"}", "endsAt"),
                ("{\"kind\":\"call\",\"subject\":\"x\",\"startsAt\":\"\(at(app, hours: 2))\",\"endsAt\":\"\(at(app, hours: 1))\"}", "endsAt"),
                ("{\"kind\":\"call\",\"subject\":\"x\",\"startsAt\":\"tomorrow\"}", "startsAt"),
                ("{\"kind\":\"call\",\"subject\":\"x\",\"relatedKind\":\"customers\",\"relatedId\":\"\(hidden)\"}", "relatedId"),
                ("{\"kind\":\"call\",\"subject\":\"x\",\"relatedKind\":\"users\",\"relatedId\":\"\(hidden)\"}", "relatedKind"),
                ("{\"kind\":\"call\",\"subject\":\"x\",\"participants\":[{\"kind\":\"contact\",\"id\":\"\(hidden)\"}]}", "participants"),
                (#"{"kind":"call","subject":"x","commitments":[{"description":" "}]}"#, "commitments[0].description"),
                (#"{"kind":"call","subject":"x","priority":"urgent"}"#, "priority"),
                ("{\"kind\":\"call\",\"subject\":\"x\",\"callBackAt\":\"\(at(app, hours: -1))\"}", "callBackAt"),
            ] {
                let response = try await api.call(.post, "/activities", json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorBody["field"] as? String == field, "\(body)")
            }
            #expect((try await api.call(.get, "/activities").json["items"] as? [Any])?.count == 2)
        }
    }

    @Test("A meeting that overlaps another of any participant is refused with the clash listed, unless overridden")
    func conflicts() async throws {
        try await TestApp.run { app, client in
            let rep = try await app.makeUser("rep.chen")
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"青岛海纳"}"#).json["id"] as? String)
            let contact = try #require(try await api.call(.post, "/contacts", json: "{\"name\":\"高峰\",\"customerId\":\"\(customer)\"}").json["id"] as? String)
            let first = try await api.call(.post, "/activities", json: """
                {"kind":"meeting","subject":"周会","startsAt":"\(at(app, hours: 10))","endsAt":"\(at(app, hours: 11))","ownerId":"\(rep.id!.uuidString)"}
                """)
            #expect(first.status == .created)
            let clash = """
                {"kind":"visit","subject":"拜访","startsAt":"\(at(app, hours: 10.5))","endsAt":"\(at(app, hours: 12))",
                 "participants":[{"kind":"user","id":"\(rep.id!.uuidString)"},{"kind":"contact","id":"\(contact)"}]
                """
            let refused = try await api.call(.post, "/activities", json: clash + "}")
            #expect(refused.status == .conflict)
            #expect(refused.errorBody["code"] as? String == "schedule_conflict")
            let details = try #require(refused.errorBody["details"] as? [[String: String]])
            #expect(details.map { $0["subject"] } == ["周会"])
            let forced = try await api.call(.post, "/activities", json: clash + ",\"allowConflicts\":true}")
            #expect(forced.status == .created)
            // The contact is now busy too: another meeting with them clashes even without the rep.
            let withContact = try await api.call(.post, "/activities", json: """
                {"kind":"meeting","subject":"电话会","startsAt":"\(at(app, hours: 11.5))","endsAt":"\(at(app, hours: 13))","ownerId":"","participants":[{"kind":"contact","id":"\(contact)"}]}
                """)
            #expect(withContact.errorBody["code"] as? String == "schedule_conflict")
            // Back to back is no clash; moving onto another meeting is.
            let later = try await api.call(.post, "/activities", json: """
                {"kind":"meeting","subject":"复盘","startsAt":"\(at(app, hours: 12))","endsAt":"\(at(app, hours: 13))","ownerId":"\(rep.id!.uuidString)"}
                """)
            #expect(later.status == .created)
            let laterID = try #require(later.json["id"] as? String)
            let moved = try await api.call(.patch, "/activities/\(laterID)", json: "{\"startsAt\":\"\(at(app, hours: 10.25))\"}")
            #expect(moved.errorBody["code"] as? String == "schedule_conflict")
            // Cancelled meetings free the time.
            let firstID = try #require(first.json["id"] as? String)
            #expect(try await api.call(.patch, "/activities/\(firstID)", json: #"{"status":"cancelled"}"#).status == .ok)
            #expect(try await api.call(.patch, "/activities/\(laterID)", json: "{\"startsAt\":\"\(at(app, hours: 9))\",\"endsAt\":\"\(at(app, hours: 10.4))\"}").status == .ok)
        }
    }

    @Test("Completing a call can schedule the call-back; reminders show when due until dismissed; task lists split today and overdue")
    func callBacksRemindersTasks() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let call = try await api.call(.post, "/activities", json: """
                {"kind":"call","subject":"确认需求","startsAt":"\(at(app, hours: 1))","remindAt":"\(at(app, hours: 0.5))"}
                """)
            let callID = try #require(call.json["id"] as? String)
            let task = try await api.call(.post, "/activities", json: "{\"kind\":\"task\",\"subject\":\"准备合同\",\"dueAt\":\"\(at(app, hours: -30))\"}")
            #expect(task.status == .created)
            #expect((try await api.call(.get, "/reminders").json["items"] as? [Any])?.isEmpty == true)
            app.clock.advance(by: 3600)
            let reminders = try #require(try await api.call(.get, "/reminders").json["items"] as? [[String: Any]])
            #expect(reminders.map { $0["id"] as? String } == [callID])
            #expect(try await api.call(.post, "/activities/\(callID)/dismiss-reminder").status == .noContent)
            #expect(try await app.auditEntries(action: "update", kind: .activities, id: callID).first?.changes.first?.field == "reminder_dismissed")
            #expect((try await api.call(.get, "/reminders").json["items"] as? [Any])?.isEmpty == true)
            let done = try await api.call(.patch, "/activities/\(callID)", json: """
                {"status":"done","outcome":"客户要求下周再联系","callBackAt":"\(at(app, hours: 50))"}
                """)
            #expect(done.json["completedAt"] != nil)
            let open = try #require(try await api.call(.get, "/tasks?list=mine").json["items"] as? [[String: Any]])
            let callBack = try #require(open.first { $0["followUpOf"] as? String == callID })
            #expect(callBack["kind"] as? String == "call")
            #expect(callBack["subject"] as? String == "↩ 确认需求")
            let overdue = try #require(try await api.call(.get, "/tasks?list=overdue").json["items"] as? [[String: Any]])
            #expect(overdue.map { $0["subject"] as? String } == ["准备合同"])
            let today = try #require(try await api.call(.get, "/tasks?list=today").json["items"] as? [[String: Any]])
            #expect(today.isEmpty)
        }
    }

    @Test("The calendar shows one's own activities, or the team's; the range is bounded")
    func calendar() async throws {
        try await TestApp.run { app, client in
            let admin = try await app.admin
            let mate = try await app.makeUser("mate.li")
            let outsider = try await app.makeUser("outsider")
            _ = try await app.services.teams.create(name: "华东组", description: nil, memberIDs: [admin.userID, mate.id!], by: admin)
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            for (subject, owner, hours) in [("我的会", admin.userID, 5.0), ("同事的会", mate.id!, 6.0), ("别人的会", outsider.id!, 7.0), ("下月的会", admin.userID, 24.0 * 40)] {
                let made = try await api.call(.post, "/activities", json: """
                    {"kind":"meeting","subject":"\(subject)","startsAt":"\(at(app, hours: hours))","endsAt":"\(at(app, hours: hours + 0.5))","ownerId":"\(owner.uuidString)"}
                    """)
                #expect(made.status == .created)
            }
            let range = "from=\(at(app, hours: 0))&to=\(at(app, hours: 24 * 7))".replacingOccurrences(of: "+", with: "%2B")
            let mine = try #require(try await api.call(.get, "/calendar?\(range)").json["items"] as? [[String: Any]])
            #expect(mine.map { $0["subject"] as? String } == ["我的会"])
            let team = try #require(try await api.call(.get, "/calendar?\(range)&who=team").json["items"] as? [[String: Any]])
            #expect(team.map { $0["subject"] as? String } == ["我的会", "同事的会"])
            // My department and the one under it: a colleague there, not the teammate elsewhere.
            let sales = try await app.services.departments.create(name: "销售部", parentID: nil, by: admin)
            let east = try await app.services.departments.create(name: "华东区", parentID: sales.id, by: admin)
            let report = try await app.makeUser("report.wu", department: east.id)
            try await app.services.database.sql.update("users").set("department_id", to: sales.id!).where("id", .equal, admin.userID).run()
            _ = try await api.call(.post, "/activities", json: """
                {"kind":"meeting","subject":"下属的会","startsAt":"\(at(app, hours: 8))","endsAt":"\(at(app, hours: 8.5))","ownerId":"\(report.id!.uuidString)"}
                """)
            let department = try #require(try await api.call(.get, "/calendar?\(range)&who=department").json["items"] as? [[String: Any]])
            #expect(department.map { $0["subject"] as? String } == ["我的会", "下属的会"])
            let tooLong = "from=\(at(app, hours: 0))&to=\(at(app, hours: 24 * 70))".replacingOccurrences(of: "+", with: "%2B")
            #expect(try await api.call(.get, "/calendar?\(tooLong)").errorBody["field"] as? String == "to")
        }
    }

    @Test("A customer's timeline holds its activities, those with its people and deals, commitments and changes; a deal's, its stage moves")
    func timeline() async throws {
        try await TestApp.run { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let customer = try #require(try await api.call(.post, "/customers", json: #"{"name":"南京鼓楼医药"}"#).json["id"] as? String)
            let contact = try #require(try await api.call(.post, "/contacts", json: "{\"name\":\"马超\",\"customerId\":\"\(customer)\"}").json["id"] as? String)
            let deal = try await api.call(.post, "/opportunities", json: "{\"name\":\"冷链改造\",\"customerId\":\"\(customer)\"}")
            let dealID = try #require(deal.json["id"] as? String)
            app.clock.advance(by: 60)
            _ = try await api.call(.post, "/activities", json: """
                {"kind":"call","subject":"与马超通话","status":"done","startsAt":"\(at(app, hours: 0.1))","relatedKind":"contacts","relatedId":"\(contact)",
                 "commitments":[{"description":"寄送样品"}]}
                """)
            app.clock.advance(by: 3600)
            _ = try await api.call(.post, "/activities", json: "{\"kind\":\"email\",\"subject\":\"发送方案\",\"relatedKind\":\"opportunities\",\"relatedId\":\"\(dealID)\"}")
            app.clock.advance(by: 60)
            _ = try await api.call(.patch, "/customers/\(customer)", json: #"{"grade":"A"}"#)
            let items = try #require(try await api.call(.get, "/timeline?kind=customers&id=\(customer)").json["items"] as? [[String: Any]])
            #expect(items.map { $0["title"] as? String } == ["update", "发送方案", "与马超通话", "create"])
            let call = try #require(items.first { $0["title"] as? String == "与马超通话" }?["activity"] as? [String: Any])
            #expect((call["commitments"] as? [[String: Any]])?.first?["description"] as? String == "寄送样品")
            let stages = try await app.services.sales.pipelines.list()[0].stages
            _ = try await api.call(.patch, "/opportunities/\(dealID)", json: "{\"stageId\":\"\(stages[2].id!.uuidString)\"}")
            let dealItems = try #require(try await api.call(.get, "/timeline?kind=opportunities&id=\(dealID)").json["items"] as? [[String: Any]])
            #expect(dealItems.filter { $0["type"] as? String == "stage" }.map { $0["title"] as? String } == [stages[2].name, stages[0].name])
            #expect(dealItems.contains { $0["title"] as? String == "发送方案" })
            // Someone who may not see the customer sees no timeline.
            try await app.makeUser("nobody")
            let nobody = APIClient(client: client, token: try await app.token(for: "nobody"))
            #expect(try await nobody.call(.get, "/timeline?kind=customers&id=\(customer)").status == .notFound)
        }
    }

    @Test("Each scope sees its activities; hand-over moves open activities and leaves finished ones", arguments: [DataScope.own, .all])
    func scopesAndHandOver(scope: DataScope) async throws {
        try await TestApp.run { app, client in
            let role = try await app.makeRole("rep", [.activities: Grant(actions: [.read, .create, .update], scope: scope)])
            let leaver = try await app.makeUser("leaver", roles: [role.id!])
            let successor = try await app.makeUser("successor")
            let admin = try await app.admin
            for (subject, status) in [("待办", "planned"), ("已完成", "done")] {
                var input = ActivityInput()
                (input.kind, input.subject, input.status, input.ownerID) = ("task", subject, status, .some(leaver.id))
                _ = try await app.services.activities.create(input, by: admin)
            }
            var others = ActivityInput()
            (others.kind, others.subject) = ("task", "管理员的")
            _ = try await app.services.activities.create(others, by: admin)
            let rep = APIClient(client: client, token: try await app.token(for: "leaver"))
            let seen = Set(((try await rep.call(.get, "/activities").json["items"] as? [[String: Any]]) ?? []).compactMap { $0["subject"] as? String })
            #expect(seen == (scope == .own ? ["待办", "已完成"] : ["待办", "已完成", "管理员的"]))
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let moved = try await api.call(.post, "/users/\(leaver.id!.uuidString)/hand-over", json: "{\"toUserId\":\"\(successor.id!.uuidString)\"}")
            #expect(moved.json["openActivities"] as? Int == 1)
            var filter = ActivityFilter()
            filter.ownerID = leaver.id
            #expect(try await app.services.activityQuery.list(filter, for: admin).activities.map(\.subject) == ["已完成"])
        }
    }
}
