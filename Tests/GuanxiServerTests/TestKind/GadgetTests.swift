import Foundation
@testable import GuanxiServer
@testable import GuanxiCustomerFile
@testable import GuanxiSales
@testable import GuanxiCustomerAnalytics
@testable import GuanxiDataExchange
import SQLKit
import Testing
@testable import GuanxiPlatform

/// What a kind of record gets from the registry alone, proved on gadgets (`Gadget`), a
/// kind the product does not have.
@Suite("A kind registered in one line")
struct GadgetTests {
    @Test("Roles grant on it like any kind: own, department and all scopes reach exactly their records")
    func scopes() async throws {
        try await TestApp.runWithGadgets { app, _ in
            let admin = try await app.admin
            let lab = try await app.services.departments.create(name: "Lab", parentID: nil, by: admin)
            let shop = try await app.services.departments.create(name: "Shop", parentID: nil, by: admin)
            var users: [DataScope: User] = [:]
            for scope in [DataScope.own, .department, .all] {
                let role = try await app.makeRole("gadgets-\(scope.rawValue)", [Gadget.kind: Grant(actions: [.read, .create, .update], scope: scope)])
                users[scope] = try await app.makeUser("g-\(scope.rawValue)", department: lab.id, roles: [role.id!])
            }
            let maker = try await app.makeRole("gadget-maker", [Gadget.kind: Grant(actions: [.read, .create], scope: .own)])
            try await app.makeUser("labmate", department: lab.id, roles: [maker.id!])
            try await app.makeUser("shopkeeper", department: shop.id, roles: [maker.id!])
            for username in ["g-own", "labmate", "shopkeeper"] {
                _ = try await app.gadgets.create(["name": "\(username)'s scope"], by: try await app.principal(username))
            }
            for (scope, expected) in [(DataScope.own, ["g-own's scope"]), (.department, ["g-own's scope", "labmate's scope"]),
                                      (.all, ["g-own's scope", "labmate's scope", "shopkeeper's scope"])] {
                let reader = try await app.principal(users[scope]!.username)
                let seen = try await app.gadgets.page(search: nil, ownerID: nil, cursor: nil, limit: 50, for: reader).records.map { $0.values["name"]! }
                #expect(seen == expected, "\(scope)")
            }
            // Out of reach is not found, by the registry's look-up as by the kind's own.
            let shops = try await app.gadgets.page(search: "shopkeeper", ownerID: nil, cursor: nil, limit: 5, for: admin).records[0]
            let hidden = await Self.failure { _ = try await app.services.records.find(Gadget.kind, shops.id, for: try await app.principal("g-department")) }
            #expect(hidden?.kind == .notFound)
            #expect(try await app.services.records.find(Gadget.kind, shops.id, for: try await app.principal("g-all")).name == "shopkeeper's scope")
            // The role editor offers the kind; a grant on an unknown kind is refused.
            #expect(app.services.records.kinds(where: \.grantable).contains(Gadget.kind))
            await #expect(throws: GuanxiError.self) { _ = try await app.makeRole("bad", [RecordKind(rawValue: "gizmos"): Grant(actions: [.read], scope: .all)]) }
        }
    }

    @Test("Its list pages by name with a keyset cursor, and finds by any searchable field, in the list and the search box")
    func listAndSearch() async throws {
        try await TestApp.runWithGadgets { app, _ in
            let admin = try await app.admin
            for (i, name) in ["示波器", "Anemometer", "Barometer", "Calliper", "Dynamo", "Electrometer", "Fluxgate"].enumerated() {
                _ = try await app.gadgets.create(["name": name, "serial": "SN-\(1000 + i)", "model": i.isMultiple(of: 2) ? "Mk II" : "Mk I"], by: admin)
            }
            let list = try #require(app.services.records[Gadget.kind]?.list)
            let (names, pages) = try await Self.titles(list, pageSize: 3, for: admin)
            #expect(pages == 3)
            #expect(names == ["Anemometer", "Barometer", "Calliper", "Dynamo", "Electrometer", "Fluxgate", "示波器"])
            let bySerial = try await app.gadgets.page(search: "sn-1003", ownerID: nil, cursor: nil, limit: 10, for: admin).records
            #expect(bySerial.map { $0.values["name"] } == ["Calliper"])
            #expect(try await app.gadgets.page(search: "示", ownerID: nil, cursor: nil, limit: 10, for: admin).records.map { $0.values["name"] } == ["示波器"])
            let hits = try await GlobalSearch(services: app.services.customerFile).search("meter", for: admin).filter { $0.kind == Gadget.kind }
            #expect(hits.map(\.title) == ["Anemometer", "Barometer", "Electrometer"])
            #expect(hits[0].detail == "SN-1001 · Mk I")
            // Bad input is named.
            for (values, field, message) in [(["name": "x", "price": "12.5"], "price", "price must be a whole number."),
                                             (["name": "x", "colour": "red"], "colour", "colour is not a field of gadgets."),
                                             (["name": "x", "bought_on": "31/12/2026"], "bought_on", "bought_on must be a date written YYYY-MM-DD."),
                                             (["serial": "SN-0"], "name", "name is required.")] {
                let error = await Self.failure { _ = try await app.gadgets.create(values, by: admin) }
                #expect(error?.field == field && error?.message == message)
            }
            #expect(try await app.gadgets.page(search: nil, ownerID: nil, cursor: nil, limit: 10, for: admin).records.count == 7)
        }
    }

