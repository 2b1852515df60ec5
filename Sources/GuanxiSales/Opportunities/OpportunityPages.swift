import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// Opportunities on the web: the list, the deal page with its stage history, and the
/// stage move that the kanban board's drag and drop also uses.
package struct OpportunityPages {
    /// Where these pages are; links and redirects build on it.
    package static let url = SiteURL("/opportunities")

    package static let menu = MenuEntry("/opportunities", titleKey: "nav.opportunities", readers: .opportunities)

    package let services: SalesServices

    package struct Row {
        package let id: String; let name: String; let customer: String; let customerID: String; let stage: String; let amount: String
        package let probability: Int; let close: String; let owner: String
    }
    package struct ListPage {
        package let next: String?; let q: String; let canCreate: Bool
        package let pipelines: [WebChoice]; let statuses: [WebChoice]
        package let cf: String; let sorts: [WebChoice]; let descending: Bool; let table: ListTable.Part
    }
    package struct Visit { package let stage: String; package let entered: String; package let left: String; package let duration: String; package let by: String }
    package struct CompetitorRow { package let name: String; package let strengths: String; package let weaknesses: String }
    package struct DetailPage {
        package let id: String; let name: String; let version: Int; let header: RecordHeader; let groups: [WebFieldGroup]; let notes: String; let hasNotes: Bool
        package let canEdit: Bool; let canDelete: Bool; let stages: [WebChoice]; let visits: [Visit]; let competitors: [CompetitorRow]
        package let timeline: TimelineView.Part; let attachments: AttachmentPages.Part
        /// Sections other areas show on a deal's page, as HTML.
        package let panels: [String]; let notice: String?; let error: String?
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/opportunities") { request, context in try await list(request, context) }
        web.get("/opportunities/:id") { request, context in
            try await detail(try id(context), context: context,
                             notice: request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) })
        }
        web.post("/opportunities/:id/stage") { request, context in
            let principal = context.principal
            let dealID = try id(context)
            let form = try await request.form(context: context)
            var input = OpportunityInput()
            input.stageID = try Validate.uuid(form["stage_id"], field: "stageId")
            if let reason = form["loss_reason"], !reason.isEmpty { input.lossReason = reason }
            let back = form["back"] == "board" ? Self.url.appending("board").with("pipeline", form["pipeline"] ?? "") : Self.url.appending(dealID)
            // The board's script moves a card in place and asks for JSON: the new version, or the reason it cannot.
            let wantsJSON = WebRenderer.wantsJSON(request)
            do {
                let moved = try await services.opportunities.update(dealID, input, expectedVersion: Int(form["version"] ?? ""), by: principal)
                if wantsJSON { return try WebRenderer.json(["version": moved.version, "probability": moved.probability]) }
            } catch let error as GuanxiError where error.kind == .validation || error.kind == .conflict {
                let message = services.localizer.message(for: error, context.locale)
                if wantsJSON { return try WebRenderer.json(["error": message, "code": error.code ?? ""], status: error.kind == .validation ? .badRequest : .conflict) }
                return try await detail(dealID, context: context, notice: nil, error: message, status: error.kind == .validation ? .badRequest : .conflict)
            }
            return WebRenderer.redirect(back.notice("saved"))
        }
        inlineRoute.register("/opportunities", notFound: "Opportunity", on: web, localizer: services.localizer)
        DeletionQuestion(services: services.customerFile).register(.opportunities, on: web)
        web.post("/opportunities/:id/delete") { request, context in
            let form = try await request.form(context: context)
            try await services.opportunities.delete(try id(context), expectedVersion: Int(form["version"] ?? ""), by: context.principal)
            return WebRenderer.redirect(Self.url)
        }
        OpportunityForm(services: services).register(on: web)
        OpportunityBoard(services: services).register(on: web)
        ForecastPage(services: services).register(on: web)
        SalesTargetPage(services: services).register(on: web)
    }

    package func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Opportunity"))
    }

    /// Names of the given customers the principal may see.
    package func customerNames(_ ids: [UUID], principal: Principal) async -> [UUID: String] {
        (try? await services.customerQuery.names(of: ids, for: principal)) ?? [:]
    }

    package func stageNames() async throws -> [UUID: PipelineStage] {
        Dictionary(uniqueKeysWithValues: try await services.pipelines.list().flatMap(\.stages).map { ($0.id!, $0) })
    }

    package func rows(_ deals: [Opportunity], principal: Principal, locale: String) async throws -> [Row] {
        let customers = await customerNames(deals.map(\.customerID), principal: principal)
        let owners = try await services.users.names(of: deals.compactMap(\.ownerID))
        let stages = try await stageNames()
        return deals.map { o in
            Row(id: o.id!.uuidString, name: o.name, customer: customers[o.customerID] ?? "", customerID: o.customerID.uuidString,
                stage: stages[o.stageID]?.name ?? "", amount: "\(o.amount.display) \(o.currency)", probability: o.probability,
                close: o.expectedClose ?? "", owner: o.ownerID.flatMap { owners[$0] } ?? "")
        }
    }

    package func list(_ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let q = request.uri.queryParameters
        let table = ListTable(services: services.customerFile)
        if let view = q["view"], q["opened"] == nil { return try await table.open(String(view), path: Self.url.description, context: context) }
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let list = OpportunityList(services: services)
        var filter = try list.filter(q)
        filter.cursor = q["after"].map(String.init)
        let sort = q["sort"].map(String.init) ?? "updated"
        let page = try await services.opportunityQuery.list(filter, for: principal)
        let deals = page.opportunities
        let columns = try await list.columns(for: deals, principal: principal, locale: context.locale)
        let pipelines = try await services.pipelines.list().map(\.pipeline)
        let model = ListPage(
            next: page.next, q: filter.search ?? "",
            canCreate: principal.scope(for: .create, on: .opportunities) != nil,
            pipelines: WebChoice.list(pipelines.map { $0.id!.uuidString }, selected: filter.pipelineID?.uuidString) { id in pipelines.first { $0.id?.uuidString == id }?.name ?? id },
            statuses: WebChoice.list(OpportunityFilter.Status.allCases.map(\.rawValue), selected: filter.status?.rawValue) { t("deal_status.\($0)") },
            cf: q.getAll("cf").first.map { String($0) } ?? "", sorts: try await table.sorts(.opportunities, builtIn: ["updated", "created", "name"], selected: sort, locale: context.locale),
            descending: filter.customSortDescending,
            table: try await table.part(.opportunities, path: Self.url.description, records: deals, title: \.name, builtIn: columns,
                                        defaults: list.defaultColumns, next: page.next, sorts: ["updated", "created", "name"], total: try await services.opportunityQuery.count(filter, for: principal, cap: ListTable.countLimit(request)), request: request, context: context))
        return services.renderer.render("opportunities", titleKey: "opportunities.title", page: model, context: context)
    }

    package func detail(_ id: UUID, context: SignedInContext, notice: String?, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = context.principal
        let o = try await services.opportunities.find(id, for: principal)
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let format = DisplayFormat(timeZone: principal.timeZone, locale: context.locale)
        let (pipeline, stages) = try await services.pipelines.find(o.pipelineID)
        let customer = await customerNames([o.customerID], principal: principal)[o.customerID] ?? ""
        var contact: String?
        if let contactID = o.contactID { contact = try? await services.contacts.find(contactID, for: principal).name }
        let owners = try await services.users.names(of: o.ownerID.map { [$0] } ?? [])
        let may = { (action: PermissionAction) async -> Bool in
            (try? await services.permissions.requireAccess(principal, action, on: .opportunities, owner: o.ownerID, notFound: .notFound("Opportunity"))) != nil
        }
        let canEdit = await may(.update)
        let edit = InlineEditor(record: Self.url.appending(id), version: o.version, enabled: canEdit)
        let customerField = WebField(label: t("kinds.customers"), value: customer, href: customer.isEmpty ? nil : CustomerPages.url.appending(o.customerID).description)
        let stage = WebField(label: t("opportunity_fields.stage"), value: stages.first { $0.id == o.stageID }?.name ?? "")
        let amount = WebField(label: t("opportunity_fields.amount"), value: "\(o.amount.display) \(o.currency)").editable(edit.text("amount", o.amount.decimalText, type: "number"))
        let probability = WebField(label: t("opportunity_fields.probability"), value: "\(o.probability) %").editable(edit.text("probability", String(o.probability), type: "number"))
        let close = WebField(label: t("opportunity_fields.expected_close"), value: o.expectedClose ?? "").editable(edit.text("expected_close", o.expectedClose, type: "date"))
        let owner = WebField(label: t("customer_fields.owner"), value: o.ownerID.flatMap { owners[$0] } ?? "")
        let deal = [
            customerField,
            WebField(label: t("kinds.contacts"), value: contact ?? "", href: contact == nil ? nil : o.contactID.map { ContactPages.url.appending($0).description }),
            WebField(label: t("opportunity_fields.pipeline"), value: pipeline.name), stage, amount, probability,
            WebField(label: t("opportunity_fields.weighted"), value: "\(o.amount.weighted(byPercent: o.probability).display) \(o.currency)"),
            close, owner,
            WebField(label: t("customer_fields.source"), value: o.source ?? "").editable(edit.text("source", o.source)),
            WebField(label: t("opportunity_fields.loss_reason"), value: o.lossReason ?? ""),
            WebField(label: t("opportunity_fields.closed_at"), value: o.closedAt.map(format.dateTime) ?? ""),
        ]
        let now = services.clock.now()
        let visits = try await services.opportunities.stageHistory(of: id).map {
            Visit(stage: $0.stageName, entered: format.dateTime($0.enteredAt), left: $0.leftAt.map(format.dateTime) ?? "",
                  duration: DisplayFormat.duration($0.duration(now: now), locale: context.locale), by: $0.movedBy)
        }
        let competitorIDs = try await services.opportunities.competitorIDs(of: id)
        let competitors = try await services.competitors.list(for: principal).filter { competitorIDs.contains($0.id!) }
            .map { CompetitorRow(name: $0.name, strengths: $0.strengths, weaknesses: $0.weaknesses) }
        let timeline = try await TimelineView(services: services.customerFile).part(of: .opportunities, id: id, principal: principal, locale: context.locale)
        let attachments = try await AttachmentPages(services: services.customerFile).part(.opportunities, id, principal: principal, locale: context.locale, canAdd: canEdit)
        let custom = try await CustomFieldForm(services: services.customerFile).display(.opportunities, values: try await services.customValues.values(of: .opportunities, id: id), locale: context.locale)
        let panels = try await services.records.drawnPanels(on: .opportunities, id, context: context, localizer: services.localizer)
        var crumbs = [RecordHeader.Crumb(label: t("opportunities.title"), href: Self.url.description)]
        if let href = customerField.href { crumbs.append(.init(label: customer, href: href)) }
        let header = RecordHeader(
            crumbs: crumbs, title: o.name, badges: [t("deal_status.\(stages.first { $0.id == o.stageID }?.outcome ?? "open")")],
            facts: [customerField, amount, stage, probability, close, owner],
            sections: [.init(anchor: "details", label: t("record_page.details"), count: ""),
                       .init(anchor: "stages", label: t("opportunities.stage_history"), count: String(visits.count)),
                       .init(anchor: "competitors", label: t("competitors.title"), count: String(competitors.count))] + panels.index + [
                        .init(anchor: "attachments", label: t("attachments.title"), count: String(attachments.rows.count))] + timeline.sections(t))
        let groups = [WebFieldGroup.shown(t("record_page.deal"), deal), WebFieldGroup.shown(t("record_page.custom"), custom)].compactMap { $0 }
        let page = DetailPage(
            id: id.uuidString, name: o.name, version: o.version, header: header, groups: groups, notes: o.notes, hasNotes: !o.notes.isEmpty,
            canEdit: canEdit, canDelete: await may(.delete),
            stages: stages.map { WebChoice(value: $0.id!.uuidString, label: "\($0.name) (\($0.probability) %)", selected: $0.id == o.stageID) },
            visits: visits, competitors: competitors,
            timeline: timeline, attachments: attachments, panels: panels.html, notice: notice, error: error)
        return services.renderer.render("opportunity", titleKey: "opportunities.title", page: page, context: context, status: status)
    }

    /// The in-place edits of the deal page (named as in `OpportunityForm`); a stage moves by the page's own stage form.
    var inlineRoute: InlineFieldRoute {
        InlineFieldRoute(fields: ["amount", "probability", "expected_close", "source"], save: { id, form, version, context in
            var input = try OpportunityForm.input(form, custom: [])
            input.competitorIDs = nil
            return try await services.opportunities.update(id, input, expectedVersion: version, by: context.principal).version
        }, page: { Self.url.appending($0) }, refused: { id, form, error, context in
            let current = try await services.opportunities.find(id, for: context.principal, action: .update)
            return try await OpportunityForm(services: services).render(current, customerID: current.customerID, form: form, context: context, error: error,
                                                                        status: error.kind == .validation ? .badRequest : .conflict)
        })
    }

    package init(services: SalesServices) { self.services = services }
}
