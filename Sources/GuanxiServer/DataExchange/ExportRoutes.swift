import Foundation
import Hummingbird

/// `GET /customers/export?…` (and contacts, leads, opportunities, activities): the list
/// with the same query string, streamed as a CSV download. `bom=0` leaves out the
/// byte-order mark that Excel needs to read Chinese as UTF-8.
struct ExportRoutes {
    let services: AppServices

    func register(on web: RouterGroup<AppRequestContext>) {
        web.get("/customers/export") { request, context in try await csv(CustomerList(services: services), request, context) }
        web.get("/contacts/export") { request, context in try await csv(ContactList(services: services), request, context) }
        web.get("/leads/export") { request, context in try await csv(LeadList(services: services), request, context) }
        web.get("/opportunities/export") { request, context in try await csv(OpportunityList(services: services), request, context) }
        web.get("/activities/export") { request, context in try await csv(ActivityList(services: services), request, context) }
        web.get("/contacts/vcard") { request, context in
            let principal = try context.requirePrincipal()
            let query = request.uri.queryParameters
            let version = VCard.Version(rawValue: query["version"].map(String.init) ?? "4.0") ?? .v4
            let cards = ContactVCard(services: services)
            try await cards.start(query: query, version: version, by: principal)
            return download("text/vcard; charset=utf-8", name: "contacts.vcf") { out in _ = try await cards.write(query: query, version: version, by: principal, to: out) }
        }
        web.get("/activities/ical") { request, context in
            let principal = try context.requirePrincipal()
            let query = request.uri.queryParameters
            let calendar = ActivityCalendarExport(services: services)
            try await calendar.start(query: query, by: principal)
            let locale = context.locale
            return download("text/calendar; charset=utf-8", name: "activities.ics") { out in _ = try await calendar.write(query: query, by: principal, locale: locale, to: out) }
        }
    }

    /// A download streamed as `write` produces it.
    func download(_ type: String, name: String, _ write: @escaping @Sendable ((String) async throws -> Void) async throws -> Void) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentDisposition] = ContentDisposition.attachment(name)
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await write { text in try await writer.write(ByteBuffer(string: text)) }
            try await writer.finish(nil)
        })
    }

    func csv<L: RecordList>(_ list: L, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let export = ListExport(services: services)
        let locale = context.locale
        let plan = try await export.start(list, query: query, by: principal, locale: locale)
        let bom = query["bom"] != "0"
        return download("text/csv; charset=utf-8", name: Self.fileName(list.kind, at: services.clock.now())) { out in
            _ = try await export.write(list, plan: plan, query: query, by: principal, locale: locale, byteOrderMark: bom, to: out)
        }
    }

    /// "customers-2026-11-30.csv".
    static func fileName(_ kind: RecordKind, at now: Date) -> String {
        "\(kind.rawValue)-\(String(ISO8601DateFormatter().string(from: now).prefix(10))).csv"
    }
}