    @Test("A CSV file imports into it, each record audited, and the import reverts; its list exports as CSV")
    func importRevertExport() async throws {
        try await TestApp.runWithGadgets { app, _ in
            let admin = try await app.admin
            let csv = "名称,序列号,model,price,bought_on\n万用表,SN-1,Fluke 17B,899,2026-03-01\n电烙铁,SN-2,T12,,\n坏行,SN-3,,贵,\n"
            let job = try await ImportTests.importing(app, Gadget.kind, csv, ImportSettings())
            #expect((job.created, job.rejected) == (2, 1))
            let meter = try #require(try await app.gadgets.page(search: "万用表", ownerID: nil, cursor: nil, limit: 5, for: admin).records.first)
            #expect(meter.values == ["name": "万用表", "serial": "SN-1", "model": "Fluke 17B", "price": "899", "bought_on": "2026-03-01"])
            #expect(meter.ownerID == admin.userID)
            let history = try await app.services.auditQuery.history(kind: Gadget.kind, id: meter.id.uuidString, limit: 10)
            #expect(history.map(\.action) == ["create"])

            let path = NSTemporaryDirectory() + "gadgets-\(UUID().uuidString).csv"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let rows = try await FileExport(services: app.services.customerFile).run("gadgets", to: path, view: nil, filters: "col=serial&col=price", locale: "en",
                                                                        byteOrderMark: false, by: admin)
            #expect(rows == 2)
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\r\n").map(String.init)
            #expect(lines == ["Name,serial,price", "万用表,SN-1,899", "电烙铁,SN-2,"])

            _ = try await DataImport(services: app.services.customerFile).revert(job.id, by: admin)
            #expect(try await app.gadgets.page(search: nil, ownerID: nil, cursor: nil, limit: 5, for: admin).records.isEmpty)
            #expect(try await app.services.auditQuery.history(kind: Gadget.kind, id: meter.id.uuidString, limit: 10).map(\.action) == ["delete", "create"])
        }
    }

    @Test("Records sharing a duplicate field are found, merged with their activities, and the merge undone")
    func duplicatesAndMerge() async throws {
        try await TestApp.runWithGadgets { app, _ in
            let admin = try await app.admin
            let keep = try await app.gadgets.create(["name": "Scope A", "serial": "SN-9", "model": "Rigol"], by: admin)
            let other = try await app.gadgets.create(["name": "Scope B", "serial": "SN-9", "price": "2400"], by: admin)
            _ = try await app.gadgets.create(["name": "Other", "serial": "SN-7"], by: admin)
            let groups = try await DuplicateFinder(services: app.services.customerFile).groups(Gadget.kind, for: admin).groups
            #expect(groups.map { Set($0.members.map(\.id)) } == [[keep.id, other.id]])
            #expect(groups[0].reasons == ["email"])
            var call = ActivityInput()
            (call.kind, call.subject, call.related) = ("call", "Calibration", .some((Gadget.kind, other.id)))
            let activity = try await app.services.activities.create(call, by: admin)

            let merge = try await MergeService(services: app.services.customerFile).merge(Gadget.kind, survivor: keep.id, others: [other.id], take: ["name": other.id], by: admin)
            let merged = try await app.gadgets.find(keep.id, for: admin)
            #expect(merged.values == ["name": "Scope B", "serial": "SN-9", "model": "Rigol", "price": "2400"])
            #expect(merged.version == 2)
            #expect(await Self.failure { _ = try await app.gadgets.find(other.id, for: admin) }?.kind == .notFound)
            #expect(try await app.services.activities.find(activity.id!, for: admin).relatedID == keep.id)

            try await MergeService(services: app.services.customerFile).undo(merge, by: admin)
            #expect(try await app.gadgets.find(keep.id, for: admin).values == keep.values)
            #expect(try await app.gadgets.find(other.id, for: admin).values == other.values)
            #expect(try await app.services.activities.find(activity.id!, for: admin).relatedID == other.id)
        }
    }

