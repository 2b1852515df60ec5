import Foundation
import GuanxiAPI
import OpenAPIRuntime
import GuanxiPlatform

/// Attachments over the REST API: the file travels as the raw request or response body.
extension CustomerFileAPI {
    package func listAttachments(_ input: Operations.listAttachments.Input) async throws -> Operations.listAttachments.Output {
        let principal = try RequestPrincipal.require()
        let files = try await AttachmentService(services: services).list(RecordKind(rawValue: input.query.kind.rawValue),
                                                                          try Self.id(input.query.id, field: "id"), for: principal)
        return .ok(.init(body: .json(.init(items: files.map(Self.apiAttachment)))))
    }

    package func addAttachment(_ input: Operations.addAttachment.Input) async throws -> Operations.addAttachment.Output {
        let principal = try RequestPrincipal.require()
        guard case .binary(let body) = input.body else { throw GuanxiError(.badRequest, "Send the file as application/octet-stream.") }
        let service = AttachmentService(services: services)
        let data: Data
        do { data = try await Data(collecting: body, upTo: service.largest) } catch {
            throw GuanxiError(.payloadTooLarge, "The file is larger than \(service.largest / 1_048_576) MB.", field: "file")
        }
        let a = try await service.add(to: RecordKind(rawValue: input.query.kind.rawValue), try Self.id(input.query.id, field: "id"),
                                      filename: input.query.filename, contentType: "application/octet-stream", data: data, by: principal)
        return .created(.init(body: .json(Self.apiAttachment(a))))
    }

    package func downloadAttachment(_ input: Operations.downloadAttachment.Input) async throws -> Operations.downloadAttachment.Output {
        let principal = try RequestPrincipal.require()
        let (a, data) = try await AttachmentService(services: services).download(try Self.id(input.path.attachmentId, field: "attachmentId"), for: principal)
        return .ok(.init(headers: .init(Content_hyphen_Disposition: ContentDisposition.attachment(a.filename)), body: .binary(HTTPBody(data))))
    }

    package func deleteAttachment(_ input: Operations.deleteAttachment.Input) async throws -> Operations.deleteAttachment.Output {
        let principal = try RequestPrincipal.require()
        try await AttachmentService(services: services).remove(try Self.id(input.path.attachmentId, field: "attachmentId"), by: principal)
        return .noContent(.init())
    }

    package static func apiAttachment(_ a: Attachment) -> Components.Schemas.AttachmentInfo {
        .init(id: a.id.uuidString, kind: .init(rawValue: a.recordKind.rawValue) ?? .customers, recordId: a.recordID.uuidString, filename: a.filename,
              contentType: a.contentType, size: a.size, sha256: a.sha256, uploadedBy: a.uploadedBy?.uuidString, createdAt: a.createdAt)
    }
}
