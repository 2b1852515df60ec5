import Foundation
import Hummingbird
import GuanxiPlatform

/// Letters, address labels and envelopes for the records of a list or a selection, as
/// pages made for the printer (`print.css`: the paper size, no menus, one letter or
/// envelope per sheet). Addresses are written in Chinese order — postcode, then province,
/// city, district and street, then the company, then the person with 收.
package struct PrintPages {
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    /// The most records one print run takes.
    package static let largest = 2_000

    struct Choice { let kind: String; let kindLabel: String; let query: String?; let ids: [String]; let label: String
        let layouts: [WebChoice]; let templates: [WebChoice]; let hasTemplates: Bool; let canCreateTemplate: Bool }
    struct Address { let postcode: [String]; let hasPostcode: Bool; let lines: [String]; let company: String?; let person: String? }
    struct Letter { let address: Address; let date: String; let subject: String; let paragraphs: [String]; let sender: String }
    struct Sheet { let labels: [Address] }
    struct Printout {
        let layout: String; let letters: [Letter]; let sheets: [Sheet]; let envelopes: [Address]; let sender: [String]; let hasSender: Bool
        let missing: [String]; let hasMissing: Bool; let back: String
    }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/print") { request, context in
            let q = request.uri.queryParameters
            guard q["layout"] != nil else {
                return try await choose(kind: RecordKind(rawValue: q["kind"].map(String.init) ?? ""), query: q["query"].map(String.init) ?? "", ids: [], context: context)
            }
            return try await printout(q, ids: q.getAll("ids").compactMap { UUID(uuidString: String($0)) }, context: context)
        }
        // From a list's selection: the bulk form posts the picked rows here.
        web.post("/print") { request, context in
            let form = try await request.form(context: context)
            let ids = form.values("ids").compactMap(UUID.init(uuidString:))
            guard !ids.isEmpty else { throw GuanxiError.invalid("ids", "Pick at least one record.").localized("msg.bulk_count", ["max": String(Self.largest)]) }
            return try await choose(kind: RecordKind(rawValue: form["kind"] ?? ""), query: nil, ids: ids, context: context)
        }
    }

    func choose(kind: RecordKind, query: String?, ids: [UUID], context: SignedInContext) async throws -> Response {
        guard services.records[kind]?.messageRecipients != nil else { throw GuanxiError.notFound("Kind of record") }
        _ = try services.permissions.require(context.principal, .read, on: services.records.permissionKind(of: kind))
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let templates = (try? await services.messageTemplates.list(channel: .letter, for: context.principal)) ?? []
        let label = ids.isEmpty ? t("kinds.\(kind.rawValue)") + t("punct.colon") + (MailMergePages.readable(query ?? "").isEmpty ? t("mail_merges.whole_list") : MailMergePages.readable(query ?? ""))
            : services.localizer.text("mail_merges.picked", context.locale, ["n": String(ids.count), "kind": t("kinds.\(kind.rawValue)")])
        let page = Choice(kind: kind.rawValue, kindLabel: t("kinds.\(kind.rawValue)"), query: query, ids: ids.map(\.uuidString), label: label,
                          layouts: PrintLayout.allCases.map { WebChoice(value: $0.rawValue, label: t("printing.layouts.\($0.rawValue)"), selected: $0 == .labels21) },
                          templates: templates.map { WebChoice(value: $0.id.uuidString, label: $0.name, selected: false) }, hasTemplates: !templates.isEmpty,
                          canCreateTemplate: context.principal.scope(for: .create, on: .templates) != nil)
        return services.renderer.render("print-choose", titleKey: "printing.title", page: page, context: context)
    }

    func printout(_ q: Parameters, ids given: [UUID], context: SignedInContext) async throws -> Response {
        let kind = RecordKind(rawValue: q["kind"].map(String.init) ?? "")
        guard let descriptor = services.records[kind], let recipients = descriptor.messageRecipients else { throw GuanxiError.notFound("Kind of record") }
        let raw = q["layout"].map(String.init) ?? ""
        let layout = try PrintLayout(rawValue: raw).orThrow(GuanxiError.invalid("layout", "layout must be one of \(PrintLayout.allCases.map(\.rawValue).joined(separator: ", ")).")
            .localized("msg.choice", ["field": "layout", "choices": PrintLayout.allCases.map(\.rawValue).joined(separator: ", ")]))
        let sender = try Validate.text(q["sender"].map(String.init), field: "sender", required: false, max: 300)?.split(whereSeparator: \.isNewline).map(String.init) ?? []
        var template: MessageTemplate?
        if layout == .letters {
            let id = try Validate.uuid(q["template"].map(String.init), field: "template").orThrow(GuanxiError.invalid("template", "Choose a letter template.").localized("msg.required", ["field": "template"]))
            template = try await services.messageTemplates.find(id, for: context.principal)
        }
        let merges = MailMerge(services: services)
        let ids = given.isEmpty ? try await merges.ids(of: .list(kind: kind, query: q["query"].map(String.init) ?? ""), by: context.principal) : given
        guard ids.count <= Self.largest else {
            throw GuanxiError.invalid("ids", "Print at most \(Self.largest) records at a time; narrow the list first.").localized("msg.batch_too_large", ["max": String(Self.largest)])
        }
        let readable = try await services.permissions.ownerFilter(context.principal, .read, on: descriptor.permissionKind)
        var loaded: [MessageRecipient] = []
        for chunk in Array(Set(ids)).chunked(500) { loaded += try await recipients.load(chunk).filter { readable.allows($0.ownerID) } }
        // In the order of the list or the selection (a record picked twice prints once).
        let order = Dictionary(ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        loaded.sort { order[$0.id, default: 0] < order[$1.id, default: 0] }
        let addressed = loaded.filter { $0.postal != nil }
        let missing = loaded.filter { $0.postal == nil }.map(\.name)
        var letters: [Letter] = []
        if let template {
            let filled = try await TemplatePreview(services: services).fill(template, recipients: addressed, for: context.principal)
            let today = MergeValues.written(services.clock.now(), language: template.language, timeZone: context.principal.timeZone)
            letters = filled.map { f in
                Letter(address: Self.address(f.recipient.postal!), date: today, subject: f.subject,
                       paragraphs: f.body.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty },
                       sender: context.principal.displayName)
            }
        }
        let addresses = addressed.map { Self.address($0.postal!) }
        let sheets = layout.labelsPerSheet.map { per in addresses.chunked(per).map { Sheet(labels: $0) } } ?? []
        let page = Printout(layout: layout.rawValue, letters: letters, sheets: sheets, envelopes: layout.isEnvelope ? addresses : [], sender: sender, hasSender: !sender.isEmpty,
                            missing: missing, hasMissing: !missing.isEmpty, back: services.records.url(kind).description)
        return services.renderer.render("print", titleKey: "printing.title", page: page, context: context)
    }

    static func address(_ postal: PostalAddress) -> Address {
        let digits = (postal.postcode ?? "").filter(\.isNumber).map(String.init)
        return Address(postcode: digits, hasPostcode: !digits.isEmpty, lines: postal.lines, company: postal.company == postal.person ? nil : postal.company, person: postal.person)
    }
}