    @Test("Its timeline shows changes and activities, and a hand-over moves its records, each move audited")
    func timelineAndHandOver() async throws {
        try await TestApp.runWithGadgets { app, _ in
            let admin = try await app.admin
            let leaver = try await app.makeUser("leaver")
            let successor = try await app.makeUser("successor")
            let gadget = try await app.gadgets.create(["name": "Spectrum analyser"], ownerID: .some(leaver.id!), by: admin)
            app.clock.advance(by: 60)
            try await app.gadgets.update(gadget.id, ["model": "N9320B"], expectedVersion: 1, by: admin)
            #expect(await Self.failure { try await app.gadgets.update(gadget.id, ["model": "old"], expectedVersion: 1, by: admin) }?.code == "version_conflict")
            app.clock.advance(by: 60)
            var visit = ActivityInput()
            (visit.kind, visit.subject, visit.related) = ("task", "Recalibrate", .some((Gadget.kind, gadget.id)))
            _ = try await app.services.activities.create(visit, by: admin)

            let items = try await Timeline(services: app.services.customerFile).items(of: Gadget.kind, id: gadget.id, for: admin)
            #expect(items.map(\.title) == ["Recalibrate", "update", "create"])
            #expect(items[1].change?.changes == [FieldChange(field: "model", old: nil, new: "N9320B")])

            let moved = try await app.services.handOver.handOver(from: leaver.id!, to: successor.id!, by: admin)
            #expect(moved.moved[Gadget.kind] == 1)
            #expect(try await app.gadgets.find(gadget.id, for: admin).ownerID == successor.id)
            let last = try await app.services.auditQuery.history(kind: Gadget.kind, id: gadget.id.uuidString, limit: 1)[0]
            #expect(last.changes == [FieldChange(field: "owner_id", old: leaver.id!.uuidString, new: successor.id!.uuidString)])
        }
    }

    @Test("Deleting one takes its attachments with it and keeps its last state in the audit trail; a stale version stops the delete")
    func deletion() async throws {
        try await TestApp.runWithGadgets { app, _ in
            let admin = try await app.admin
            let doomed = try await app.gadgets.create(["name": "Oscilloscope", "serial": "SN-9"], by: admin)
            let kept = try await app.gadgets.create(["name": "Multimeter"], by: admin)
            let files = AttachmentService(services: app.services.customerFile)
            for gadget in [doomed, kept] {
                _ = try await files.add(to: Gadget.kind, gadget.id, filename: "manual.pdf", contentType: "application/pdf", data: Data("%PDF".utf8), by: admin)
            }
            try await app.gadgets.update(doomed.id, ["model": "DS1054Z"], expectedVersion: 1, by: admin)
            #expect(await Self.failure { try await app.gadgets.delete(doomed.id, expectedVersion: 1, by: admin) }?.code == "version_conflict")
            #expect(try await files.list(Gadget.kind, doomed.id, for: admin).count == 1)

            try await app.gadgets.delete(doomed.id, expectedVersion: 2, by: admin)
            let left = try await app.services.database.sql.select().column("record_id").from("attachments").all().map { try $0.decode(column: "record_id", as: UUID.self) }
            #expect(left == [kept.id])
            let entry = try await app.services.auditQuery.history(kind: Gadget.kind, id: doomed.id.uuidString, limit: 1)[0]
            #expect(entry.action == "delete")
            #expect(Set(entry.changes.map(\.field)).isSuperset(of: ["name", "serial", "model"]))
            #expect(entry.changes.first { $0.field == "model" }?.old == "DS1054Z")
        }
    }

