import Foundation
import Hummingbird
import GuanxiPlatform

/// Text messages on the web: the gateway's settings with a test text (administrators),
/// and the replies that came back (outbox readers).
package struct TextMessagePages {
    static let url = SiteURL("/admin/sms")
    package let services: CustomerFileServices
    package init(services: CustomerFileServices) { self.services = services }

    struct Page {
        let kinds: [WebChoice]; let methods: [WebChoice]; let formats: [WebChoice]
        let url: String; let headers: String; let body: String; let hasSecret: Bool; let signature: String; let successStatus: String
        let successContains: String; let perMinute: Int; let quietFrom: String; let quietUntil: String; let timeZone: String
        let configured: Bool; let replyURL: String?; let fields: String; let notice: String?; let error: String?; let testResult: String?
    }
    struct ReplyRow { let received: String; let number: String; let text: String; let outcome: String; let outcomeLabel: String; let records: [WebLink] }
    struct WebLink { let href: String; let label: String }
    struct Tab { let label: String; let href: String; let current: Bool }
    struct RepliesPage { let tabs: [Tab]; let rows: [ReplyRow]; let empty: Bool; let next: String? }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.get("/admin/sms") { request, context in
            _ = try services.permissions.require(context.principal, .update, on: .settings)
            let notice = request.uri.queryParameters["notice"].flatMap { services.localizer.known("notice.\($0)", context.locale) }
            return try await form(try await services.textGateways.current()?.withoutSecret, context: context, notice: notice)
        }
        web.post("/admin/sms") { request, context in
            _ = try services.permissions.require(context.principal, .update, on: .settings)
            let form = try await request.form(context: context)
            if form["remove"] == "1" {
                try await services.textGateways.remove(by: context.principal)
                return WebRenderer.redirect(Self.url.notice("deleted"))
            }
            let typed: SMSGatewaySettings
            do { typed = try Self.settings(form) } catch let error as GuanxiError {
                return try await self.form(nil, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
            do {
                try await services.textGateways.save(typed, by: context.principal)
                _ = try await TextReplyHook(services: services).token(creating: true, by: context.principal)
                return WebRenderer.redirect(Self.url.notice("saved"))
            } catch let error as GuanxiError where error.kind == .validation {
                return try await self.form(typed.withoutSecret, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.post("/admin/sms/test") { request, context in
            _ = try services.permissions.require(context.principal, .update, on: .settings)
            let form = try await request.form(context: context)
            let gateway = try await services.textGateways.current()
            do {
                let number = try SMSNumber(try Validate.requiredText(form["to"], field: "to", max: 40))
                guard let gateway else { throw GuanxiError.invalid("to", "Save the gateway first.").localized("msg.sms_not_configured", [:]) }
                let result = try await TextGatewayTest(services: services).send(to: number, through: gateway, by: context.principal)
                let outcome = services.localizer.text("sms.outcomes.\(result.outcome)", context.locale)
                return try await self.form(gateway.withoutSecret, context: context, testResult: "\(outcome)\(services.localizer.text("punct.colon", context.locale))\(result.reply)")
            } catch let error as GuanxiError where error.kind == .validation {
                return try await self.form(gateway?.withoutSecret, context: context, error: services.localizer.message(for: error, context.locale), status: .badRequest)
            }
        }
        web.get("/admin/sms/replies") { request, context in
            _ = try services.permissions.require(context.principal, .read, on: .outbox)
            let q = request.uri.queryParameters
            let outcome = try q["outcome"].flatMap { $0.isEmpty ? nil : String($0) }.map { raw in
                try TextReply.Outcome(rawValue: raw).orThrow(.invalid("outcome", "outcome must be one of \(TextReply.Outcome.allCases.map(\.rawValue).joined(separator: ", ")).")
                    .localized("msg.choice", ["field": "outcome", "choices": TextReply.Outcome.allCases.map(\.rawValue).joined(separator: ", ")]))
            }
            let replies = try await TextReplies(services: services).list(outcome: outcome, after: q["after"].map(String.init), limit: 51)
            let t = { (key: String) in services.localizer.text(key, context.locale) }
            let format = DisplayFormat(timeZone: context.principal.timeZone, locale: context.locale)
            let here = Self.url.appending("replies")
            let tabs = [Tab(label: t("outbox.all"), href: here.description, current: outcome == nil)]
                + TextReply.Outcome.allCases.map { Tab(label: t("sms.replies.outcomes.\($0.rawValue)"), href: here.with("outcome", $0.rawValue).description, current: outcome == $0) }
            var rows: [ReplyRow] = []
            for reply in replies.prefix(50) {
                var links: [WebLink] = []
                for ref in reply.filedOn {
                    // Named and linked only for a reader who may open the record.
                    if let found = try? await services.records.find(ref.kind, ref.id, for: context.principal) {
                        links.append(WebLink(href: services.records.url(ref.kind, ref.id).description, label: found.name))
                    }
                }
                rows.append(ReplyRow(received: format.dateTime(reply.receivedAt), number: reply.number, text: reply.text, outcome: reply.outcome.rawValue,
                                     outcomeLabel: t("sms.replies.outcomes.\(reply.outcome.rawValue)"), records: links))
            }
            var next: String?
            if replies.count > 50, let last = replies.prefix(50).last { next = (outcome.map { here.with("outcome", $0.rawValue) } ?? here).with("after", last.cursor).description }
            return services.renderer.render("sms-replies", titleKey: "sms.replies.title", page: RepliesPage(tabs: tabs, rows: rows, empty: rows.isEmpty, next: next), context: context)
        }
    }

    func form(_ gateway: SMSGatewaySettings?, context: SignedInContext, notice: String? = nil, error: String? = nil, testResult: String? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let g = gateway ?? SMSGatewaySettings()
        let t = { (key: String) in services.localizer.text(key, context.locale) }
        let token = try await TextReplyHook(services: services).token(creating: false, by: context.principal)
        let page = Page(kinds: WebChoice.list(SMSGatewaySettings.Kind.allCases.map(\.rawValue), selected: g.kind.rawValue, allowEmpty: false) { t("sms.kinds.\($0)") },
                        methods: WebChoice.list(SMSGatewaySettings.Method.allCases.map(\.rawValue), selected: g.method.rawValue, allowEmpty: false) { $0 },
                        formats: WebChoice.list(SMSGatewaySettings.BodyFormat.allCases.map(\.rawValue), selected: g.format.rawValue, allowEmpty: false) { t("sms.formats.\($0)") },
                        url: g.url, headers: g.headers, body: g.body, hasSecret: try await services.textGateways.hasSecret(), signature: g.signature,
                        successStatus: g.successStatus, successContains: g.successContains, perMinute: g.perMinute, quietFrom: g.quietFrom,
                        quietUntil: g.quietUntil, timeZone: g.timeZone, configured: try await services.textGateways.current() != nil,
                        replyURL: token.map { services.outbox.links + "/sms/replies/" + $0 },
                        fields: SMSGatewaySettings.fields.map { "{{\($0)}}" }.joined(separator: " "), notice: notice, error: error, testResult: testResult)
        return services.renderer.render("admin-sms", titleKey: "sms.title", page: page, context: context, status: status)
    }

    static func settings(_ form: FormData) throws -> SMSGatewaySettings {
        func choice<T: RawRepresentable & CaseIterable>(_ field: String, _ type: T.Type) throws -> T where T.RawValue == String {
            let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
            return try T(rawValue: form[field] ?? "").orThrow(GuanxiError.invalid(field, "\(field) must be one of \(choices).")
                .localized("msg.choice", ["field": field, "choices": choices]))
        }
        let trimmed = { (field: String) in (form[field] ?? "").trimmingCharacters(in: .whitespaces) }
        guard let perMinute = Int(trimmed("per_minute")) else {
            throw GuanxiError.invalid("perMinute", "perMinute must be a whole number.").localized("msg.whole_numbers", [:])
        }
        return SMSGatewaySettings(kind: try choice("kind", SMSGatewaySettings.Kind.self), url: trimmed("url"), method: try choice("method", SMSGatewaySettings.Method.self),
                                  format: try choice("format", SMSGatewaySettings.BodyFormat.self), headers: form["headers"] ?? "", body: form["body"] ?? "",
                                  secret: form["secret"] ?? "", signature: trimmed("signature"), successStatus: trimmed("success_status"),
                                  successContains: form["success_contains"] ?? "", perMinute: perMinute, quietFrom: trimmed("quiet_from"),
                                  quietUntil: trimmed("quiet_until"), timeZone: trimmed("time_zone"))
    }
}
