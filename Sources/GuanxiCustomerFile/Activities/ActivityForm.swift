import Foundation
import Hummingbird
import GuanxiPlatform

/// The activity form, for logging or planning one and for changing it. A schedule
/// conflict brings the form back with the clashing activities and a "save anyway" box.
package struct ActivityForm {
    package let services: CustomerFileServices

    /// A choice field; `pick` names the kind a record picker searches (`RecordPicker`).
    package struct Select {
        package let name: String; package let label: String; package let options: [WebChoice]; package var pick: String? = nil
        /// The customer a picker of contacts is narrowed to (`RecordPicker`).
        package var pickCustomer: String? = nil
    }
    package struct Check { package let name: String; package let value: String; package let label: String; package let checked: Bool }
    package struct Clash { package let subject: String; package let when: String }
    /// One promise on the form: what, by when, and whether it was kept.
    package struct CommitmentRow { package let index: Int; package let description: String; package let dueOn: String; package let statuses: [WebChoice] }
    /// Empty rows the form offers for new commitments.
    package static let emptyCommitmentRows = 3
    package struct Page {
        package let isNew: Bool; let id: String; let version: Int; let title: String; let about: String; let aboutLabel: String
        package let subject: String; let description: String; let startsAt: String; let endsAt: String; let dueAt: String; let remindAt: String
        package let startsAtNow: Bool
        package let outcome: String; let callBackAt: String; let commitments: [CommitmentRow]; let selects: [Select]; let people: [Check]; let addPeople: [Select]; let custom: [CustomFieldForm.Input]
        package let error: String?; let clashes: [Clash]; let hasClashes: Bool
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/activities/new") { request, context in
            try services.permissions.require(context.principal, .create, on: .activities)
            let q = request.uri.queryParameters
            var form = FormData()
            form.all["about"] = q["about"].map { [String($0)] }
            form.all["kind"] = q["kind"].map { [String($0)] }
            // "Log a call" records one that happened: done, now, unless the user changes it.
            return try await render(nil, form: form, fresh: true, logging: q["log"] == "1", context: context)
        }
        web.post("/activities/new") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            do {
                let a = try await services.activities.create(try Self.input(form, principal: principal, custom: try await services.customValues.fields(of: .activities)), by: principal)
                try await ContactWays(services: services).noteCallOutcome(a, by: principal)
                return WebRenderer.redirect(Self.back(form, records: services.records) ?? ActivityPages.url.appending(a.id!).notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation || error.code == "schedule_conflict" {
                return try await render(nil, form: form, context: context, error: error)
            }
        }
        web.get("/activities/:id/edit") { _, context in
            let a = try await services.activities.find(try ActivityPages.id(context), for: context.principal, action: .update)
            return try await render(a, context: context)
        }
        web.post("/activities/:id/edit") { request, context in
            let principal = context.principal
            let activityID = try ActivityPages.id(context)
            let form = try await request.form(context: context)
            do {
                let a = try await services.activities.update(activityID, try Self.input(form, principal: principal, custom: try await services.customValues.fields(of: .activities)), expectedVersion: Int(form["version"] ?? ""), by: principal)
                try await ContactWays(services: services).noteCallOutcome(a, by: principal)
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                return try await render(try await services.activities.find(activityID, for: principal, action: .update), form: form, context: context, error: error)
            }
            return WebRenderer.redirect(ActivityPages.url.appending(activityID).notice("saved"))
        }
    }

    /// Where to go after saving: the record the activity was logged from.
    package static func back(_ form: FormData, records: RecordKinds) -> SiteURL? {
        guard let about = form["about"], let (kind, id) = ActivityPages.about(about) else { return nil }
        return records.url(kind, id).notice("saved")
    }

    package static func input(_ form: FormData, principal: Principal, custom: [CustomField]) throws -> ActivityInput {
        var input = ActivityInput()
        input.customFields = CustomFieldForm.values(form, fields: custom)
        let tz = principal.timeZone
        (input.kind, input.subject, input.description, input.status, input.priority, input.outcome) =
            (form["kind"], form["subject"], form["description"], form["status"], form["priority"], form["outcome"])
        input.startsAt = try Validate.localTime(form["starts_at"], field: "startsAt", timeZone: tz)
        input.endsAt = try Validate.localTime(form["ends_at"], field: "endsAt", timeZone: tz)
        input.dueAt = try Validate.localTime(form["due_at"], field: "dueAt", timeZone: tz)
        input.remindAt = try Validate.localTime(form["remind_at"], field: "remindAt", timeZone: tz)
        input.callBackAt = try Validate.localTime(form["call_back_at"], field: "callBackAt", timeZone: tz) ?? nil
        if let owner = form["owner_id"] { input.ownerID = .some(try Validate.uuid(owner, field: "ownerId")) }
        if let about = form["about"] { input.related = about.isEmpty ? .some(nil) : ActivityPages.about(about).map { .some($0) } }
        if form["people_sent"] != nil {
            input.participants = try form.values("user").compactMap { try Validate.uuid($0, field: "participants").map { Participant(.user, $0) } }
                + form.values("contact").compactMap { try Validate.uuid($0, field: "participants").map { Participant(.contact, $0) } }
        }
        if form["commitments_sent"] != nil { input.commitments = try commitments(form) }
        input.allowConflicts = form["allow_conflicts"] == "on"
        input.sendInvitations = form["send_invitations"] == "on"
        return input
    }

    /// The commitment rows of the form (`commitment_N_text`, `_due`, `_status`); a row
    /// without text is left out, a due date or status without text is an error.
    package static func commitments(_ form: FormData) throws -> [Commitment] {
        var out: [Commitment] = []
        for index in 0..<200 {
            let prefix = "commitment_\(index)_"
            guard form["\(prefix)text"] != nil || form["\(prefix)due"] != nil else { break }
            let text = (form["\(prefix)text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let due = (form["\(prefix)due"] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                guard due.isEmpty else {
                    throw GuanxiError.invalid("commitments", "A commitment due on \(due) says nothing of what was promised.").localized("msg.commitment_text", ["due": due])
                }
                continue
            }
            out.append(Commitment(description: text, dueOn: due.isEmpty ? nil : due, status: form["\(prefix)status"] ?? "open"))
        }
        return out
    }

    package func render(_ a: Activity?, form: FormData? = nil, fresh: Bool = false, logging: Bool = false, context: SignedInContext,
                        error: GuanxiError? = nil) async throws -> Response {
        let principal = context.principal
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let typed = fresh ? nil : form
        let about = form?["about"] ?? a.flatMap { x in x.relatedKind.flatMap { k in x.relatedID.map { "\(k):\($0.uuidString)" } } } ?? ""
        let aboutRecord = ActivityPages.about(about)
        var aboutLabel = ""
        if let (kind, id) = aboutRecord { aboutLabel = try await ActivityPages(services: services).label(of: kind, id, principal: principal, locale: context.locale) }
        let kind = form?["kind"] ?? a?.kind ?? "call"
        let owners = try await services.users.pickable(for: principal)
        let people = try await participants(of: a, typed: typed, about: aboutRecord, principal: principal, locale: context.locale)
        let selects = [
            Select(name: "kind", label: t("activity_fields.kind"),
                   options: WebChoice.list(ActivityVocabulary.kinds, selected: kind, allowEmpty: false) { t("activity_kinds.\($0)") }),
            Select(name: "status", label: t("activity_fields.status"),
                   options: WebChoice.list(ActivityVocabulary.statuses, selected: typed?["status"] ?? a?.status ?? (logging || ActivityVocabulary.recorded.contains(kind) ? "done" : "planned"),
                                           allowEmpty: false) { t("activity_statuses.\($0)") }),
            Select(name: "priority", label: t("activity_fields.priority"),
                   options: WebChoice.list(ActivityVocabulary.priorities, selected: typed?["priority"] ?? a?.priority ?? "normal", allowEmpty: false) { t("priorities.\($0)") }),
            Select(name: "owner_id", label: t("customer_fields.owner"),
                   options: WebChoice.list(owners.map { $0.id!.uuidString }, selected: typed?["owner_id"] ?? (a == nil ? principal.userID.uuidString : a?.ownerID?.uuidString)) { id in
                       owners.first { $0.id?.uuidString == id }?.displayName ?? id
                   }, pick: "users"),
        ]
        // Commitments as rows: the typed or saved ones, then empty rows for new promises.
        var commitments: [Commitment] = []
        if let typed, typed["commitments_sent"] != nil { commitments = (try? Self.commitments(typed)) ?? [] }
        else if let id = a?.id { commitments = try await services.activities.commitments(of: id) }
        let commitmentRows = (commitments.map(Optional.some) + Array(repeating: nil, count: Self.emptyCommitmentRows)).enumerated().map { index, c in
            CommitmentRow(index: index, description: c?.description ?? "", dueOn: c?.dueOn ?? "",
                          statuses: WebChoice.list(ActivityVocabulary.commitmentStatuses, selected: c?.status ?? "open", allowEmpty: false) { t("commitment_statuses.\($0)") })
        }
        let clashes = (error?.code == "schedule_conflict" ? error!.details : []).map { d in
            Clash(subject: d["subject"].flatMap { $0.isEmpty ? nil : $0 } ?? t("activities.busy"),
                  when: [d["startsAt"], d["endsAt"]].compactMap { $0.flatMap { ISO8601DateFormatter().date(from: $0) }.map(format.dateTime) }.joined(separator: " – "))
        }
        let page = Page(
            isNew: a == nil, id: a?.id?.uuidString ?? "", version: a?.version ?? 0, title: a?.subject ?? t("activities.new"), about: about, aboutLabel: aboutLabel,
            subject: typed?["subject"] ?? a?.subject ?? "", description: typed?["description"] ?? a?.details ?? "",
            startsAt: typed?["starts_at"] ?? a?.startsAt.map(format.localInput) ?? "", endsAt: typed?["ends_at"] ?? a?.endsAt.map(format.localInput) ?? "",
            dueAt: typed?["due_at"] ?? a?.dueAt.map(format.localInput) ?? "", remindAt: typed?["remind_at"] ?? a?.remindAt.map(format.localInput) ?? "",
            startsAtNow: a == nil && logging && (typed?["starts_at"] ?? "").isEmpty,
            outcome: typed?["outcome"] ?? a?.outcome ?? "", callBackAt: typed?["call_back_at"] ?? "", commitments: commitmentRows,
            selects: selects, people: people.chosen, addPeople: people.adders,
            custom: try await CustomFieldForm(services: services).inputs(.activities, recordID: a?.id,
                                                                          typed: typed, locale: context.locale),
            error: error.map { services.localizer.message(for: $0, context.locale) }, clashes: clashes, hasClashes: !clashes.isEmpty)
        let status: HTTPResponse.Status = error == nil ? .ok : error!.kind == .validation ? .badRequest : .conflict
        return services.renderer.render("activity-form", titleKey: a == nil ? "activities.new" : "activities.edit", page: page, context: context, status: status)
    }

    /// Who takes part: the chosen colleagues and contacts as ticked boxes (untick to drop
    /// one), and two record pickers that add one more each — colleagues among those the
    /// reader may pick, contacts among the customer's people when the activity is about a
    /// customer (narrowed with `data-pick-customer`), else the whole file. `app.js` turns
    /// a choice in a picker into another ticked box, so a meeting takes several people
    /// without a reload; without it, each save adds one.
    private func participants(of a: Activity?, typed: FormData?, about: (kind: RecordKind, id: UUID)?,
                              principal: Principal, locale: String) async throws -> (chosen: [Check], adders: [Select]) {
        let saved = a == nil ? [] : try await services.activities.participants(of: a!.id!)
        let sent = { (name: String, kind: Participant.Kind) -> [UUID] in
            let ids = typed.map { $0.values(name).compactMap { UUID(uuidString: $0) } } ?? saved.filter { $0.kind == kind }.map(\.id)
            var seen: Set<UUID> = []
            return ids.filter { seen.insert($0).inserted }
        }
        let users = sent("user", .user), contacts = sent("contact", .contact)
        let userNames = try await services.users.names(of: users)
        // Only people the reader may see, as the activity's page shows them: saving checks
        // each participant the same way (`ActivityService.checkedParticipants`).
        var chosen = users.compactMap { id in userNames[id].map { Check(name: "user", value: id.uuidString, label: $0, checked: true) } }
        for id in contacts {
            guard let name = (try? await services.records.find(.contacts, id, for: principal))?.name else { continue }
            chosen.append(Check(name: "contact", value: id.uuidString, label: name, checked: true))
        }
        let t = { (key: String) in services.localizer.text(key, locale) }
        let colleagues = try await services.users.firstPickable(for: principal, limit: RecordPicker.pageSize)
            .filter { $0.id != principal.userID && !users.contains($0.id) }
        let customer = try await customerOf(about, a: a, principal: principal)
        let people = try await RecordPicker(services: services).choices(.contacts, chosen: nil, for: principal, atCustomer: customer)
            .filter { !contacts.contains(UUID(uuidString: $0.value) ?? UUID()) }
        let adders = [
            Select(name: "user", label: t("activities.add_colleague"),
                   options: [WebChoice(value: "", label: "—", selected: true)] + colleagues.map { WebChoice(value: $0.id.uuidString, label: $0.displayName, selected: false) },
                   pick: "users"),
            Select(name: "contact", label: t("activities.add_contact"), options: people, pick: "contacts", pickCustomer: customer?.uuidString),
        ]
        return (chosen, adders)
    }

    /// The customer whose people may take part: the one the activity is about.
    private func customerOf(_ about: (kind: RecordKind, id: UUID)?, a: Activity?, principal: Principal) async throws -> UUID? {
        if let customer = a?.customerID { return customer }
        guard let about else { return nil }
        return try? await services.records.find(about.kind, about.id, for: principal).customerID
    }
}