    @Test("Its web pages come from its declaration: list with search, form with named errors, record page, conflicts shown, edit and delete as permitted, all escaped")
    func webPages() async throws {
        try await TestApp.runWithGadgets { app, client in
            var browser = try await app.signedInBrowser(client, as: "lab.lead")
            let blank = try await browser.get("/gadgets/new")
            #expect(blank.status == .ok && blank.text.contains("name=\"name\" type=\"text\" value=\"\" maxlength=\"200\" required"))
            let empty = try await browser.post("/gadgets/new", ["name": "", "serial": "SN-<1>", "price": "12"])
            #expect(empty.status == .badRequest)
            #expect(empty.text.contains("role=\"alert\"") && empty.text.contains("name") && empty.text.contains("value=\"SN-&lt;1&gt;\""))
            #expect(try await browser.post("/gadgets/new", ["name": "Scope", "price": "twelve"]).status == .badRequest)
            let made = try await browser.post("/gadgets/new", ["name": "<b>示波器</b>", "serial": "SN-77", "model": "DS1054Z", "price": "3200", "bought_on": "2026-03-01"])
            #expect(made.status == .seeOther)
            let location = try #require(made.headers[.location])
            let id = String(location.dropFirst("/gadgets/".count).prefix(36))
            let page = try await browser.get(location)
            #expect(page.text.contains("&lt;b&gt;示波器&lt;/b&gt;") && !page.text.contains("<b>示波器</b>"))
            #expect(page.text.contains("<td>DS1054Z</td>") && page.text.contains("<td>3200</td>") && page.text.contains("<td>2026-03-01</td>"))
            #expect(page.text.contains("href=\"/gadgets/\(id)/edit\"") && page.text.contains("href=\"/gadgets/\(id)/delete?version=1\""))

            let list = try await browser.get("/gadgets?q=sn-77")
            #expect(list.text.contains("href=\"/gadgets/\(id)\"") && list.text.contains("href=\"/gadgets/new\""))
            #expect(!(try await browser.get("/gadgets?q=nothing-like-it")).text.contains("href=\"/gadgets/\(id)\""))

            let form = try await browser.get("/gadgets/\(id)/edit")
            #expect(form.text.contains("name=\"price\" type=\"number\" value=\"3200\"") && form.text.contains("name=\"bought_on\" type=\"date\""))
            try await app.gadgets.update(UUID(uuidString: id)!, ["model": "DS2072A"], expectedVersion: 1, by: try await app.admin)
            let stale = try await browser.post("/gadgets/\(id)/edit", ["version": "1", "name": "<b>示波器</b>", "model": "MSO5000"])
            #expect(stale.status == .conflict && stale.text.contains("DS2072A") && stale.text.contains("value=\"MSO5000\""))
            #expect(try await browser.post("/gadgets/\(id)/edit", ["version": "2", "name": "示波器", "model": "MSO5000"]).status == .seeOther)
            #expect(try await app.gadgets.find(UUID(uuidString: id)!, for: try await app.admin).values["model"] == "MSO5000")

            let reader = try await app.makeRole("gadget-reader", [Gadget.kind: Grant(actions: [.read], scope: .all)])
            _ = try await app.makeUser("lab.guest", roles: [reader.id!])
            var guest = Browser(client)
            try await guest.signIn("lab.guest", "Secret-pass-42")
            let seen = try await guest.get("/gadgets/\(id)")
            #expect(seen.status == .ok && !seen.text.contains("/edit\"") && !seen.text.contains("/delete?"))
            #expect(try await guest.get("/gadgets/new").status == .forbidden)
            #expect(try await guest.post("/gadgets/\(id)/edit", ["version": "3", "model": "x"]).status == .forbidden)

            let question = try await browser.get("/gadgets/\(id)/delete?version=3")
            #expect(question.text.contains("action=\"/gadgets/\(id)/delete\""))
            #expect(try await browser.post("/gadgets/\(id)/delete", ["version": "3"]).status == .seeOther)
            #expect(try await browser.get("/gadgets/\(id)").status == .notFound)
        }
    }

