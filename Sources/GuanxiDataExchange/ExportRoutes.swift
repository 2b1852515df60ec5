import Foundation
import Hummingbird
import GuanxiCustomerFile
import GuanxiPlatform

/// `GET /customers/export?…` (and every other kind with a list): the list with the same
/// query string, streamed as a CSV download. `bom=0` leaves out the byte-order mark that
/// Excel needs to read Chinese as UTF-8; `format=` picks another format the kind offers
/// (`/contacts/export?format=vcard4`, `/activities/export?format=ical`).
package struct ExportRoutes {
    package let services: CustomerFileServices

    package func register(on web: RouterGroup<SignedInContext>) {
        for descriptor in services.records.all {
            guard let list = descriptor.list else { continue }
            web.get("\(descriptor.path)/export") { request, context in
                guard let format = request.uri.queryParameters["format"].map(String.init), format != "csv" else {
                    return try await csv(list, request, context)
                }
                return try await file(descriptor, format: format, request, context)
            }
        }
    }

    /// The list in one of the kind's other formats.
    package func file(_ descriptor: RecordKindDescriptor, format: String, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let chosen = try FileExport.format(format, of: descriptor, in: services.records)
        let pages = try await chosen.open(request.uri.queryParameters, principal, context.locale)
        let type = Self.contentTypes[chosen.fileExtension] ?? "application/octet-stream"
        return download(type, name: "\(descriptor.kind.rawValue).\(chosen.fileExtension)") { out in _ = try await pages.write(to: out) }
    }

    package static let contentTypes = ["vcf": "text/vcard; charset=utf-8", "ics": "text/calendar; charset=utf-8"]

    /// A download streamed as `write` produces it.
    package func download(_ type: String, name: String, _ write: @escaping @Sendable ((String) async throws -> Void) async throws -> Void) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentDisposition] = ContentDisposition.attachment(name)
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await write { text in try await writer.write(ByteBuffer(string: text)) }
            try await writer.finish(nil)
        })
    }

    package func csv<L: RecordList>(_ list: L, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
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
    package static func fileName(_ kind: RecordKind, at now: Date) -> String {
        "\(kind.rawValue)-\(String(ISO8601DateFormatter().string(from: now).prefix(10))).csv"
    }

    package init(services: CustomerFileServices) { self.services = services }
}
