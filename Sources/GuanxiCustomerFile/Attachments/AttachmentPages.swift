import Foundation
import Hummingbird
import GuanxiPlatform

/// Attachments on record pages: the list, the upload form and downloads.
package struct AttachmentPages {
    package let services: CustomerFileServices

    package struct Row { package let id: String; package let filename: String; package let size: String; package let at: String }
    package struct Part { package let kind: String; package let id: String; package let rows: [Row]; package let canAdd: Bool; package let largest: String }

    package func register(on web: RouterGroup<SignedInContext>) {
        web.post("/attachments") { request, context in
            let principal = context.principal
            let form = try await request.form(context: context)
            guard let kind = services.records.kinds(where: \.attachments).first(where: { $0.rawValue == form["kind"] }), let id = form["id"].flatMap(UUID.init(uuidString:)) else {
                throw GuanxiError.notFound("Record")
            }
            guard let file = form.files["file"]?.first else {
                throw GuanxiError.invalid("file", "Choose a file.").localized("msg.required", ["field": "file"])
            }
            _ = try await AttachmentService(services: services).add(to: kind, id, filename: file.filename, contentType: file.contentType,
                                                                    data: file.data, by: principal)
            return WebRenderer.redirect(services.records.url(kind, id).notice("saved"))
        }
        web.get("/attachments/:id") { _, context in
            try Self.download(try await AttachmentService(services: services).download(try Self.id(context), for: context.principal))
        }
        web.post("/attachments/:id/delete") { _, context in
            let attachment = try await AttachmentService(services: services).remove(try Self.id(context), by: context.principal)
            return WebRenderer.redirect(services.records.url(attachment.recordKind, attachment.recordID).notice("saved"))
        }
    }

    package static func id(_ context: SignedInContext) throws -> UUID {
        try UUID(uuidString: context.parameters.require("id")).orThrow(.notFound("Attachment"))
    }

    /// The file, always as a download: a browser never renders an uploaded file as a page.
    package static func download(_ file: (Attachment, Data)) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = file.0.contentType
        headers[.contentDisposition] = ContentDisposition.attachment(file.0.filename)
        headers[.contentLength] = String(file.1.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.1)))
    }

    /// The attachments card of a record page, which has read the record for `principal`
    /// and knows whether they may change it (`canAdd`).
    package func part(_ kind: RecordKind, _ id: UUID, principal: Principal, locale: String, canAdd: Bool) async throws -> Part {
        let format = DisplayFormat(timeZone: principal.timeZone, locale: locale)
        let files = try await AttachmentService(services: services).list(ofRead: id)
        return Part(kind: kind.rawValue, id: id.uuidString,
                    rows: files.map { Row(id: $0.id.uuidString, filename: $0.filename, size: ByteCountFormatter.string(fromByteCount: Int64($0.size), countStyle: .file),
                                          at: format.dateTime($0.createdAt)) },
                    canAdd: canAdd, largest: ByteCountFormatter.string(fromByteCount: Int64(AttachmentService(services: services).largest), countStyle: .file))
    }

    package init(services: CustomerFileServices) { self.services = services }
}