    @Test("Its records are served by the REST API: create, read, page, search, change with If-Match, delete — each checked, scoped and audited")
    func restAPI() async throws {
        try await TestApp.runWithGadgets { app, client in
            let api = APIClient(client: client, token: try await app.token(for: "admin"))
            let made = try await api.call(.post, "/records/gadgets", json: #"{"fields":{"name":"光谱仪","serial":"SN-5","price":"4800","bought_on":"2026-02-01"}}"#)
            #expect(made.status == .created && made.headers[.eTag] == "\"v1\"")
            let id = try #require(made.json["id"] as? String)
            #expect(made.json["kind"] as? String == "gadgets")
            #expect(made.json["fields"] as? [String: String] == ["name": "光谱仪", "serial": "SN-5", "price": "4800", "bought_on": "2026-02-01"])

            for (body, field) in [(#"{"fields":{"serial":"SN-6"}}"#, "name"), (#"{"fields":{"name":"x","price":"lots"}}"#, "price"),
                                  (#"{"fields":{"name":"x","colour":"red"}}"#, "colour"), (#"{"fields":{"name":"x","bought_on":"2026-13-01"}}"#, "bought_on"),
                                  (#"{"fields":{"name":"x"},"ownerId":"\#(UUID().uuidString)"}"#, "ownerId")] {
                let refused = try await api.call(.post, "/records/gadgets", json: body)
                #expect(refused.status == .badRequest && refused.errorBody["field"] as? String == field, "\(body)")
            }
            let unknown = try await api.call(.get, "/records/customers")
            #expect(unknown.status == .badRequest && (unknown.errorBody["message"] as? String ?? "").contains("gadgets"))

            let read = try await api.call(.get, "/records/gadgets/\(id)")
            #expect(read.status == .ok && (read.json["fields"] as? [String: String])?["serial"] == "SN-5")
            #expect(try await api.call(.patch, "/records/gadgets/\(id)", json: #"{"fields":{"model":"X1"}}"#, headers: [.ifMatch: "\"v9\""]).status == .preconditionFailed)
            let changed = try await api.call(.patch, "/records/gadgets/\(id)", json: #"{"fields":{"model":"X1","price":""}}"#, headers: [.ifMatch: "\"v1\""])
            #expect(changed.status == .ok && changed.headers[.eTag] == "\"v2\"")
            #expect(changed.json["fields"] as? [String: String] == ["name": "光谱仪", "serial": "SN-5", "model": "X1", "bought_on": "2026-02-01"])
            _ = try await api.call(.post, "/records/gadgets", json: #"{"fields":{"name":"万用表","model":"Fluke"}}"#)
            let page = try await api.call(.get, "/records/gadgets?q=fluke&limit=5")
            #expect((page.json["items"] as? [[String: Any]])?.compactMap { ($0["fields"] as? [String: String])?["name"] } == ["万用表"])
            #expect(try await app.auditEntries(kind: Gadget.kind, id: id).map(\.action) == ["update", "create"])

            // Someone who may read only their own records sees neither the admin's nor can change them.
            let mine = try await app.makeRole("own-gadgets", [Gadget.kind: Grant(actions: [.read, .create, .update], scope: .own)])
            _ = try await app.makeUser("tech.li", roles: [mine.id!])
            let tech = APIClient(client: client, token: try await app.token(for: "tech.li"))
            #expect(try await tech.call(.get, "/records/gadgets/\(id)").status == .notFound)
            #expect(((try await tech.call(.get, "/records/gadgets")).json["items"] as? [Any])?.isEmpty == true)
            #expect(try await tech.call(.delete, "/records/gadgets/\(id)").status == .notFound)

            #expect(try await api.call(.delete, "/records/gadgets/\(id)", headers: [.ifMatch: "\"v2\""]).status == .noContent)
            #expect(try await api.call(.get, "/records/gadgets/\(id)").status == .notFound)
        }
    }

    /// Every record's title, page by page; and how many pages that took.
    static func titles<L: RecordList>(_ list: L, pageSize: Int, for actor: Principal) async throws -> (titles: [String], pages: Int) {
        var titles: [String] = [], cursor: String?, pages = 0
        repeat {
            let page = try await list.page(.init(), cursor: cursor, limit: pageSize, for: actor)
            titles += page.records.map(list.title)
            (cursor, pages) = (page.next, pages + 1)
        } while cursor != nil
        return (titles, pages)
    }

    /// The error `body` fails with, nil when it succeeds.
    static func failure(_ body: () async throws -> Void) async -> GuanxiError? {
        do { try await body() } catch let error as GuanxiError { return error } catch { Issue.record(error) }
        return nil
    }
}
